using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class FormatsReleaseTurns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AiModel",
                table: "ReleaseRows",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ResponseTurnsAJson",
                table: "ReleaseRows",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ResponseTurnsBJson",
                table: "ReleaseRows",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AiModel",
                table: "ReleaseRows");

            migrationBuilder.DropColumn(
                name: "ResponseTurnsAJson",
                table: "ReleaseRows");

            migrationBuilder.DropColumn(
                name: "ResponseTurnsBJson",
                table: "ReleaseRows");
        }
    }
}
