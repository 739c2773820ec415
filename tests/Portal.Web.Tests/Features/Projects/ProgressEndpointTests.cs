using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Projects;

public partial class ProgressEndpointTests
{
    /// <summary>One submitted annotation of the tenant's item and one skip of a second item, written as the engine leaves them.</summary>
    private static async Task SeedAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var annotator = tenant.Member(OrgRoles.Annotator).Id;
        var now = DateTime.UtcNow;
        var second = new Item { ProjectId = tenant.Project.Id, ExternalId = "item-2", ResponseA = "A", ResponseB = "B", CreatedAt = now };
        var submitted = new Assignment
        {
            ProjectId = tenant.Project.Id,
            ItemId = tenant.Item.Id,
            AnnotatorId = annotator,
            Status = AssignmentStatus.Submitted,
            LeasedAt = now.AddMinutes(-1),
            LeaseExpiresAt = now.AddMinutes(29),
            ClosedAt = now,
            Flags = ContentFlags.WrongLanguage,
        };
        var skipped = new Assignment
        {
            ProjectId = tenant.Project.Id,
            ItemId = second.Id,
            AnnotatorId = annotator,
            Status = AssignmentStatus.Skipped,
            LeasedAt = now,
            LeaseExpiresAt = now.AddMinutes(30),
            ClosedAt = now,
            SkipReason = "Too long",
            Flags = ContentFlags.Unsafe,
        };
        ctx.AddRange(second, submitted, skipped);
        ctx.Annotations.Add(new Annotation
        {
            ProjectId = tenant.Project.Id,
            ItemId = tenant.Item.Id,
            AssignmentId = submitted.Id,
            AnnotatorId = annotator,
            IdempotencyKey = "k1",
            Choice = Core.Aggregation.PreferenceChoice.B,
            TimeOnTaskMs = 12_500,
            CreatedAt = now,
        });
        await ctx.SaveChangesAsync();
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Progress_ProjectAdmin_GetsCountsNamesAndMedians(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await SeedAsync(db, a);
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);

        var progress = await admin.GetFromJsonAsync<ProgressView>($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/progress");

        Assert.NotNull(progress);
        Assert.Equal(new ItemsView(2, 0, 0, 1, 1), progress.Items);
        Assert.Equal(1, progress.Annotations);
        Assert.Equal(12.5, progress.MedianSecondsPerTask);
        var annotator = Assert.Single(progress.Annotators);
        Assert.Equal(("Annotator of Alpha", 1, 1, 12.5), (annotator.Name, annotator.Annotations, annotator.Skips, annotator.MedianSeconds));
        Assert.Equal("Annotator of Alpha", Assert.Single(progress.PerDay).Name);
        Assert.Equal(1, progress.Skips);
        Assert.Equal("Too long", Assert.Single(progress.SkipReasons).Reason);
        Assert.Equal(new FlagsView(1, 0, 1), progress.Flags);
    }

    [Fact]
    public async Task Progress_AnnotatorOrUnknownProject_IsRefused()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var annotator = await app.SignInAsync(a.Member(OrgRoles.Annotator).Email!);
        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);

        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.GetAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/progress")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/orgs/{a.Id}/projects/{Guid.NewGuid()}/progress")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ProgressPage_ProjectAdmin_ShowsTheCountsAndCharts(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await SeedAsync(db, a);
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);

        var page = await admin.GetStringAsync($"/orgs/{a.Id}/projects/{a.Project.Id}/progress");

        Assert.Equal("2", TestId(page, "progress-items"));
        Assert.Equal("1", TestId(page, "progress-in-progress"));
        Assert.Equal("1", TestId(page, "progress-untouched"));
        Assert.Equal("12.5 s", TestId(page, "progress-median"));
        Assert.Equal("1", TestId(page, "progress-skips"));
        Assert.Equal("1", TestId(page, "progress-flag-wrong-language"));
        Assert.Contains("data-testid=\"progress-state-chart\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"progress-daily-chart\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"progress-median-chart\"", page, StringComparison.Ordinal);
        Assert.Contains("Annotator of Alpha", page, StringComparison.Ordinal);
    }

    private static string TestId(string html, string id) =>
        Regex.Match(html, $"data-testid=\"{id}\"[^>]*>([^<]*)<") is { Success: true } m ? m.Groups[1].Value.Trim()
            : throw new Xunit.Sdk.XunitException($"No element with data-testid=\"{id}\" in the page.");

    private sealed record ProgressView(ItemsView Items, int Annotations, double? MedianSecondsPerTask, List<AnnotatorView> Annotators,
        List<DayView> PerDay, int Skips, List<ReasonView> SkipReasons, FlagsView Flags);

    private sealed record ItemsView(int Total, int Gold, int FullyRated, int InProgress, int Untouched);

    private sealed record AnnotatorView(Guid AnnotatorId, string Name, int Annotations, int Skips, double? MedianSeconds);

    private sealed record DayView(DateOnly Day, string Name, int Annotations);

    private sealed record ReasonView(string Reason, int Count);

    private sealed record FlagsView(int Unsafe, int Broken, int WrongLanguage);
}
