using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class SqlServerInitial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AspNetRoles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    NormalizedName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUsers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    DisplayName = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    IsPlatformAdmin = table.Column<bool>(type: "bit", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UserName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    NormalizedUserName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    Email = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    NormalizedEmail = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    EmailConfirmed = table.Column<bool>(type: "bit", nullable: false),
                    PasswordHash = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    SecurityStamp = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    PhoneNumber = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    PhoneNumberConfirmed = table.Column<bool>(type: "bit", nullable: false),
                    TwoFactorEnabled = table.Column<bool>(type: "bit", nullable: false),
                    LockoutEnd = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    LockoutEnabled = table.Column<bool>(type: "bit", nullable: false),
                    AccessFailedCount = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUsers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DataProtectionKey",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    FriendlyName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Xml = table.Column<string>(type: "nvarchar(max)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKey", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ImportStagedItems",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ImportId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ExternalId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    ConversationJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ResponseA = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ResponseB = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ResponseTurnsAJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ResponseTurnsBJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    MetadataJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Category = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    LabelId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    LabelChoice = table.Column<int>(type: "int", nullable: true),
                    LabelModel = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    RaterId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    AnnotationId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    AnnotationKey = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    ScoresJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    StagedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportStagedItems", x => x.Seq);
                });

            migrationBuilder.CreateTable(
                name: "JobRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    JobName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    Progress = table.Column<int>(type: "int", nullable: false),
                    Message = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    Error = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Node = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    QueuedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    EndedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    RequestedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_JobRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Organisations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Organisations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoleClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    RoleId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ClaimType = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ClaimValue = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoleClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetRoleClaims_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ApiTokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    TokenHash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    DisplayPrefix = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    LastUsedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    RevokedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    FeedbackProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    FeedbackTenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApiTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ClaimType = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ClaimValue = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetUserClaims_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserLogins",
                columns: table => new
                {
                    LoginProvider = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    ProviderKey = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    ProviderDisplayName = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserLogins", x => new { x.LoginProvider, x.ProviderKey });
                    table.ForeignKey(
                        name: "FK_AspNetUserLogins_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserRoles",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RoleId = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserRoles", x => new { x.UserId, x.RoleId });
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserTokens",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    LoginProvider = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    Name = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    Value = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
                    table.ForeignKey(
                        name: "FK_AspNetUserTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Invites",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TokenHash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Roles = table.Column<int>(type: "int", nullable: false),
                    Note = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    CreatedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UsedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    UsedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    RevokedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Invites", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Invites_Organisations_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Memberships",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Roles = table.Column<int>(type: "int", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Memberships", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Memberships_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Memberships_Organisations_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Projects",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false),
                    Kind = table.Column<int>(type: "int", nullable: false),
                    Overlap = table.Column<int>(type: "int", nullable: false),
                    LeaseMinutes = table.Column<int>(type: "int", nullable: false),
                    Settings = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    PausedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    ArchivedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    ChosenAnnotatorsOnly = table.Column<bool>(type: "bit", nullable: false),
                    CategoryPrompt = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Projects", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Projects_Organisations_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AttributeSetVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    Attributes = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AttributeSetVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AttributeSetVersions_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CalibrationRounds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Number = table.Column<int>(type: "int", nullable: false),
                    Title = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    GuidelineVersion = table.Column<int>(type: "int", nullable: true),
                    OpenedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    OpenedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ClosedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
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
                name: "ExternalRaters",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Source = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    RaterKey = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExternalRaters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ExternalRaters_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FeedbackEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    EventId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Kind = table.Column<int>(type: "int", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    Polarity = table.Column<int>(type: "int", nullable: false),
                    ModelVersion = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Category = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    OccurredAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    OccurredDay = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ConversationJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Response = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ResponseB = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    EditedResponse = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ThumbUp = table.Column<bool>(type: "bit", nullable: true),
                    Rating = table.Column<int>(type: "int", nullable: true),
                    Choice = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    ContentHash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    UniqueContentHash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    DuplicateOfId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    PiiCounts = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    PiiTotal = table.Column<int>(type: "int", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: true)
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
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    PicksToItems = table.Column<bool>(type: "bit", nullable: false),
                    EditsToItems = table.Column<bool>(type: "bit", nullable: false),
                    RatingsToItems = table.Column<bool>(type: "bit", nullable: false),
                    ThumbsToItems = table.Column<bool>(type: "bit", nullable: false),
                    SamplingRate = table.Column<double>(type: "float", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "GuidelineAcknowledgements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    AcknowledgedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GuidelineAcknowledgements", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GuidelineAcknowledgements_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "GuidelineVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    Markdown = table.Column<string>(type: "nvarchar(max)", maxLength: 200000, nullable: false),
                    ChangeNote = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: false),
                    Change = table.Column<int>(type: "int", nullable: false),
                    PublishedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    PublishedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GuidelineVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GuidelineVersions_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Items",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ExternalId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    ConversationJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ResponseA = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ResponseB = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ResponseTurnsAJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ResponseTurnsBJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    MetadataJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Priority = table.Column<int>(type: "int", nullable: false),
                    Claimed = table.Column<int>(type: "int", nullable: false),
                    IsGold = table.Column<bool>(type: "bit", nullable: false),
                    Overlap = table.Column<int>(type: "int", nullable: true),
                    Category = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    Gold = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Items", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Items_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LlmLabelerSettings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    BaseUrl = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    Model = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    ApiKeyProtected = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    PromptTemplate = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: false),
                    PromptVersion = table.Column<int>(type: "int", nullable: false),
                    MaxRequestsPerMinute = table.Column<int>(type: "int", nullable: false),
                    MaxRetries = table.Column<int>(type: "int", nullable: false),
                    TimeoutSeconds = table.Column<int>(type: "int", nullable: false),
                    Temperature = table.Column<double>(type: "float", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LlmLabelerSettings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LlmLabelerSettings_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProjectAnnotators",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TasksServed = table.Column<int>(type: "int", nullable: false),
                    GoldServed = table.Column<int>(type: "int", nullable: false),
                    RepeatsServed = table.Column<int>(type: "int", nullable: false),
                    GoldAnswered = table.Column<int>(type: "int", nullable: false),
                    GoldCorrect = table.Column<int>(type: "int", nullable: false),
                    PausedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    PauseReason = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    PausedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    GoldAnsweredAtReinstate = table.Column<int>(type: "int", nullable: false),
                    GoldCorrectAtReinstate = table.Column<int>(type: "int", nullable: false),
                    Chosen = table.Column<bool>(type: "bit", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
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
                name: "ProjectCategories",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Route = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectCategories", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProjectCategories_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProjectMetrics",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    AnnotationCount = table.Column<int>(type: "int", nullable: false),
                    LastAnnotationAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    ReportJson = table.Column<string>(type: "nvarchar(max)", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "ProjectNotices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Message = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    DismissedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
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

            migrationBuilder.CreateTable(
                name: "QualificationAttempts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    GuidelineVersion = table.Column<int>(type: "int", nullable: true),
                    Correct = table.Column<int>(type: "int", nullable: false),
                    Total = table.Column<int>(type: "int", nullable: false),
                    PassMark = table.Column<double>(type: "float", nullable: false),
                    Passed = table.Column<bool>(type: "bit", nullable: false),
                    AnswersJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    VoidedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualificationAttempts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualificationAttempts_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QualificationTests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemIds = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    PassMark = table.Column<double>(type: "float", nullable: false),
                    MaxAttempts = table.Column<int>(type: "int", nullable: false),
                    CooldownMinutes = table.Column<int>(type: "int", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualificationTests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualificationTests_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QualityStates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Watermark = table.Column<DateTime>(type: "datetime2", nullable: false),
                    AttributeVersion = table.Column<int>(type: "int", nullable: false),
                    Fingerprint = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    AnnotationCount = table.Column<int>(type: "int", nullable: false),
                    StateJson = table.Column<string>(type: "nvarchar(max)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualityStates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualityStates_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RedTeamRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    CategoriesJson = table.Column<string>(type: "nvarchar(max)", maxLength: 8000, nullable: false),
                    TopicsJson = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: false),
                    AttacksPerCategory = table.Column<int>(type: "int", nullable: false),
                    HarmThreshold = table.Column<int>(type: "int", nullable: false),
                    EndpointsJson = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: false),
                    AttackerPrompt = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: false),
                    JudgePrompt = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: false),
                    RewriterPrompt = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: false),
                    UsageJson = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false),
                    Attempted = table.Column<int>(type: "int", nullable: false),
                    Harmful = table.Column<int>(type: "int", nullable: false),
                    Failed = table.Column<int>(type: "int", nullable: false),
                    StopRequestedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    Error = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    JobRunId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    StartedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    EndedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
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
                name: "Releases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    FiltersJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    Pairwise = table.Column<bool>(type: "bit", nullable: false),
                    Items = table.Column<int>(type: "int", nullable: false),
                    Ties = table.Column<int>(type: "int", nullable: false),
                    BothBad = table.Column<int>(type: "int", nullable: false),
                    Ratings = table.Column<int>(type: "int", nullable: false),
                    Annotators = table.Column<int>(type: "int", nullable: false),
                    StatsJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    SnapshotSha256 = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    FilesJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    PreviousReleaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    DiffJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    CreatedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    JobRunId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    Error = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true)
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
                name: "RlthfRounds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Number = table.Column<int>(type: "int", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    Strategy = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    BudgetRequested = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    Budget = table.Column<int>(type: "int", nullable: false),
                    Overlap = table.Column<int>(type: "int", nullable: false),
                    AmplificationRatio = table.Column<double>(type: "float", nullable: false),
                    BackOffRatio = table.Column<double>(type: "float", nullable: false),
                    AutoFlip = table.Column<bool>(type: "bit", nullable: false),
                    AutoUntilRound = table.Column<int>(type: "int", nullable: true),
                    JobRunId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    StartedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    PlannedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    CompletedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    Error = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    Pairs = table.Column<int>(type: "int", nullable: false),
                    Candidates = table.Column<int>(type: "int", nullable: false),
                    HumanLabelsBefore = table.Column<int>(type: "int", nullable: false),
                    Selected = table.Column<int>(type: "int", nullable: false),
                    AutoFlipped = table.Column<int>(type: "int", nullable: false),
                    KeptForTraining = table.Column<int>(type: "int", nullable: false),
                    Knee = table.Column<int>(type: "int", nullable: false),
                    Elbow = table.Column<int>(type: "int", nullable: false),
                    Mirror = table.Column<int>(type: "int", nullable: false),
                    ZeroCrossing = table.Column<int>(type: "int", nullable: false),
                    CurveJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    RewardModelAccuracy = table.Column<double>(type: "float", nullable: true),
                    Answered = table.Column<int>(type: "int", nullable: false),
                    Overturned = table.Column<int>(type: "int", nullable: false)
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
                name: "CalibrationAnswers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RoundId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Choice = table.Column<int>(type: "int", nullable: true),
                    Scores = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Rationale = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
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
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RoundId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
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
                name: "AiLabelErrors",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Model = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    PromptVersion = table.Column<int>(type: "int", nullable: false),
                    Answer = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: true),
                    Error = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AiLabelErrors", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AiLabelErrors_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AiLabels",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Choice = table.Column<int>(type: "int", nullable: false),
                    Confidence = table.Column<double>(type: "float", nullable: true),
                    Model = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Rationale = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: true),
                    Origin = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    PromptVersion = table.Column<int>(type: "int", nullable: true),
                    CheckJson = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AiLabels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AiLabels_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Assignments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    LeasedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    LeaseExpiresAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ClosedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    LeftIsA = table.Column<bool>(type: "bit", nullable: false),
                    DraftJson = table.Column<string>(type: "nvarchar(max)", maxLength: 65536, nullable: true),
                    SkipReason = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    Flags = table.Column<int>(type: "int", nullable: false),
                    RepeatOf = table.Column<Guid>(type: "uniqueidentifier", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Assignments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Assignments_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CalibrationRoundItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RoundId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Position = table.Column<int>(type: "int", nullable: false),
                    Explanation = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: false),
                    PromotedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
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
                        principalColumn: "Id");
                });

            migrationBuilder.CreateTable(
                name: "CuratedLabels",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Method = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    Choice = table.Column<int>(type: "int", nullable: true),
                    Strength = table.Column<double>(type: "float", nullable: true),
                    VotesJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Confidence = table.Column<double>(type: "float", nullable: true),
                    ScoresJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Ratings = table.Column<int>(type: "int", nullable: false),
                    Agreement = table.Column<double>(type: "float", nullable: true),
                    ComputedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
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
                name: "QualityItemSnapshots",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RowsJson = table.Column<string>(type: "nvarchar(max)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualityItemSnapshots", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualityItemSnapshots_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RedTeamAttacks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RunId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Number = table.Column<int>(type: "int", nullable: false),
                    Category = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Topic = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    Prompt = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: true),
                    Answer = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: true),
                    HarmScore = table.Column<int>(type: "int", nullable: true),
                    JudgedCategory = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    JudgeReason = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Harmful = table.Column<bool>(type: "bit", nullable: false),
                    Rewrite = table.Column<string>(type: "nvarchar(max)", maxLength: 20000, nullable: true),
                    FailedRole = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: true),
                    Error = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    SentToHumansAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "DownloadLogs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ReleaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    Format = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    Via = table.Column<string>(type: "nvarchar(10)", maxLength: 10, nullable: false),
                    Gzip = table.Column<bool>(type: "bit", nullable: false),
                    RangeStart = table.Column<long>(type: "bigint", nullable: true),
                    Bytes = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false)
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
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ReleaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    GrantedByUserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    GrantedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    RevokedAt = table.Column<DateTime>(type: "datetime2", nullable: true)
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
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ReleaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Ordinal = table.Column<int>(type: "int", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ExternalId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    ConversationJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ResponseA = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ResponseB = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    MetadataJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ResponseTurnsAJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ResponseTurnsBJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    AiModel = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    Choice = table.Column<int>(type: "int", nullable: true),
                    LabelSource = table.Column<int>(type: "int", nullable: false),
                    Strength = table.Column<double>(type: "float", nullable: true),
                    Ratings = table.Column<int>(type: "int", nullable: false),
                    Agreement = table.Column<double>(type: "float", nullable: true),
                    Aggregation = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: true),
                    GuidelineVersion = table.Column<int>(type: "int", nullable: true),
                    ALeft = table.Column<int>(type: "int", nullable: false),
                    BLeft = table.Column<int>(type: "int", nullable: false),
                    AnnotatorsJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ScoresJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    RatingsJson = table.Column<string>(type: "nvarchar(max)", nullable: true)
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

            migrationBuilder.CreateTable(
                name: "RewardModels",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RoundId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    Trainer = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    TrainingPairs = table.Column<int>(type: "int", nullable: false),
                    AiPairs = table.Column<int>(type: "int", nullable: false),
                    HumanPairs = table.Column<int>(type: "int", nullable: false),
                    AutoFlipPairs = table.Column<int>(type: "int", nullable: false),
                    AccuracyOnHuman = table.Column<double>(type: "float", nullable: true),
                    HumanPairsEvaluated = table.Column<int>(type: "int", nullable: false),
                    Artifact = table.Column<byte[]>(type: "varbinary(max)", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
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
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RoundId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Margin = table.Column<float>(type: "real", nullable: false),
                    Rank = table.Column<int>(type: "int", nullable: false),
                    Role = table.Column<int>(type: "int", nullable: false),
                    Label = table.Column<int>(type: "int", nullable: false),
                    HumanChoice = table.Column<int>(type: "int", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RlthfRoundItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RlthfRoundItems_Items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "Items",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_RlthfRoundItems_RlthfRounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "RlthfRounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Annotations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ItemId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AssignmentId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ExternalRaterId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    IdempotencyKey = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Scores = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ScoresB = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Choice = table.Column<int>(type: "int", nullable: true),
                    Strength = table.Column<int>(type: "int", nullable: true),
                    AttributeChoices = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Rationale = table.Column<string>(type: "nvarchar(max)", maxLength: 10000, nullable: true),
                    Comment = table.Column<string>(type: "nvarchar(max)", maxLength: 10000, nullable: true),
                    LeftIsA = table.Column<bool>(type: "bit", nullable: false),
                    TimeOnTaskMs = table.Column<int>(type: "int", nullable: false),
                    GuidelineVersion = table.Column<int>(type: "int", nullable: true),
                    AttributeVersion = table.Column<int>(type: "int", nullable: true),
                    GoldCorrect = table.Column<bool>(type: "bit", nullable: true),
                    RepeatOf = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    RevisedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    Revisions = table.Column<int>(type: "int", nullable: false)
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
                    table.ForeignKey(
                        name: "FK_Annotations_ExternalRaters_ExternalRaterId",
                        column: x => x.ExternalRaterId,
                        principalTable: "ExternalRaters",
                        principalColumn: "Id");
                });

            migrationBuilder.CreateTable(
                name: "AnnotationRevisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AnnotationId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    AnnotatorId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    PreviousJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    RevisedAt = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnnotationRevisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AnnotationRevisions_Annotations_AnnotationId",
                        column: x => x.AnnotationId,
                        principalTable: "Annotations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AiLabelErrors_ItemId",
                table: "AiLabelErrors",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_AiLabelErrors_ProjectId_CreatedAt",
                table: "AiLabelErrors",
                columns: new[] { "ProjectId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AiLabels_ItemId",
                table: "AiLabels",
                column: "ItemId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AiLabels_ProjectId",
                table: "AiLabels",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_AnnotationRevisions_AnnotationId_IdempotencyKey",
                table: "AnnotationRevisions",
                columns: new[] { "AnnotationId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_AssignmentId",
                table: "Annotations",
                column: "AssignmentId",
                unique: true,
                filter: "[AssignmentId] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ExternalRaterId",
                table: "Annotations",
                column: "ExternalRaterId");

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ItemId_AnnotatorId",
                table: "Annotations",
                columns: new[] { "ItemId", "AnnotatorId" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ItemId_Rating",
                table: "Annotations",
                columns: new[] { "ItemId", "TenantId", "ExternalRaterId" },
                filter: "[RepeatOf] IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_Project_Annotator",
                table: "Annotations",
                columns: new[] { "TenantId", "ProjectId", "AnnotatorId", "TimeOnTaskMs", "ExternalRaterId" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_Project_Created",
                table: "Annotations",
                columns: new[] { "TenantId", "ProjectId", "CreatedAt", "AnnotatorId", "ExternalRaterId" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_Project_Item",
                table: "Annotations",
                columns: new[] { "ProjectId", "ItemId", "TenantId", "ExternalRaterId", "RepeatOf" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_Project_Time",
                table: "Annotations",
                columns: new[] { "TenantId", "ProjectId", "TimeOnTaskMs", "ExternalRaterId" },
                filter: "[ExternalRaterId] IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ProjectId_CreatedAt",
                table: "Annotations",
                columns: new[] { "ProjectId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ProjectId_RevisedAt",
                table: "Annotations",
                columns: new[] { "ProjectId", "RevisedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_TokenHash",
                table: "ApiTokens",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_UserId",
                table: "ApiTokens",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetRoleClaims_RoleId",
                table: "AspNetRoleClaims",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "AspNetRoles",
                column: "NormalizedName",
                unique: true,
                filter: "[NormalizedName] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserClaims_UserId",
                table: "AspNetUserClaims",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserLogins_UserId",
                table: "AspNetUserLogins",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserRoles_RoleId",
                table: "AspNetUserRoles",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "AspNetUsers",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "AspNetUsers",
                column: "NormalizedUserName",
                unique: true,
                filter: "[NormalizedUserName] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_ItemId_AnnotatorId",
                table: "Assignments",
                columns: new[] { "ItemId", "AnnotatorId" },
                unique: true,
                filter: "[Status] IN (1, 2, 4) AND [RepeatOf] IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_ItemId_Status",
                table: "Assignments",
                columns: new[] { "ItemId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Project_Flagged",
                table: "Assignments",
                columns: new[] { "TenantId", "ProjectId", "Flags" },
                filter: "[Flags] <> 0");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Project_Status",
                table: "Assignments",
                columns: new[] { "TenantId", "ProjectId", "Status", "AnnotatorId" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_ProjectId_AnnotatorId_Status",
                table: "Assignments",
                columns: new[] { "ProjectId", "AnnotatorId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_RepeatOf",
                table: "Assignments",
                column: "RepeatOf",
                unique: true,
                filter: "[Status] IN (1, 2, 4) AND [RepeatOf] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_Status_LeaseExpiresAt",
                table: "Assignments",
                columns: new[] { "Status", "LeaseExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_TenantId_AnnotatorId",
                table: "Assignments",
                columns: new[] { "TenantId", "AnnotatorId" });

            migrationBuilder.CreateIndex(
                name: "IX_AttributeSetVersions_ProjectId_Version",
                table: "AttributeSetVersions",
                columns: new[] { "ProjectId", "Version" },
                unique: true);

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
                name: "IX_DownloadLogs_ReleaseId_At",
                table: "DownloadLogs",
                columns: new[] { "ReleaseId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ExternalRaters_ProjectId_Source_RaterKey",
                table: "ExternalRaters",
                columns: new[] { "ProjectId", "Source", "RaterKey" },
                unique: true);

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
                unique: true,
                filter: "[UniqueContentHash] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_FeedbackSettings_ProjectId",
                table: "FeedbackSettings",
                column: "ProjectId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GuidelineAcknowledgements_ProjectId_AnnotatorId_Version",
                table: "GuidelineAcknowledgements",
                columns: new[] { "ProjectId", "AnnotatorId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GuidelineVersions_ProjectId_Version",
                table: "GuidelineVersions",
                columns: new[] { "ProjectId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ImportStagedItems_ImportId_ExternalId_Seq",
                table: "ImportStagedItems",
                columns: new[] { "ImportId", "ExternalId", "Seq" });

            migrationBuilder.CreateIndex(
                name: "IX_ImportStagedItems_ProjectId_StagedAt",
                table: "ImportStagedItems",
                columns: new[] { "ProjectId", "StagedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Invites_TenantId",
                table: "Invites",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_Invites_TokenHash",
                table: "Invites",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Items_ProjectId_Category",
                table: "Items",
                columns: new[] { "ProjectId", "Category" });

            migrationBuilder.CreateIndex(
                name: "IX_Items_ProjectId_Id",
                table: "Items",
                columns: new[] { "ProjectId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Items_TenantId_ProjectId_ExternalId",
                table: "Items",
                columns: new[] { "TenantId", "ProjectId", "ExternalId" },
                unique: true,
                filter: "[ExternalId] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Items_TenantId_ProjectId_IsGold_Priority_CreatedAt_Id",
                table: "Items",
                columns: new[] { "TenantId", "ProjectId", "IsGold", "Priority", "CreatedAt", "Id" },
                descending: new[] { false, false, false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Items_TenantId_ProjectId_Priority_CreatedAt_Id",
                table: "Items",
                columns: new[] { "TenantId", "ProjectId", "Priority", "CreatedAt", "Id" },
                descending: new[] { false, false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_JobRuns_TenantId_ProjectId_QueuedAt",
                table: "JobRuns",
                columns: new[] { "TenantId", "ProjectId", "QueuedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_JobRuns_TenantId_QueuedAt",
                table: "JobRuns",
                columns: new[] { "TenantId", "QueuedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_LlmLabelerSettings_ProjectId",
                table: "LlmLabelerSettings",
                column: "ProjectId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Memberships_TenantId_UserId",
                table: "Memberships",
                columns: new[] { "TenantId", "UserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Memberships_UserId",
                table: "Memberships",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Name",
                table: "Organisations",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProjectAnnotators_ProjectId_AnnotatorId",
                table: "ProjectAnnotators",
                columns: new[] { "ProjectId", "AnnotatorId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProjectCategories_ProjectId",
                table: "ProjectCategories",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_ProjectCategories_TenantId_ProjectId_Name",
                table: "ProjectCategories",
                columns: new[] { "TenantId", "ProjectId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProjectMetrics_ProjectId",
                table: "ProjectMetrics",
                column: "ProjectId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProjectNotices_ProjectId_CreatedAt",
                table: "ProjectNotices",
                columns: new[] { "ProjectId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_TenantId_Name",
                table: "Projects",
                columns: new[] { "TenantId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QualificationAttempts_ProjectId_AnnotatorId_CreatedAt",
                table: "QualificationAttempts",
                columns: new[] { "ProjectId", "AnnotatorId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_QualificationTests_ProjectId",
                table: "QualificationTests",
                column: "ProjectId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QualityItemSnapshots_ItemId",
                table: "QualityItemSnapshots",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_QualityItemSnapshots_ProjectId_ItemId",
                table: "QualityItemSnapshots",
                columns: new[] { "ProjectId", "ItemId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QualityStates_ProjectId",
                table: "QualityStates",
                column: "ProjectId",
                unique: true);

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
                name: "AiLabelErrors");

            migrationBuilder.DropTable(
                name: "AiLabels");

            migrationBuilder.DropTable(
                name: "AnnotationRevisions");

            migrationBuilder.DropTable(
                name: "ApiTokens");

            migrationBuilder.DropTable(
                name: "AspNetRoleClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserLogins");

            migrationBuilder.DropTable(
                name: "AspNetUserRoles");

            migrationBuilder.DropTable(
                name: "AspNetUserTokens");

            migrationBuilder.DropTable(
                name: "AttributeSetVersions");

            migrationBuilder.DropTable(
                name: "CalibrationAnswers");

            migrationBuilder.DropTable(
                name: "CalibrationParticipants");

            migrationBuilder.DropTable(
                name: "CalibrationRoundItems");

            migrationBuilder.DropTable(
                name: "CuratedLabels");

            migrationBuilder.DropTable(
                name: "DataProtectionKey");

            migrationBuilder.DropTable(
                name: "DownloadLogs");

            migrationBuilder.DropTable(
                name: "FeedbackEvents");

            migrationBuilder.DropTable(
                name: "FeedbackSettings");

            migrationBuilder.DropTable(
                name: "GuidelineAcknowledgements");

            migrationBuilder.DropTable(
                name: "GuidelineVersions");

            migrationBuilder.DropTable(
                name: "ImportStagedItems");

            migrationBuilder.DropTable(
                name: "Invites");

            migrationBuilder.DropTable(
                name: "JobRuns");

            migrationBuilder.DropTable(
                name: "LlmLabelerSettings");

            migrationBuilder.DropTable(
                name: "Memberships");

            migrationBuilder.DropTable(
                name: "ProjectAnnotators");

            migrationBuilder.DropTable(
                name: "ProjectCategories");

            migrationBuilder.DropTable(
                name: "ProjectMetrics");

            migrationBuilder.DropTable(
                name: "ProjectNotices");

            migrationBuilder.DropTable(
                name: "QualificationAttempts");

            migrationBuilder.DropTable(
                name: "QualificationTests");

            migrationBuilder.DropTable(
                name: "QualityItemSnapshots");

            migrationBuilder.DropTable(
                name: "QualityStates");

            migrationBuilder.DropTable(
                name: "RedTeamAttacks");

            migrationBuilder.DropTable(
                name: "ReleaseGrants");

            migrationBuilder.DropTable(
                name: "ReleaseRows");

            migrationBuilder.DropTable(
                name: "RewardModels");

            migrationBuilder.DropTable(
                name: "RlthfRoundItems");

            migrationBuilder.DropTable(
                name: "Annotations");

            migrationBuilder.DropTable(
                name: "AspNetRoles");

            migrationBuilder.DropTable(
                name: "CalibrationRounds");

            migrationBuilder.DropTable(
                name: "RedTeamRuns");

            migrationBuilder.DropTable(
                name: "AspNetUsers");

            migrationBuilder.DropTable(
                name: "Releases");

            migrationBuilder.DropTable(
                name: "RlthfRounds");

            migrationBuilder.DropTable(
                name: "Assignments");

            migrationBuilder.DropTable(
                name: "ExternalRaters");

            migrationBuilder.DropTable(
                name: "Items");

            migrationBuilder.DropTable(
                name: "Projects");

            migrationBuilder.DropTable(
                name: "Organisations");
        }
    }
}
