using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Gold;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Projects;

/// <summary>Pausing and archiving a whole project, and projects that take chosen annotators only, as the engine serves them.</summary>
public class ProjectLifecycleTests
{
    private static readonly ProjectSettings NoGold = ProjectSettings.Default with
    {
        Gold = new GoldOptions { Rate = 0 },
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
    };

    private sealed record Setup(TestDatabase Db, TestTenant Tenant, ManualClock Clock, TaskService Tasks, ProjectService Projects,
        ProjectQueries Queries, ProjectAnnotatorService Annotators) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Db.DisposeAsync();
    }

    private static async Task<Setup> SetUpAsync(TestProvider provider)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Lifecycle");
        var clock = new ManualClock();
        return new Setup(db, tenant, clock, new TaskService(db.Factory, clock), new ProjectService(db.Factory, clock), new ProjectQueries(db.Factory),
            new ProjectAnnotatorService(db.Factory, clock));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Pause_AnnotatorHoldsALease_HeldTaskStillServedAndStoredButNoNewOne(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 3, overlap: 1, settings: NoGold);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var held = (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me))!.Task!;

        var paused = await s.Projects.PauseAsync(s.Tenant.Id, project.Id);

        Assert.True(paused!.IsPaused);
        var again = await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me);
        Assert.Equal(NextTaskStatus.Assigned, again!.Status);
        Assert.Equal(held.AssignmentId, again.Task!.AssignmentId);
        await s.Tasks.SubmitAsync(s.Tenant.Id, held.AssignmentId, me, new AnnotationInput("k1", Choice: ShownChoice.Left));

        var next = await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me);
        Assert.Equal(NextTaskStatus.ProjectPaused, next!.Status);
        Assert.Null(next.Task);
        var listed = Assert.Single(await s.Tasks.ProjectsAsync(s.Tenant.Id, me), p => p.ProjectId == project.Id);
        Assert.True(listed.ProjectPaused);
        Assert.Equal(1, listed.DoneByMe);

        await s.Projects.ResumeAsync(s.Tenant.Id, project.Id);
        Assert.Equal(NextTaskStatus.Assigned, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me))!.Status);
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(1, await ctx.Annotations.CountAsync(a => a.ProjectId == project.Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Archive_Project_HiddenFromAnnotatorsAndDefaultListAndReadOnlyUntilUnarchived(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 2, settings: NoGold, name: "To archive");
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;

        await s.Projects.ArchiveAsync(s.Tenant.Id, project.Id);

        Assert.DoesNotContain(await s.Tasks.ProjectsAsync(s.Tenant.Id, me), p => p.ProjectId == project.Id);
        Assert.Null(await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me));
        Assert.DoesNotContain(await s.Queries.ListAsync(s.Tenant.Id), p => p.Id == project.Id);
        Assert.NotNull(Assert.Single(await s.Queries.ListAsync(s.Tenant.Id, includeArchived: true), p => p.Id == project.Id).ArchivedAt);
        var refused = await Assert.ThrowsAsync<ValidationProblemsException>(() =>
            s.Projects.UpdateAsync(s.Tenant.Id, project.Id, new ProjectInput("Renamed", null, ProjectKind.Pairwise, Settings: NoGold)));
        Assert.Equal("project", refused.Problems[0].Field);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            Assert.Equal("To archive", await ctx.Projects.Where(p => p.Id == project.Id).Select(p => p.Name).SingleAsync());
        }

        await s.Projects.UnarchiveAsync(s.Tenant.Id, project.Id);

        Assert.Contains(await s.Tasks.ProjectsAsync(s.Tenant.Id, me), p => p.ProjectId == project.Id);
        Assert.Contains(await s.Queries.ListAsync(s.Tenant.Id), p => p.Id == project.Id);
        Assert.Equal("Renamed", (await s.Projects.UpdateAsync(s.Tenant.Id, project.Id, new ProjectInput("Renamed", null, ProjectKind.Pairwise, Settings: NoGold)))!.Name);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ChosenOnly_OnlyChosenAnnotatorsListAndGetTasks(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 4, overlap: 3, settings: NoGold);
        var annotators = await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 2);
        var (chosen, other) = (annotators[0].Id, annotators[1].Id);

        var set = await s.Annotators.SetChosenAsync(s.Tenant.Id, project.Id, chosenOnly: true, [chosen]);

        Assert.Equal(new ChosenAnnotators(true, [chosen]), set, new ChosenComparer());
        Assert.Contains(await s.Tasks.ProjectsAsync(s.Tenant.Id, chosen), p => p.ProjectId == project.Id);
        Assert.DoesNotContain(await s.Tasks.ProjectsAsync(s.Tenant.Id, other), p => p.ProjectId == project.Id);
        Assert.Equal(NextTaskStatus.Assigned, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, chosen))!.Status);
        Assert.Equal(NextTaskStatus.NotChosen, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, other))!.Status);
        var standings = await s.Annotators.ListAsync(s.Tenant.Id, project.Id);
        Assert.True(standings!.Single(a => a.UserId == chosen).Chosen);
        Assert.False(standings!.Single(a => a.UserId == other).Chosen);

        // Back to everyone: the other annotator gets work again; the list is kept for next time.
        await s.Annotators.SetChosenAsync(s.Tenant.Id, project.Id, chosenOnly: false, [chosen]);
        Assert.Equal(NextTaskStatus.Assigned, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, other))!.Status);
        Assert.Equal([chosen], (await s.Annotators.GetChosenAsync(s.Tenant.Id, project.Id))!.AnnotatorIds);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ChosenOnly_AnnotatorTakenOffTheList_KeepsTheTaskTheyHold(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 3, settings: NoGold);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var held = (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me))!.Task!;

        await s.Annotators.SetChosenAsync(s.Tenant.Id, project.Id, chosenOnly: true, []);

        Assert.Equal(held.AssignmentId, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me))!.Task!.AssignmentId);
        await s.Tasks.SubmitAsync(s.Tenant.Id, held.AssignmentId, me, new AnnotationInput("k", Choice: ShownChoice.Right));
        Assert.Equal(NextTaskStatus.NotChosen, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me))!.Status);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SetChosen_IdThatIsNoAnnotatorHere_NamesItsPositionAndChangesNothing(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var annotator = s.Tenant.Member(OrgRoles.Annotator).Id;
        var client = s.Tenant.Member(OrgRoles.Client).Id;
        var other = await s.Db.CreateTestTenantAsync("Other");

        var refused = await Assert.ThrowsAsync<ValidationProblemsException>(() =>
            s.Annotators.SetChosenAsync(s.Tenant.Id, s.Tenant.Project.Id, chosenOnly: true, [annotator, client, other.Member(OrgRoles.Annotator).Id]));

        Assert.Equal(["annotatorIds[1]", "annotatorIds[2]"], refused.Problems.Select(p => p.Field));
        Assert.Equal(new ChosenAnnotators(false, []), await s.Annotators.GetChosenAsync(s.Tenant.Id, s.Tenant.Project.Id), new ChosenComparer());
        Assert.Null(await s.Annotators.GetChosenAsync(other.Id, s.Tenant.Project.Id));
    }

    /// <summary>Records with lists compare the lists by reference; this compares their contents.</summary>
    private sealed class ChosenComparer : IEqualityComparer<ChosenAnnotators?>
    {
        public bool Equals(ChosenAnnotators? x, ChosenAnnotators? y) =>
            x is not null && y is not null && x.ChosenOnly == y.ChosenOnly && x.AnnotatorIds.SequenceEqual(y.AnnotatorIds);

        public int GetHashCode(ChosenAnnotators? obj) => obj?.ChosenOnly.GetHashCode() ?? 0;
    }
}
