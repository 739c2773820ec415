using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class LabelsExternalRaters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<Guid>(
                name: "AssignmentId",
                table: "Annotations",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<Guid>(
                name: "ExternalRaterId",
                table: "Annotations",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ExternalRaters",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    Source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RaterKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExternalRaters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ExternalRaters_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ExternalRaterId",
                table: "Annotations",
                column: "ExternalRaterId");

            migrationBuilder.CreateIndex(
                name: "IX_ExternalRaters_ProjectId_Source_RaterKey",
                table: "ExternalRaters",
                columns: new[] { "ProjectId", "Source", "RaterKey" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_Annotations_ExternalRaters_ExternalRaterId",
                table: "Annotations",
                column: "ExternalRaterId",
                principalTable: "ExternalRaters",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Annotations_ExternalRaters_ExternalRaterId",
                table: "Annotations");

            migrationBuilder.DropTable(
                name: "ExternalRaters");

            migrationBuilder.DropIndex(
                name: "IX_Annotations_ExternalRaterId",
                table: "Annotations");

            migrationBuilder.DropColumn(
                name: "ExternalRaterId",
                table: "Annotations");

            migrationBuilder.AlterColumn<Guid>(
                name: "AssignmentId",
                table: "Annotations",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);
        }
    }
}
