using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TargetedFeedback : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Overlap",
                table: "Items",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "RlthfRounds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Strategy = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    BudgetRequested = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Budget = table.Column<int>(type: "INTEGER", nullable: false),
                    Overlap = table.Column<int>(type: "INTEGER", nullable: false),
                    AmplificationRatio = table.Column<double>(type: "REAL", nullable: false),
                    BackOffRatio = table.Column<double>(type: "REAL", nullable: false),
                    AutoFlip = table.Column<bool>(type: "INTEGER", nullable: false),
                    AutoUntilRound = table.Column<int>(type: "INTEGER", nullable: true),
                    JobRunId = table.Column<Guid>(type: "TEXT", nullable: true),
                    StartedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PlannedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Pairs = table.Column<int>(type: "INTEGER", nullable: false),
                    Candidates = table.Column<int>(type: "INTEGER", nullable: false),
                    HumanLabelsBefore = table.Column<int>(type: "INTEGER", nullable: false),
                    Selected = table.Column<int>(type: "INTEGER", nullable: false),
                    AutoFlipped = table.Column<int>(type: "INTEGER", nullable: false),
                    KeptForTraining = table.Column<int>(type: "INTEGER", nullable: false),
                    Knee = table.Column<int>(type: "INTEGER", nullable: false),
                    Elbow = table.Column<int>(type: "INTEGER", nullable: false),
                    Mirror = table.Column<int>(type: "INTEGER", nullable: false),
                    ZeroCrossing = table.Column<int>(type: "INTEGER", nullable: false),
                    CurveJson = table.Column<string>(type: "TEXT", nullable: false),
                    RewardModelAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    Answered = table.Column<int>(type: "INTEGER", nullable: false),
                    Overturned = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RlthfRounds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RlthfRounds_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RewardModels",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RoundId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Trainer = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    TrainingPairs = table.Column<int>(type: "INTEGER", nullable: false),
                    AiPairs = table.Column<int>(type: "INTEGER", nullable: false),
                    HumanPairs = table.Column<int>(type: "INTEGER", nullable: false),
                    AutoFlipPairs = table.Column<int>(type: "INTEGER", nullable: false),
                    AccuracyOnHuman = table.Column<double>(type: "REAL", nullable: true),
                    HumanPairsEvaluated = table.Column<int>(type: "INTEGER", nullable: false),
                    Artifact = table.Column<byte[]>(type: "BLOB", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RewardModels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RewardModels_RlthfRounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "RlthfRounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RlthfRoundItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RoundId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Margin = table.Column<float>(type: "REAL", nullable: false),
                    Rank = table.Column<int>(type: "INTEGER", nullable: false),
                    Role = table.Column<int>(type: "INTEGER", nullable: false),
                    Label = table.Column<int>(type: "INTEGER", nullable: false),
                    HumanChoice = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RlthfRoundItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RlthfRoundItems_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_RlthfRoundItems_RlthfRounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "RlthfRounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RewardModels_ProjectId_Version",
                table: "RewardModels",
                columns: new[] { "ProjectId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RewardModels_RoundId",
                table: "RewardModels",
                column: "RoundId");

            migrationBuilder.CreateIndex(
                name: "IX_RlthfRoundItems_ItemId",
                table: "RlthfRoundItems",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_RlthfRoundItems_RoundId_ItemId",
                table: "RlthfRoundItems",
                columns: new[] { "RoundId", "ItemId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RlthfRounds_ProjectId_Number",
                table: "RlthfRounds",
                columns: new[] { "ProjectId", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RewardModels");

            migrationBuilder.DropTable(
                name: "RlthfRoundItems");

            migrationBuilder.DropTable(
                name: "RlthfRounds");

            migrationBuilder.DropColumn(
                name: "Overlap",
                table: "Items");
        }
    }
}
