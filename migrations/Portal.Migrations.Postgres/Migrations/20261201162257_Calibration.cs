using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Calibration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CalibrationRounds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    GuidelineVersion = table.Column<int>(type: "integer", nullable: true),
                    OpenedByUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    OpenedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ClosedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CalibrationRounds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CalibrationRounds_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CalibrationAnswers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoundId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Choice = table.Column<int>(type: "integer", nullable: true),
                    Scores = table.Column<string>(type: "text", nullable: true),
                    Rationale = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CalibrationAnswers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CalibrationAnswers_CalibrationRounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "CalibrationRounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CalibrationParticipants",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoundId = table.Column<Guid>(type: "uuid", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CalibrationParticipants", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CalibrationParticipants_CalibrationRounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "CalibrationRounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CalibrationRoundItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    RoundId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Explanation = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    PromotedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CalibrationRoundItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CalibrationRoundItems_CalibrationRounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "CalibrationRounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CalibrationRoundItems_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CalibrationAnswers_AnnotatorId_ItemId",
                table: "CalibrationAnswers",
                columns: new[] { "AnnotatorId", "ItemId" });

            migrationBuilder.CreateIndex(
                name: "IX_CalibrationAnswers_RoundId_ItemId_AnnotatorId",
                table: "CalibrationAnswers",
                columns: new[] { "RoundId", "ItemId", "AnnotatorId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CalibrationParticipants_AnnotatorId",
                table: "CalibrationParticipants",
                column: "AnnotatorId");

            migrationBuilder.CreateIndex(
                name: "IX_CalibrationParticipants_RoundId_AnnotatorId",
                table: "CalibrationParticipants",
                columns: new[] { "RoundId", "AnnotatorId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CalibrationRoundItems_ItemId",
                table: "CalibrationRoundItems",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_CalibrationRoundItems_RoundId_ItemId",
                table: "CalibrationRoundItems",
                columns: new[] { "RoundId", "ItemId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CalibrationRounds_ProjectId_Number",
                table: "CalibrationRounds",
                columns: new[] { "ProjectId", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CalibrationAnswers");

            migrationBuilder.DropTable(
                name: "CalibrationParticipants");

            migrationBuilder.DropTable(
                name: "CalibrationRoundItems");

            migrationBuilder.DropTable(
                name: "CalibrationRounds");
        }
    }
}
