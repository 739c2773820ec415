using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ProgressScaleIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Annotations_Project_Item",
                table: "Annotations",
                columns: new[] { "ProjectId", "ItemId", "TenantId", "ExternalRaterId", "RepeatOf" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_Project_Time",
                table: "Annotations",
                columns: new[] { "TenantId", "ProjectId", "TimeOnTaskMs", "ExternalRaterId" },
                filter: "\"ExternalRaterId\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Annotations_Project_Item",
                table: "Annotations");

            migrationBuilder.DropIndex(
                name: "IX_Annotations_Project_Time",
                table: "Annotations");
        }
    }
}
