using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Organisations;
using Portal.App.Features.Quality;
using Portal.App.Features.Rlthf;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Rlthf;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Rlthf;

public class RlthfServiceTests
{
    private sealed record Loop(RlthfService Service, RecordingScheduling Scheduling, TaskService Tasks, QualityService Quality);

    private static Loop Create(TestDatabase db)
    {
        var scheduling = new RecordingScheduling();
        var quality = new QualityService(db.Factory, TimeProvider.System);
        var service = new RlthfService(db.Factory, TimeProvider.System, new JobLauncher(db.Factory, scheduling, TimeProvider.System, new JobProgressBoard()), quality, new LinearRewardTrainer());
        return new Loop(service, scheduling, new TaskService(db.Factory, TimeProvider.System), quality);
    }

    /// <summary>What the round's job does with the round it was given.</summary>
    private static async Task RunLastJobAsync(Loop loop, Guid tenantId)
    {
        var (job, data) = loop.Scheduling.Triggered[^1];
        Assert.Equal(JobRegistry.RunRlthfRound, job);
        await loop.Service.PlanAsync(tenantId, Guid.Parse(data.GetString(RunRlthfRoundJob.RoundIdKey)!), null, CancellationToken.None);
    }

    /// <summary>One annotator takes every task the queue offers and answers with the truth; returns the items in the order served.</summary>
    private static async Task<List<Guid>> AnswerEverythingAsync(Loop loop, TestDatabase db, Guid tenantId, LoopProject project, Guid annotatorId)
    {
        var served = new List<Guid>();
        while (await loop.Tasks.NextAsync(tenantId, project.Project.Id, annotatorId) is { Status: NextTaskStatus.Assigned, Task: { } task })
        {
            await using var ctx = db.Factory.CreateForTenant(tenantId);
            var itemId = await ctx.Assignments.Where(a => a.Id == task.AssignmentId).Select(a => a.ItemId).FirstAsync();
            var left = await ctx.Items.Where(i => i.Id == itemId).Select(i => i.ResponseA).FirstAsync();
            var truthIsA = project.Truth[itemId] == PreferenceChoice.A;
            var leftIsA = task.Left == left;
            await loop.Tasks.SubmitAsync(tenantId, task.AssignmentId, annotatorId,
                new AnnotationInput(Guid.NewGuid().ToString(), Choice: truthIsA == leftIsA ? ShownChoice.Left : ShownChoice.Right, TimeOnTaskMs: 5000));
            served.Add(itemId);
        }

        return served;
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Rounds_SendTheSuspiciousToHumans_CountTheirOverturnsAndTrainOnTheirLabels(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Loop");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 400, aiError: 0.25);
        var annotator = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        var loop = Create(db);
        var aiWrong = project.Items.Count(i => project.AiWrong(i.Id));

        Assert.Equal(1, await loop.Service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("10%")));
        await RunLastJobAsync(loop, tenant.Id);

        var round = (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 1))!;
        Assert.Equal((RoundStatus.AwaitingHumans, 400, 400, 0, 40, 40), (round.Status, round.Pairs, round.Candidates, round.HumanLabelsBefore, round.Budget, round.Selected));
        Assert.Null(round.RewardModelAccuracy); // nobody had labelled anything yet
        Assert.True(round.Knee <= round.Elbow && round.Elbow < 400);
        Assert.NotEmpty(round.Curve);
        Assert.Equal(1, round.Model!.Version);
        Assert.Equal(400, round.Model.TrainingPairs);
        Assert.True(round.Model.ArtifactBytes > 0);

        // The selected items, and only they, go to humans, most suspicious first.
        var selected = (await loop.Service.SelectedAsync(tenant.Id, project.Project.Id, 1))!;
        Assert.Equal(40, selected.Count);
        Assert.Equal(Enumerable.Range(0, 40), selected.Select(s => s.Rank));
        var served = await AnswerEverythingAsync(loop, db, tenant.Id, project, annotator.Id);
        Assert.Equal(selected.Select(s => s.ItemId), served);

