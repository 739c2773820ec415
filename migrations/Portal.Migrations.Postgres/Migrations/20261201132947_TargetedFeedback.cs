using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
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
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "RlthfRounds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    Strategy = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    BudgetRequested = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Budget = table.Column<int>(type: "integer", nullable: false),
                    Overlap = table.Column<int>(type: "integer", nullable: false),
                    AmplificationRatio = table.Column<double>(type: "double precision", nullable: false),
                    BackOffRatio = table.Column<double>(type: "double precision", nullable: false),
                    AutoFlip = table.Column<bool>(type: "boolean", nullable: false),
                    AutoUntilRound = table.Column<int>(type: "integer", nullable: true),
                    JobRunId = table.Column<Guid>(type: "uuid", nullable: true),
                    StartedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    PlannedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CompletedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Pairs = table.Column<int>(type: "integer", nullable: false),
                    Candidates = table.Column<int>(type: "integer", nullable: false),
                    HumanLabelsBefore = table.Column<int>(type: "integer", nullable: false),
                    Selected = table.Column<int>(type: "integer", nullable: false),
                    AutoFlipped = table.Column<int>(type: "integer", nullable: false),
                    KeptForTraining = table.Column<int>(type: "integer", nullable: false),
                    Knee = table.Column<int>(type: "integer", nullable: false),
                    Elbow = table.Column<int>(type: "integer", nullable: false),
                    Mirror = table.Column<int>(type: "integer", nullable: false),
                    ZeroCrossing = table.Column<int>(type: "integer", nullable: false),
                    CurveJson = table.Column<string>(type: "text", nullable: false),
                    RewardModelAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    Answered = table.Column<int>(type: "integer", nullable: false),
                    Overturned = table.Column<int>(type: "integer", nullable: false)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoundId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Trainer = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    TrainingPairs = table.Column<int>(type: "integer", nullable: false),
                    AiPairs = table.Column<int>(type: "integer", nullable: false),
                    HumanPairs = table.Column<int>(type: "integer", nullable: false),
                    AutoFlipPairs = table.Column<int>(type: "integer", nullable: false),
                    AccuracyOnHuman = table.Column<double>(type: "double precision", nullable: true),
                    HumanPairsEvaluated = table.Column<int>(type: "integer", nullable: false),
                    Artifact = table.Column<byte[]>(type: "bytea", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoundId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    Margin = table.Column<float>(type: "real", nullable: false),
                    Rank = table.Column<int>(type: "integer", nullable: false),
                    Role = table.Column<int>(type: "integer", nullable: false),
                    Label = table.Column<int>(type: "integer", nullable: false),
                    HumanChoice = table.Column<int>(type: "integer", nullable: true)
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
