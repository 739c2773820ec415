using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Guidelines;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.App.Features.Quality;
using Portal.Core.Aggregation;
using Portal.Core.Text;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Guidelines;

public class GuidelineServiceTests
{
    private static readonly ProjectSettings PlainPairs = ProjectSettings.Default with
    {
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
        Gold = new GoldOptions { Rate = 0 },
    };

    private sealed record Setup(TestDatabase Db, TestTenant Tenant, ManualClock Clock, TaskService Tasks, GuidelineService Guidelines) : IAsyncDisposable
    {
        public Guid Admin => Tenant.Member(OrgRoles.ProjectAdmin).Id;
        public Guid Annotator => Tenant.Member(OrgRoles.Annotator).Id;

        public ValueTask DisposeAsync() => Db.DisposeAsync();
    }

    private static async Task<Setup> SetUpAsync(TestProvider provider)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Guides");
        var clock = new ManualClock();
        return new Setup(db, tenant, clock, new TaskService(db.Factory, clock), new GuidelineService(db.Factory, clock));
    }

    private static PublishGuidelineInput Text(string markdown, GuidelineChange change = GuidelineChange.Minor, string note = "a change") => new(markdown, note, change);

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Publish_ThreeTimes_NumbersImmutableVersionsWithAuthorAndDiffsAnyTwo(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = s.Tenant.Project.Id;

        var v1 = await s.Guidelines.PublishAsync(s.Tenant.Id, project, s.Admin, Text("# Criteria\nHelpful first.", note: "first"));
        s.Clock.Advance(TimeSpan.FromHours(1));
        var v2 = await s.Guidelines.PublishAsync(s.Tenant.Id, project, s.Admin, Text("# Criteria\nAccurate first.", GuidelineChange.Major, "accuracy first"));
        var v3 = await s.Guidelines.PublishAsync(s.Tenant.Id, project, s.Admin, Text("# Criteria\nAccurate first.\nTies are rare."));

        Assert.Equal([1, 2, 3], new[] { v1!.Version, v2!.Version, v3!.Version });
        var history = await s.Guidelines.HistoryAsync(s.Tenant.Id, project);
        Assert.NotNull(history);
        Assert.Equal([3, 2, 1], history.Select(v => v.Version));
        Assert.Equal("# Criteria\nHelpful first.", history[2].Markdown);
        Assert.Equal(GuidelineChange.Major, history[1].Change);
        Assert.Equal("accuracy first", history[1].ChangeNote);
        Assert.Equal(s.Tenant.Member(OrgRoles.ProjectAdmin).DisplayName, history![0].PublishedBy);
        Assert.Equal(history[2].PublishedAt.AddHours(1), history[1].PublishedAt);

        var diff = await s.Guidelines.DiffAsync(s.Tenant.Id, project, 1, 3);
        Assert.Equal([DiffKind.Same, DiffKind.Removed, DiffKind.Added, DiffKind.Added], diff!.Select(l => l.Kind));
        var missing = await Assert.ThrowsAsync<PortalValidationException>(() => s.Guidelines.DiffAsync(s.Tenant.Id, project, 1, 9));
        Assert.Equal("to", missing.Field);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Publish_BadInputOrAnotherOrganisation_NamesEachFieldAndStoresNothing(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var other = await s.Db.CreateTestTenantAsync("Other");

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() =>
            s.Guidelines.PublishAsync(s.Tenant.Id, s.Tenant.Project.Id, s.Admin, new PublishGuidelineInput("   ", "", (GuidelineChange)7)));
        var foreign = await s.Guidelines.PublishAsync(s.Tenant.Id, other.Project.Id, s.Admin, Text("# Theirs"));

        Assert.Equal(["markdown", "changeNote", "change"], ex.Problems.Select(p => p.Field));
        Assert.Null(foreign);
        await using var ctx = s.Db.Factory.CreateSystem();
        Assert.Equal(0, await ctx.GuidelineVersions.IgnoreQueryFilters().CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_NewVersionPublished_StopsTheAnnotatorUntilTheyAcknowledgeAndSubmitStampsTheVersion(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 5, settings: PlainPairs);

        // No guidelines: nothing to acknowledge, and annotations record no version.
        var first = await s.Tasks.NextAsync(s.Tenant.Id, project.Id, s.Annotator);
        Assert.Equal(NextTaskStatus.Assigned, first!.Status);
        await s.Tasks.SubmitAsync(s.Tenant.Id, first.Task!.AssignmentId, s.Annotator, new AnnotationInput("k1", Choice: ShownChoice.Left));

        await s.Guidelines.PublishAsync(s.Tenant.Id, project.Id, s.Admin, Text("# v1"));
        var blocked = await s.Tasks.NextAsync(s.Tenant.Id, project.Id, s.Annotator);
        Assert.Equal(NextTaskStatus.NeedsAcknowledgement, blocked!.Status);
        Assert.Null(blocked.Task);
        Assert.Contains("Version 1", blocked.Message, StringComparison.Ordinal);

        var stale = await Assert.ThrowsAsync<PortalValidationException>(() => s.Guidelines.AcknowledgeAsync(s.Tenant.Id, project.Id, s.Annotator, 2));
        Assert.Equal("version", stale.Field);
        Assert.True(await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, project.Id, s.Annotator, 1));
        Assert.True(await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, project.Id, s.Annotator, 1));
        var second = await s.Tasks.NextAsync(s.Tenant.Id, project.Id, s.Annotator);
        Assert.Equal(NextTaskStatus.Assigned, second!.Status);
        var stored = await s.Tasks.SubmitAsync(s.Tenant.Id, second.Task!.AssignmentId, s.Annotator, new AnnotationInput("k2", Choice: ShownChoice.Right));

        // A minor change asks for an acknowledgement again, no qualification.
        await s.Guidelines.PublishAsync(s.Tenant.Id, project.Id, s.Admin, Text("# v2"));
        Assert.Equal(NextTaskStatus.NeedsAcknowledgement, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, s.Annotator))!.Status);
        var status = await s.Guidelines.StatusAsync(s.Tenant.Id, project.Id, s.Annotator);
        Assert.Equal((2, 1, true), (status!.CurrentVersion, status.AcknowledgedVersion, status.NeedsAcknowledgement));
        Assert.False(status.Qualification.Required);

        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var versions = await ctx.Annotations.Where(a => a.ProjectId == project.Id).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .ToDictionaryAsync(a => a.Id, a => a.GuidelineVersion);
        Assert.Equal(2, versions.Count);
        Assert.Equal(1, versions[stored.AnnotationId]);
        Assert.Single(versions.Values, v => v is null);
        Assert.Equal(1, await ctx.GuidelineAcknowledgements.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task QualityForGuidelineVersion_TwoVersions_CountsOnlyThatVersionsAnnotationsAndGold(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 4, settings: PlainPairs);
        var annotators = await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 2);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            var items = await ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).ToListAsync();
            items[3].IsGold = true;
            items[3].Gold = new GoldAnswer { Choice = PreferenceChoice.A, Explanation = "A." };
            await ctx.SaveChangesAsync();
            foreach (var (item, index) in items.Select((item, index) => (item, index)))
            {
                foreach (var annotator in annotators)
                {
                    var version = index < 2 ? 1 : 2;
                    var a = await s.Db.AddTestAnnotationAsync(s.Tenant.Id, item, annotator.Id, index == 0 ? PreferenceChoice.A : PreferenceChoice.B);
                    await ctx.Annotations.Where(x => x.Id == a.Id).ExecuteUpdateAsync(x => x
                        .SetProperty(y => y.GuidelineVersion, version)
                        .SetProperty(y => y.GoldCorrect, item.IsGold ? annotator == annotators[0] : (bool?)null));
                }
            }
        }

        var quality = new QualityService(s.Db.Factory, s.Clock);
        var v1 = await quality.ForGuidelineVersionAsync(s.Tenant.Id, project.Id, 1);
        var v2 = await quality.ForGuidelineVersionAsync(s.Tenant.Id, project.Id, 2);

        Assert.Equal((4, 2), (v1!.Annotations, v1.Items));
        Assert.Equal((2, 1), (v2!.Annotations, v2.Items));
        Assert.All(v1.Annotators, a => Assert.Equal(0, a.GoldAnswered));
        Assert.Equal([1.0, 0.0], v2.Annotators.OrderBy(a => a.Name).Select(a => a.GoldAccuracy!.Value));
        Assert.Equal([1, 2], await quality.GuidelineVersionsAsync(s.Tenant.Id, project.Id));
    }
}
