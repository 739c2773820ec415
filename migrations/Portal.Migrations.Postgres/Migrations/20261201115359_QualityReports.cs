using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class QualityReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Assignments_ItemId_AnnotatorId",
                table: "Assignments");

            migrationBuilder.AddColumn<int>(
                name: "RepeatsServed",
                table: "ProjectAnnotators",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "RepeatOf",
                table: "Assignments",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RepeatOf",
                table: "Annotations",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CuratedLabels",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    Method = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Choice = table.Column<int>(type: "integer", nullable: true),
                    Strength = table.Column<double>(type: "double precision", nullable: true),
                    VotesJson = table.Column<string>(type: "text", nullable: true),
                    Confidence = table.Column<double>(type: "double precision", nullable: true),
                    ScoresJson = table.Column<string>(type: "text", nullable: true),
                    Ratings = table.Column<int>(type: "integer", nullable: false),
                    Agreement = table.Column<double>(type: "double precision", nullable: true),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CuratedLabels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CuratedLabels_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProjectMetrics",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    AnnotationCount = table.Column<int>(type: "integer", nullable: false),
                    LastAnnotationAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ReportJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectMetrics", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProjectMetrics_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_ItemId_AnnotatorId",
                table: "Assignments",
                columns: new[] { "ItemId", "AnnotatorId" },
                unique: true,
                filter: "\"Status\" IN (1, 2, 4) AND \"RepeatOf\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_RepeatOf",
                table: "Assignments",
                column: "RepeatOf",
                unique: true,
                filter: "\"Status\" IN (1, 2, 4) AND \"RepeatOf\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_CuratedLabels_ItemId",
                table: "CuratedLabels",
                column: "ItemId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CuratedLabels_ProjectId",
                table: "CuratedLabels",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_ProjectMetrics_ProjectId",
                table: "ProjectMetrics",
                column: "ProjectId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CuratedLabels");

            migrationBuilder.DropTable(
                name: "ProjectMetrics");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_ItemId_AnnotatorId",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_RepeatOf",
                table: "Assignments");

            migrationBuilder.DropColumn(
                name: "RepeatsServed",
                table: "ProjectAnnotators");

            migrationBuilder.DropColumn(
                name: "RepeatOf",
                table: "Assignments");

            migrationBuilder.DropColumn(
                name: "RepeatOf",
                table: "Annotations");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_ItemId_AnnotatorId",
                table: "Assignments",
                columns: new[] { "ItemId", "AnnotatorId" },
                unique: true,
                filter: "\"Status\" IN (1, 2, 4)");
        }
    }
}
