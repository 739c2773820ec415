using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AnnotationLoop : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Items_ProjectId_Priority",
                table: "Items");

            migrationBuilder.AddColumn<string>(
                name: "Settings",
                table: "Projects",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Claimed",
                table: "Items",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Gold",
                table: "Items",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IsGold",
                table: "Items",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "DraftJson",
                table: "Assignments",
                type: "character varying(65536)",
                maxLength: 65536,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Flags",
                table: "Assignments",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "LeftIsA",
                table: "Assignments",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "SkipReason",
                table: "Assignments",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Annotations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    AssignmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uuid", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Scores = table.Column<string>(type: "text", nullable: true),
                    ScoresB = table.Column<string>(type: "text", nullable: true),
                    Choice = table.Column<int>(type: "integer", nullable: true),
                    Strength = table.Column<int>(type: "integer", nullable: true),
                    AttributeChoices = table.Column<string>(type: "text", nullable: true),
                    Rationale = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    Comment = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    LeftIsA = table.Column<bool>(type: "boolean", nullable: false),
                    TimeOnTaskMs = table.Column<int>(type: "integer", nullable: false),
                    GuidelineVersion = table.Column<int>(type: "integer", nullable: true),
                    GoldCorrect = table.Column<bool>(type: "boolean", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Annotations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Annotations_Assignments_AssignmentId",
                        column: x => x.AssignmentId,
                        principalTable: "Assignments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProjectAnnotators",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uuid", nullable: false),
                    TasksServed = table.Column<int>(type: "integer", nullable: false),
                    GoldServed = table.Column<int>(type: "integer", nullable: false),
                    GoldAnswered = table.Column<int>(type: "integer", nullable: false),
                    GoldCorrect = table.Column<int>(type: "integer", nullable: false),
                    PausedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PauseReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    PausedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    GoldAnsweredAtReinstate = table.Column<int>(type: "integer", nullable: false),
                    GoldCorrectAtReinstate = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectAnnotators", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProjectAnnotators_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProjectNotices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    Message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    DismissedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectNotices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProjectNotices_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Items_ProjectId_IsGold_Priority",
                table: "Items",
                columns: new[] { "ProjectId", "IsGold", "Priority" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_ItemId_AnnotatorId",
                table: "Assignments",
                columns: new[] { "ItemId", "AnnotatorId" },
                unique: true,
                filter: "\"Status\" IN (1, 2, 4)");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_ProjectId_AnnotatorId_Status",
                table: "Assignments",
                columns: new[] { "ProjectId", "AnnotatorId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_AssignmentId",
                table: "Annotations",
                column: "AssignmentId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ItemId_AnnotatorId",
                table: "Annotations",
                columns: new[] { "ItemId", "AnnotatorId" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ProjectId_CreatedAt",
                table: "Annotations",
                columns: new[] { "ProjectId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ProjectAnnotators_ProjectId_AnnotatorId",
                table: "ProjectAnnotators",
                columns: new[] { "ProjectId", "AnnotatorId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProjectNotices_ProjectId_CreatedAt",
                table: "ProjectNotices",
                columns: new[] { "ProjectId", "CreatedAt" });

            // Leases taken before this migration hold a claim on their item too.
            migrationBuilder.Sql("UPDATE \"Items\" SET \"Claimed\" = (SELECT COUNT(*) FROM \"Assignments\" a WHERE a.\"ItemId\" = \"Items\".\"Id\" AND a.\"Status\" IN (1, 2))");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Annotations");

            migrationBuilder.DropTable(
                name: "ProjectAnnotators");

            migrationBuilder.DropTable(
                name: "ProjectNotices");

            migrationBuilder.DropIndex(
                name: "IX_Items_ProjectId_IsGold_Priority",
                table: "Items");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_ItemId_AnnotatorId",
                table: "Assignments");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_ProjectId_AnnotatorId_Status",
                table: "Assignments");

            migrationBuilder.DropColumn(
                name: "Settings",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "Claimed",
                table: "Items");

            migrationBuilder.DropColumn(
                name: "Gold",
                table: "Items");

            migrationBuilder.DropColumn(
                name: "IsGold",
                table: "Items");

            migrationBuilder.DropColumn(
                name: "DraftJson",
                table: "Assignments");

            migrationBuilder.DropColumn(
                name: "Flags",
                table: "Assignments");

            migrationBuilder.DropColumn(
                name: "LeftIsA",
                table: "Assignments");

            migrationBuilder.DropColumn(
                name: "SkipReason",
                table: "Assignments");

            migrationBuilder.CreateIndex(
                name: "IX_Items_ProjectId_Priority",
                table: "Items",
                columns: new[] { "ProjectId", "Priority" });
        }
    }
}
