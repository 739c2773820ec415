using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Releases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Releases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    FiltersJson = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Pairwise = table.Column<bool>(type: "INTEGER", nullable: false),
                    Items = table.Column<int>(type: "INTEGER", nullable: false),
                    Ties = table.Column<int>(type: "INTEGER", nullable: false),
                    BothBad = table.Column<int>(type: "INTEGER", nullable: false),
                    Ratings = table.Column<int>(type: "INTEGER", nullable: false),
                    Annotators = table.Column<int>(type: "INTEGER", nullable: false),
                    StatsJson = table.Column<string>(type: "TEXT", nullable: false),
                    SnapshotSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    FilesJson = table.Column<string>(type: "TEXT", nullable: false),
                    PreviousReleaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DiffJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedByUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    JobRunId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Releases", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Releases_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DownloadLogs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReleaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Format = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Via = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Gzip = table.Column<bool>(type: "INTEGER", nullable: false),
                    RangeStart = table.Column<long>(type: "INTEGER", nullable: true),
                    Bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DownloadLogs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DownloadLogs_Releases_ReleaseId",
                        column: x => x.ReleaseId,
                        principalTable: "Releases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReleaseGrants",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReleaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    GrantedByUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    GrantedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RevokedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReleaseGrants", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReleaseGrants_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ReleaseGrants_Releases_ReleaseId",
                        column: x => x.ReleaseId,
                        principalTable: "Releases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReleaseRows",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReleaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ExternalId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ConversationJson = table.Column<string>(type: "TEXT", nullable: false),
                    ResponseA = table.Column<string>(type: "TEXT", nullable: false),
                    ResponseB = table.Column<string>(type: "TEXT", nullable: true),
                    MetadataJson = table.Column<string>(type: "TEXT", nullable: true),
                    Choice = table.Column<int>(type: "INTEGER", nullable: true),
                    LabelSource = table.Column<int>(type: "INTEGER", nullable: false),
                    Strength = table.Column<double>(type: "REAL", nullable: true),
                    Ratings = table.Column<int>(type: "INTEGER", nullable: false),
                    Agreement = table.Column<double>(type: "REAL", nullable: true),
                    Aggregation = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    GuidelineVersion = table.Column<int>(type: "INTEGER", nullable: true),
                    ALeft = table.Column<int>(type: "INTEGER", nullable: false),
                    BLeft = table.Column<int>(type: "INTEGER", nullable: false),
                    AnnotatorsJson = table.Column<string>(type: "TEXT", nullable: false),
                    ScoresJson = table.Column<string>(type: "TEXT", nullable: true),
                    RatingsJson = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReleaseRows", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReleaseRows_Releases_ReleaseId",
                        column: x => x.ReleaseId,
                        principalTable: "Releases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DownloadLogs_ReleaseId_At",
                table: "DownloadLogs",
                columns: new[] { "ReleaseId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ReleaseGrants_ReleaseId_UserId",
                table: "ReleaseGrants",
                columns: new[] { "ReleaseId", "UserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReleaseGrants_TenantId_UserId",
                table: "ReleaseGrants",
                columns: new[] { "TenantId", "UserId" });

            migrationBuilder.CreateIndex(
                name: "IX_ReleaseGrants_UserId",
                table: "ReleaseGrants",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_ReleaseRows_ReleaseId_Ordinal",
                table: "ReleaseRows",
                columns: new[] { "ReleaseId", "Ordinal" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Releases_ProjectId_CreatedAt",
                table: "Releases",
                columns: new[] { "ProjectId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Releases_TenantId_ProjectId_Name",
                table: "Releases",
                columns: new[] { "TenantId", "ProjectId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DownloadLogs");

            migrationBuilder.DropTable(
                name: "ReleaseGrants");

            migrationBuilder.DropTable(
                name: "ReleaseRows");

            migrationBuilder.DropTable(
                name: "Releases");
        }
    }
}
