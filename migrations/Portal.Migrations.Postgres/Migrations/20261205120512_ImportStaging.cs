using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
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
                    Seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ImportId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    ExternalId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ConversationJson = table.Column<string>(type: "text", nullable: false),
                    ResponseA = table.Column<string>(type: "text", nullable: false),
                    ResponseB = table.Column<string>(type: "text", nullable: true),
                    ResponseTurnsAJson = table.Column<string>(type: "text", nullable: true),
                    ResponseTurnsBJson = table.Column<string>(type: "text", nullable: true),
                    MetadataJson = table.Column<string>(type: "text", nullable: true),
                    LabelId = table.Column<Guid>(type: "uuid", nullable: true),
                    LabelChoice = table.Column<int>(type: "integer", nullable: true),
                    LabelModel = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    StagedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
