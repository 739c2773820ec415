using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RedTeamRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RedTeamRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    CategoriesJson = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    TopicsJson = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    AttacksPerCategory = table.Column<int>(type: "integer", nullable: false),
                    HarmThreshold = table.Column<int>(type: "integer", nullable: false),
                    EndpointsJson = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    AttackerPrompt = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    JudgePrompt = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    RewriterPrompt = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    UsageJson = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Attempted = table.Column<int>(type: "integer", nullable: false),
                    Harmful = table.Column<int>(type: "integer", nullable: false),
                    Failed = table.Column<int>(type: "integer", nullable: false),
                    StopRequestedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    JobRunId = table.Column<Guid>(type: "uuid", nullable: true),
                    StartedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RedTeamRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RedTeamRuns_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RedTeamAttacks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    RunId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Category = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Topic = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Prompt = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: true),
                    Answer = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: true),
                    HarmScore = table.Column<int>(type: "integer", nullable: true),
                    JudgedCategory = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    JudgeReason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Harmful = table.Column<bool>(type: "boolean", nullable: false),
                    Rewrite = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: true),
                    FailedRole = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: true),
                    SentToHumansAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RedTeamAttacks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RedTeamAttacks_RedTeamRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "RedTeamRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RedTeamAttacks_ItemId",
                table: "RedTeamAttacks",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_RedTeamAttacks_RunId_Number",
                table: "RedTeamAttacks",
                columns: new[] { "RunId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RedTeamRuns_ProjectId_CreatedAt",
                table: "RedTeamRuns",
                columns: new[] { "ProjectId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RedTeamAttacks");

            migrationBuilder.DropTable(
                name: "RedTeamRuns");
        }
    }
}
