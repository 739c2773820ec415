using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PagesScaleIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Annotations_ItemId_Rating",
                table: "Annotations");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Project_Flagged",
                table: "Assignments",
                columns: new[] { "TenantId", "ProjectId", "Flags" },
                filter: "\"Flags\" <> 0");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Project_Status",
                table: "Assignments",
                columns: new[] { "TenantId", "ProjectId", "Status", "AnnotatorId" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ItemId_Rating",
                table: "Annotations",
                columns: new[] { "ItemId", "TenantId", "ExternalRaterId" },
                filter: "\"RepeatOf\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_Project_Annotator",
                table: "Annotations",
                columns: new[] { "TenantId", "ProjectId", "AnnotatorId", "TimeOnTaskMs", "ExternalRaterId" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_Project_Created",
                table: "Annotations",
                columns: new[] { "TenantId", "ProjectId", "CreatedAt", "AnnotatorId", "ExternalRaterId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Assignments_Project_Flagged",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_Project_Status",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Annotations_ItemId_Rating",
                table: "Annotations");

            migrationBuilder.DropIndex(
                name: "IX_Annotations_Project_Annotator",
                table: "Annotations");

            migrationBuilder.DropIndex(
                name: "IX_Annotations_Project_Created",
                table: "Annotations");

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ItemId_Rating",
                table: "Annotations",
                columns: new[] { "ItemId", "TenantId" },
                filter: "\"RepeatOf\" IS NULL");
        }
    }
}
