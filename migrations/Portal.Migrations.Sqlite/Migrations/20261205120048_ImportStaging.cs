using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ImportStaging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ImportStagedItems",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ImportId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ConversationJson = table.Column<string>(type: "TEXT", nullable: false),
                    ResponseA = table.Column<string>(type: "TEXT", nullable: false),
                    ResponseB = table.Column<string>(type: "TEXT", nullable: true),
                    ResponseTurnsAJson = table.Column<string>(type: "TEXT", nullable: true),
                    ResponseTurnsBJson = table.Column<string>(type: "TEXT", nullable: true),
                    MetadataJson = table.Column<string>(type: "TEXT", nullable: true),
                    LabelId = table.Column<Guid>(type: "TEXT", nullable: true),
                    LabelChoice = table.Column<int>(type: "INTEGER", nullable: true),
                    LabelModel = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    StagedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportStagedItems", x => x.Seq);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ImportStagedItems_ImportId_ExternalId_Seq",
                table: "ImportStagedItems",
                columns: new[] { "ImportId", "ExternalId", "Seq" });

            migrationBuilder.CreateIndex(
                name: "IX_ImportStagedItems_ProjectId_StagedAt",
                table: "ImportStagedItems",
                columns: new[] { "ProjectId", "StagedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ImportStagedItems");
        }
    }
}
