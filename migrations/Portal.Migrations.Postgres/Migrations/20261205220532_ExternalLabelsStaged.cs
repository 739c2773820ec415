using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
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
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AnnotationKey",
                table: "ImportStagedItems",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RaterId",
                table: "ImportStagedItems",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ScoresJson",
                table: "ImportStagedItems",
                type: "text",
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