        // Targeting: the selected pairs hold more AI errors than the 25% a random pick would.
        var wrongAmongSelected = selected.Count(s => project.AiWrong(s.ItemId));
        Assert.True(wrongAmongSelected > 40 * aiWrong / 400.0, $"{wrongAmongSelected} of 40 selected were AI errors; the base rate is {aiWrong} of 400");

        await loop.Quality.RecomputeAsync(tenant.Id, project.Project.Id);
        await loop.Service.RefreshAsync(tenant.Id, project.Project.Id);
        round = (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 1))!;
        Assert.Equal((RoundStatus.Completed, 40, wrongAmongSelected), (round.Status, round.Answered, round.Overturned));
        Assert.Equal((double)wrongAmongSelected / 40, round.Precision!.Value, 10);
        Assert.Equal(0.1, round.HumanShare!.Value, 10);

        // Round 2 trains on the human labels (amplified), measures itself against them, and never re-selects them.
        Assert.Equal(2, await loop.Service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("20")));
        await RunLastJobAsync(loop, tenant.Id);
        var second = (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 2))!;
        Assert.Equal((40, 360, 20), (second.HumanLabelsBefore, second.Candidates, second.Selected));
        Assert.NotNull(second.RewardModelAccuracy);
        Assert.Equal(40, second.Model!.HumanPairsEvaluated);
        Assert.Equal(40, second.Model.HumanPairs);
        var again = (await loop.Service.SelectedAsync(tenant.Id, project.Project.Id, 2))!;
        Assert.Empty(again.Select(s => s.ItemId).Intersect(selected.Select(s => s.ItemId)));

        // Round 1 kept only the pairs right of its back-off point: round 2's model trained on those plus the human labels.
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var firstId = round.Id;
        var kept = await ctx.RlthfRoundItems.CountAsync(r => r.RoundId == firstId && r.Role == RoundItemRole.Kept);
        Assert.Equal(kept + 40, second.Model.TrainingPairs);
        Assert.Equal(kept, second.Model.AiPairs);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Start_BadKnobsOrAnOpenRound_NameTheFieldAndSaveNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Loop");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 30, aiError: 0.2);
        var likert = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 20);
        var loop = Create(db);

        async Task<string> Field(Guid projectId, StartRoundInput input) =>
            (await Assert.ThrowsAsync<PortalValidationException>(() => loop.Service.StartAsync(tenant.Id, projectId, null, input))).Field;

        Assert.Equal("budget", await Field(project.Project.Id, new StartRoundInput("lots")));
        Assert.Equal("budget", await Field(project.Project.Id, new StartRoundInput("0")));
        Assert.Equal("budget", await Field(project.Project.Id, new StartRoundInput("150%")));
        Assert.Equal("strategy", await Field(project.Project.Id, new StartRoundInput("5", Strategy: "clever")));
        Assert.Equal("overlap", await Field(project.Project.Id, new StartRoundInput("5", Overlap: 0)));
        Assert.Equal("backOffRatio", await Field(project.Project.Id, new StartRoundInput("5", BackOffRatio: 1)));
        Assert.Equal("amplificationRatio", await Field(project.Project.Id, new StartRoundInput("5", AmplificationRatio: -1)));
        Assert.Equal("round", await Field(likert.Id, new StartRoundInput("5")));
        Assert.Null(await loop.Service.StartAsync(tenant.Id, Guid.NewGuid(), null, new StartRoundInput("5")));
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            Assert.Equal(0, await ctx.RlthfRounds.CountAsync());
        }

        Assert.Empty(loop.Scheduling.Triggered);

        // One round at a time: a second start while the first is planning is refused.
        Assert.Equal(1, await loop.Service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("5")));
        Assert.Equal("round", await Field(project.Project.Id, new StartRoundInput("5")));

        // A failed round makes way for a new one; a job re-run for a round that is no longer planning changes nothing.
        var first = (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 1))!;
        await loop.Service.FailAsync(tenant.Id, first.Id, "the trainer ran out of memory", CancellationToken.None);
        Assert.Equal((RoundStatus.Failed, "the trainer ran out of memory"), ((await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 1))!.Status, (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 1))!.Error));
        await loop.Service.PlanAsync(tenant.Id, first.Id, null, CancellationToken.None);
        Assert.Equal(RoundStatus.Failed, (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 1))!.Status);
        Assert.Equal(2, await loop.Service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("5")));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task AutoRounds_TheNextStartsWhenHumansHaveAnswered_AndCloseEndsARoundEarly(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Loop");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 120, aiError: 0.3);
        var annotator = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        var loop = Create(db);

        await loop.Service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("6", Strategy: "uncertainty", AutoRounds: 2));
        await RunLastJobAsync(loop, tenant.Id);
        Assert.Equal(6, (await AnswerEverythingAsync(loop, db, tenant.Id, project, annotator.Id)).Count);

        // Before the quality job has seen the answers nothing moves; after it, round 2 is planning with the same knobs.
        await loop.Service.RefreshAsync(tenant.Id, project.Project.Id);
        Assert.Equal(RoundStatus.AwaitingHumans, (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 1))!.Status);
        await loop.Quality.RecomputeAsync(tenant.Id, project.Project.Id);
        await loop.Service.RefreshAsync(tenant.Id, project.Project.Id);
        var second = (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 2))!;
        Assert.Equal((RoundStatus.Planning, "uncertainty", "6"), (second.Status, second.Strategy, second.BudgetRequested));
        Assert.Equal(2, loop.Scheduling.Triggered.Count);

        // Round 2 is the last of the run: closing it early keeps its answers and starts nothing.
        await RunLastJobAsync(loop, tenant.Id);
        var served = await loop.Tasks.NextAsync(tenant.Id, project.Project.Id, annotator.Id);
        Assert.Equal(NextTaskStatus.Assigned, served!.Status);
        Assert.True(await loop.Service.CloseAsync(tenant.Id, project.Project.Id, 2));
        var closed = (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 2))!;
        Assert.Equal((RoundStatus.Completed, 0), (closed.Status, closed.Answered));
        Assert.Equal(2, loop.Scheduling.Triggered.Count);
        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => loop.Service.CloseAsync(tenant.Id, project.Project.Id, 2));
        Assert.Equal("round", ex.Field);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Plan_InterruptedPartWay_LeavesNothingHalfDoneAndTheRecoveredRunFinishesIt(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Loop");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 200, aiError: 0.25);
        var loop = Create(db);
        await loop.Service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("10"));
        var roundId = Guid.Parse(loop.Scheduling.Triggered[^1].Args.GetString(RunRlthfRoundJob.RoundIdKey)!);

        // The process dies while the reward model trains: here, the job's token is cancelled at the first progress report from the folds.
        using var dying = new CancellationTokenSource();
        var progress = new CancelAt(dying, percent: 20);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop.Service.PlanAsync(tenant.Id, roundId, progress, dying.Token));
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            Assert.Equal(RoundStatus.Planning, (await ctx.RlthfRounds.SingleAsync()).Status);
            Assert.Equal(0, await ctx.RlthfRoundItems.CountAsync());
            Assert.Equal(0, await ctx.Items.CountAsync(i => i.Overlap != null));
        }

        // Hangfire runs a job again when its node died: the run plans the round from the start.
        await loop.Service.PlanAsync(tenant.Id, roundId, null, CancellationToken.None);
        var round = (await loop.Service.RoundAsync(tenant.Id, project.Project.Id, 1))!;
        Assert.Equal((RoundStatus.AwaitingHumans, 10, 1), (round.Status, round.Selected, round.Model!.Version));
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            Assert.Equal(200, await ctx.RlthfRoundItems.CountAsync());
            Assert.Equal(10, await ctx.Items.CountAsync(i => i.Overlap == 1));
        }
    }

    private sealed class CancelAt(CancellationTokenSource source, int percent) : IJobProgress
    {
        public ValueTask ReportAsync(int value, string? message = null)
        {
            if (value >= percent)
            {
                source.Cancel();
            }

            return ValueTask.CompletedTask;
        }
    }
}
