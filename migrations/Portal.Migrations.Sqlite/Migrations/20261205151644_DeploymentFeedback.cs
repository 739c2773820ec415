using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DeploymentFeedback : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "FeedbackProjectId",
                table: "ApiTokens",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "FeedbackTenantId",
                table: "ApiTokens",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FeedbackEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EventId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Polarity = table.Column<int>(type: "INTEGER", nullable: false),
                    ModelVersion = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    OccurredAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    OccurredDay = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ConversationJson = table.Column<string>(type: "TEXT", nullable: true),
                    Response = table.Column<string>(type: "TEXT", nullable: true),
                    ResponseB = table.Column<string>(type: "TEXT", nullable: true),
                    EditedResponse = table.Column<string>(type: "TEXT", nullable: true),
                    ThumbUp = table.Column<bool>(type: "INTEGER", nullable: true),
                    Rating = table.Column<int>(type: "INTEGER", nullable: true),
                    Choice = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    ContentHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UniqueContentHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DuplicateOfId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PiiCounts = table.Column<string>(type: "TEXT", nullable: true),
                    PiiTotal = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FeedbackEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FeedbackEvents_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FeedbackSettings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PicksToItems = table.Column<bool>(type: "INTEGER", nullable: false),
                    EditsToItems = table.Column<bool>(type: "INTEGER", nullable: false),
                    RatingsToItems = table.Column<bool>(type: "INTEGER", nullable: false),
                    ThumbsToItems = table.Column<bool>(type: "INTEGER", nullable: false),
                    SamplingRate = table.Column<double>(type: "REAL", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FeedbackSettings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FeedbackSettings_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FeedbackEvents_ProjectId",
                table: "FeedbackEvents",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_FeedbackEvents_TenantId_ProjectId_EventId",
                table: "FeedbackEvents",
                columns: new[] { "TenantId", "ProjectId", "EventId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FeedbackEvents_TenantId_ProjectId_OccurredDay",
                table: "FeedbackEvents",
                columns: new[] { "TenantId", "ProjectId", "OccurredDay" });

            migrationBuilder.CreateIndex(
                name: "IX_FeedbackEvents_TenantId_ProjectId_UniqueContentHash",
                table: "FeedbackEvents",
                columns: new[] { "TenantId", "ProjectId", "UniqueContentHash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FeedbackSettings_ProjectId",
                table: "FeedbackSettings",
                column: "ProjectId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FeedbackEvents");

            migrationBuilder.DropTable(
                name: "FeedbackSettings");

            migrationBuilder.DropColumn(
                name: "FeedbackProjectId",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "FeedbackTenantId",
                table: "ApiTokens");
        }
    }
}
