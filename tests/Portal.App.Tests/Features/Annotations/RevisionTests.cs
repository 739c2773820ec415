using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Annotations;

/// <summary>Revising the last answer: the same row replaced, audited, once per key, within the project's lease length.</summary>
public class RevisionTests
{
    private static readonly ProjectSettings Plain = ProjectSettings.Default with
    {
        Gold = new GoldOptions { Rate = 0 },
        Pairwise = new PairwiseOptions { StrengthLevels = 3 },
    };

    private sealed record Setup(TestDatabase Db, TestTenant Tenant, ManualClock Clock, TaskService Tasks, Project Project, Guid Me) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Db.DisposeAsync();
    }

    private static async Task<Setup> SetUpAsync(TestProvider provider, int overlap = 2, int leaseMinutes = 30)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Revise");
        var clock = new ManualClock();
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3, overlap: overlap, settings: Plain);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            await ctx.Projects.Where(p => p.Id == project.Id).ExecuteUpdateAsync(x => x.SetProperty(p => p.LeaseMinutes, leaseMinutes));
        }

        return new Setup(db, tenant, clock, new TaskService(db.Factory, clock), project, tenant.Member(OrgRoles.Annotator).Id);
    }

    private static async Task<(TaskView Task, SubmitResult Result)> AnswerAsync(Setup s, ShownChoice choice, int strength = 1)
    {
        var task = (await s.Tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Me))!.Task!;
        var result = await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, s.Me,
            new AnnotationInput(Guid.NewGuid().ToString(), Choice: choice, Strength: strength, Rationale: "first", TimeOnTaskMs: 4000));
        return (task, result);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Revise_LastAnswer_ReplacesTheSameRowAndCountsNothingTwice(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var (task, first) = await AnswerAsync(s, ShownChoice.Left, strength: 2);
        var before = Assert.Single(await s.Tasks.ProjectsAsync(s.Tenant.Id, s.Me), p => p.ProjectId == s.Project.Id);
        s.Clock.Advance(TimeSpan.FromMinutes(5));

        var last = await s.Tasks.LastAnswerAsync(s.Tenant.Id, s.Project.Id, s.Me);
        Assert.NotNull(last);
        Assert.Equal(first.AnnotationId, last.AnnotationId);
        Assert.Equal(task.Left, last.Task.Left);
        Assert.Equal((ShownChoice?)ShownChoice.Left, last.Answer.Choice);
        Assert.Equal(2, last.Answer.Strength);

        var revised = await s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me,
            new AnnotationInput("revision-1", Choice: ShownChoice.Right, Strength: 3, Rationale: "second thoughts", TimeOnTaskMs: 1000));

        Assert.False(revised.Replayed);
        Assert.Equal(1, revised.Revisions);
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var stored = Assert.Single(await ctx.Annotations.AsNoTracking().Where(a => a.ProjectId == s.Project.Id).ToListAsync());
        Assert.Equal(first.AnnotationId, stored.Id);
        var leftIsA = task.Left.StartsWith("Answer A", StringComparison.Ordinal);
        Assert.Equal(leftIsA ? PreferenceChoice.B : PreferenceChoice.A, stored.Choice);
        Assert.Equal((3, "second thoughts", 5000), (stored.Strength, stored.Rationale, stored.TimeOnTaskMs));
        Assert.Equal(s.Clock.GetUtcNow().UtcDateTime, stored.RevisedAt);
        var audit = Assert.Single(await ctx.AnnotationRevisions.AsNoTracking().ToListAsync());
        Assert.Equal((stored.Id, "revision-1"), (audit.AnnotationId, audit.IdempotencyKey));
        Assert.Contains("\"rationale\":\"first\"", audit.PreviousJson, StringComparison.Ordinal);
        Assert.Contains("\"strength\":2", audit.PreviousJson, StringComparison.Ordinal);

        // The item keeps one claim, the annotator one answer: the home page's counts are as before the revision.
        Assert.Equal(1, await ctx.Items.Where(i => i.ProjectId == s.Project.Id).SumAsync(i => i.Claimed));
        var after = Assert.Single(await s.Tasks.ProjectsAsync(s.Tenant.Id, s.Me), p => p.ProjectId == s.Project.Id);
        Assert.Equal((before.DoneByMe, before.Available), (after.DoneByMe, after.Available));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Revise_SameKeyTwice_StoresOneRevisionAndReplays(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var (_, first) = await AnswerAsync(s, ShownChoice.Left);
        var input = new AnnotationInput("same-key", Choice: ShownChoice.Tie);

        var once = await s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me, input);
        var twice = await s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me, input);

        Assert.False(once.Replayed);
        Assert.True(twice.Replayed);
        Assert.Equal((1, 1), (once.Revisions, twice.Revisions));
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(1, await ctx.AnnotationRevisions.CountAsync());
        Assert.Equal(1, await ctx.Annotations.CountAsync());
        Assert.Equal(1, await ctx.Annotations.Select(a => a.Revisions).SingleAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Revise_AfterTheLeaseLength_IsRefusedAndNothingChanges(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, leaseMinutes: 10);
        var (_, first) = await AnswerAsync(s, ShownChoice.Left);
        s.Clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Null(await s.Tasks.LastAnswerAsync(s.Tenant.Id, s.Project.Id, s.Me));
        var refused = await Assert.ThrowsAsync<TaskConflictException>(() =>
            s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me, new AnnotationInput("late", Choice: ShownChoice.Right, Strength: 1)));

        Assert.Contains("10 minutes", refused.Message, StringComparison.Ordinal);
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var row = await ctx.Annotations.Select(a => new { a.Revisions, a.RevisedAt }).SingleAsync();
        Assert.Equal(0, row.Revisions);
        Assert.Null(row.RevisedAt);
        Assert.Equal(0, await ctx.AnnotationRevisions.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Revise_BadAnswerOrSomeoneElsesAnnotation_NamesTheFieldOrIsNotFound(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var (_, first) = await AnswerAsync(s, ShownChoice.Left);
        var stranger = (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1))[0].Id;

        var invalid = await Assert.ThrowsAsync<PortalValidationException>(() =>
            s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me, new AnnotationInput("bad", Choice: ShownChoice.Left, Strength: 9)));
        Assert.Equal("strength", invalid.Field);
        await Assert.ThrowsAsync<TaskNotFoundException>(() =>
            s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, stranger, new AnnotationInput("theirs", Choice: ShownChoice.Right, Strength: 1)));
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(0, await ctx.AnnotationRevisions.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task LastAnswer_PausedProjectOrGoldItem_IsNotRevisable(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var (_, first) = await AnswerAsync(s, ShownChoice.Left);
        await new ProjectService(s.Db.Factory, s.Clock).PauseAsync(s.Tenant.Id, s.Project.Id);

        Assert.Null(await s.Tasks.LastAnswerAsync(s.Tenant.Id, s.Project.Id, s.Me));
        await Assert.ThrowsAsync<TaskConflictException>(() =>
            s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me, new AnnotationInput("paused", Choice: ShownChoice.Right, Strength: 1)));

        await new ProjectService(s.Db.Factory, s.Clock).ResumeAsync(s.Tenant.Id, s.Project.Id);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            await ctx.Items.Where(i => ctx.Annotations.Any(a => a.ItemId == i.Id)).ExecuteUpdateAsync(x => x.SetProperty(i => i.IsGold, true));
        }

        Assert.Null(await s.Tasks.LastAnswerAsync(s.Tenant.Id, s.Project.Id, s.Me));
        await Assert.ThrowsAsync<TaskConflictException>(() =>
            s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me, new AnnotationInput("gold", Choice: ShownChoice.Right, Strength: 1)));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Revise_TwoRevisionsAtOnce_BothAuditedAndCountedOnce(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var (_, first) = await AnswerAsync(s, ShownChoice.Left);

        await Task.WhenAll(
            s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me, new AnnotationInput("a", Choice: ShownChoice.Right, Strength: 1)),
            s.Tasks.ReviseAsync(s.Tenant.Id, first.AnnotationId, s.Me, new AnnotationInput("b", Choice: ShownChoice.Tie)));

        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(1, await ctx.Annotations.CountAsync());
        Assert.Equal(2, await ctx.Annotations.Select(a => a.Revisions).SingleAsync());
        Assert.Equal(["a", "b"], (await ctx.AnnotationRevisions.Select(r => r.IdempotencyKey).ToListAsync()).Order());
    }
}
