using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ItemsGridIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Items_ProjectId_IsGold_Priority",
                table: "Items");

            migrationBuilder.CreateIndex(
                name: "IX_Items_ProjectId",
                table: "Items",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_Items_TenantId_ProjectId_IsGold_Priority_CreatedAt_Id",
                table: "Items",
                columns: new[] { "TenantId", "ProjectId", "IsGold", "Priority", "CreatedAt", "Id" },
                descending: new[] { false, false, false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Items_TenantId_ProjectId_Priority_CreatedAt_Id",
                table: "Items",
                columns: new[] { "TenantId", "ProjectId", "Priority", "CreatedAt", "Id" },
                descending: new[] { false, false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ItemId_Rating",
                table: "Annotations",
                columns: new[] { "ItemId", "TenantId" },
                filter: "\"RepeatOf\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Items_ProjectId",
                table: "Items");

            migrationBuilder.DropIndex(
                name: "IX_Items_TenantId_ProjectId_IsGold_Priority_CreatedAt_Id",
                table: "Items");

            migrationBuilder.DropIndex(
                name: "IX_Items_TenantId_ProjectId_Priority_CreatedAt_Id",
                table: "Items");

            migrationBuilder.DropIndex(
                name: "IX_Annotations_ItemId_Rating",
                table: "Annotations");

            migrationBuilder.CreateIndex(
                name: "IX_Items_ProjectId_IsGold_Priority",
                table: "Items",
                columns: new[] { "ProjectId", "IsGold", "Priority" });
        }
    }
}
