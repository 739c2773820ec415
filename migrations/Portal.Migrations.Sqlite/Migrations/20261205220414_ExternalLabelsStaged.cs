using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ExternalLabelsStaged : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AnnotationId",
                table: "ImportStagedItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AnnotationKey",
                table: "ImportStagedItems",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RaterId",
                table: "ImportStagedItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ScoresJson",
                table: "ImportStagedItems",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AnnotationId",
                table: "ImportStagedItems");

            migrationBuilder.DropColumn(
                name: "AnnotationKey",
                table: "ImportStagedItems");

            migrationBuilder.DropColumn(
                name: "RaterId",
                table: "ImportStagedItems");

            migrationBuilder.DropColumn(
                name: "ScoresJson",
                table: "ImportStagedItems");
        }
    }
}
