using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class QualityIncremental : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "QualityItemSnapshots",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RowsJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualityItemSnapshots", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualityItemSnapshots_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QualityStates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Watermark = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AttributeVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    Fingerprint = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AnnotationCount = table.Column<int>(type: "INTEGER", nullable: false),
                    StateJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualityStates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualityStates_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Items_ProjectId_Id",
                table: "Items",
                columns: new[] { "ProjectId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ProjectId_RevisedAt",
                table: "Annotations",
                columns: new[] { "ProjectId", "RevisedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_QualityItemSnapshots_ItemId",
                table: "QualityItemSnapshots",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_QualityItemSnapshots_ProjectId_ItemId",
                table: "QualityItemSnapshots",
                columns: new[] { "ProjectId", "ItemId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QualityStates_ProjectId",
                table: "QualityStates",
                column: "ProjectId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "QualityItemSnapshots");

            migrationBuilder.DropTable(
                name: "QualityStates");

            migrationBuilder.DropIndex(
                name: "IX_Items_ProjectId_Id",
                table: "Items");

            migrationBuilder.DropIndex(
                name: "IX_Annotations_ProjectId_RevisedAt",
                table: "Annotations");
        }
    }
}
