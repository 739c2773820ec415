using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Annotations;

public class TaskServiceTests
{
    private static readonly ProjectSettings NoGold = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } };

    private static readonly ProjectSettings PlainPairs = NoGold with
    {
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
    };

    private static AnnotationInput Pick(ShownChoice choice, string? key = null) => new(key ?? Guid.NewGuid().ToString(), Choice: choice);

    private sealed record Setup(TestDatabase Db, TestTenant Tenant, ManualClock Clock, TaskService Tasks) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Db.DisposeAsync();
    }

    private static async Task<Setup> SetUpAsync(TestProvider provider)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Tasks");
        var clock = new ManualClock();
        return new Setup(db, tenant, clock, new TaskService(db.Factory, clock));
    }

    private static async Task<TaskView> NextTaskAsync(Setup s, Guid projectId, Guid annotatorId)
    {
        var next = await s.Tasks.NextAsync(s.Tenant.Id, projectId, annotatorId);
        Assert.NotNull(next);
        Assert.Equal(NextTaskStatus.Assigned, next.Status);
        return next.Task!;
    }

    [Fact]
    public async Task Next_ResponseOfSeveralTurns_ComesWithItsTurnsOnItsSide()
    {
        await using var s = await SetUpAsync(TestProvider.Sqlite);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 1, settings: PlainPairs);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            await ctx.Items.Where(i => i.ProjectId == project.Id).ExecuteUpdateAsync(x => x
                .SetProperty(i => i.ResponseA, "Call a locksmith.\n\nHuman: Thanks.")
                .SetProperty(i => i.ResponseTurnsAJson, """[{"role":"assistant","content":"Call a locksmith."},{"role":"user","content":"Thanks."}]"""));
        }

        var task = await NextTaskAsync(s, project.Id, s.Tenant.Member(OrgRoles.Annotator).Id);

        var (multi, single, singleText) = task.Left.StartsWith("Call", StringComparison.Ordinal)
            ? (task.LeftTurns, task.RightTurns, task.Right)
            : (task.RightTurns, task.LeftTurns, task.Left);
        Assert.Equal([new Portal.Core.Pairs.Turn("assistant", "Call a locksmith."), new Portal.Core.Pairs.Turn("user", "Thanks.")], multi);
        Assert.Null(single);
        Assert.False(string.IsNullOrEmpty(singleText));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Projects_AnnotatorHoldsAnItemsLastSlot_CountsItAsLeftForThemAloneUntilAnswered(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 3, overlap: 1, settings: PlainPairs);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var other = (await s.Db.AddMembersAsync(s.Tenant.Id, 1, "Other")).Single().Id;
        async Task<(int Available, int DoneByMe)> ListedAsync(Guid annotatorId)
        {
            var listed = Assert.Single(await s.Tasks.ProjectsAsync(s.Tenant.Id, annotatorId), p => p.ProjectId == project.Id);
            return (listed.Available, listed.DoneByMe);
        }

        var task = await NextTaskAsync(s, project.Id, me);

        // The held item is still mine to answer; for the other annotator its only slot is taken.
        Assert.Equal((3, 0), await ListedAsync(me));
        Assert.Equal((2, 0), await ListedAsync(other));

        await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, Pick(ShownChoice.Left));

        Assert.Equal((2, 1), await ListedAsync(me));
        Assert.Equal((2, 0), await ListedAsync(other));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_ItemsWithPriorities_LeasesTheHighestPriorityFirst(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 5, settings: PlainPairs);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            await ctx.Items.Where(i => i.ExternalId == "item-004").ExecuteUpdateAsync(x => x.SetProperty(i => i.Priority, 10));
        }

        var task = await NextTaskAsync(s, project.Id, s.Tenant.Member(OrgRoles.Annotator).Id);

        Assert.Contains(task.Left, new[] { "Answer A4", "Answer B4" });
        Assert.Equal("Question 4?", Assert.Single(task.Conversation).Content);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_AnnotatorHoldsLiveLease_GetsTheSameTaskWithItsDraft(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, settings: PlainPairs);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var first = await NextTaskAsync(s, project.Id, me);

        Assert.True(await s.Tasks.SaveDraftAsync(s.Tenant.Id, first.AssignmentId, me, """{"choice":"Left"}"""));
        var again = await NextTaskAsync(s, project.Id, me);

        Assert.Equal(first.AssignmentId, again.AssignmentId);
        Assert.Equal(first.Left, again.Left);
        Assert.Equal("""{"choice":"Left"}""", again.DraftJson);
        var got = await s.Tasks.GetAsync(s.Tenant.Id, first.AssignmentId, me);
        Assert.Equal((again.AssignmentId, again.Left, again.DraftJson), (got!.AssignmentId, got.Left, got.DraftJson));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_ItemRatedByOverlapAnnotators_IsOfferedToNoOneElse(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 1, overlap: 2, settings: PlainPairs);
        var annotators = await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 3);

        foreach (var a in annotators.Take(2))
        {
            var task = await NextTaskAsync(s, project.Id, a.Id);
            await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, a.Id, Pick(ShownChoice.Left));
        }

        var third = await s.Tasks.NextAsync(s.Tenant.Id, project.Id, annotators[2].Id);
        Assert.Equal(NextTaskStatus.NothingLeft, third!.Status);

        // Nor again to someone who already rated it.
        Assert.Equal(NextTaskStatus.NothingLeft, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, annotators[0].Id))!.Status);
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(2, await ctx.Annotations.CountAsync());
        Assert.Equal(2, await ctx.Items.Where(i => i.ProjectId == project.Id).Select(i => i.Claimed).SingleAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_ProjectOfAnotherOrganisation_ReturnsNull(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var other = await s.Db.CreateTestTenantAsync("Other");
        var project = await s.Db.CreateTaskProjectAsync(other.Id);

        Assert.Null(await s.Tasks.NextAsync(s.Tenant.Id, project.Id, s.Tenant.Member(OrgRoles.Annotator).Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_SameKeyTwice_StoresOneAnnotationAndReplays(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, settings: PlainPairs);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var task = await NextTaskAsync(s, project.Id, me);

        var first = await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, Pick(ShownChoice.Right, "key-1"));
        var second = await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, Pick(ShownChoice.Right, "key-1"));

        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.AnnotationId, second.AnnotationId);
        var conflict = await Assert.ThrowsAsync<TaskConflictException>(() =>
            s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, Pick(ShownChoice.Left, "key-2")));
        Assert.Contains("already answered", conflict.Message, StringComparison.Ordinal);
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(1, await ctx.Annotations.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_TwoAtOnce_StoresOneAnnotation(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, settings: PlainPairs);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var task = await NextTaskAsync(s, project.Id, me);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, Pick(ShownChoice.Left, "double-click")))));

        Assert.Single(results, r => !r.Replayed);
        Assert.Single(results.Select(r => r.AnnotationId).Distinct());
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(1, await ctx.Annotations.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_AfterLeaseExpiredAndItemReleased_IsRefusedAndStoresNothing(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 1, overlap: 1, settings: PlainPairs);
        var (late, other) = (s.Tenant.Member(OrgRoles.Annotator).Id, (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1))[0].Id);
        var task = await NextTaskAsync(s, project.Id, late);

        s.Clock.Advance(TimeSpan.FromMinutes(project.LeaseMinutes + 1));
        Assert.Equal(1, await new ExpireLeasesJob(s.Db.Factory, s.Clock, NullLogger<ExpireLeasesJob>.Instance, new JobProgressBoard()).ExpireAsync(s.Tenant.Id, CancellationToken.None));
        var released = await NextTaskAsync(s, project.Id, other);
        var refused = await Assert.ThrowsAsync<TaskConflictException>(() => s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, late, Pick(ShownChoice.Left)));

        Assert.Contains("went to another annotator", refused.Message, StringComparison.Ordinal);
        await s.Tasks.SubmitAsync(s.Tenant.Id, released.AssignmentId, other, Pick(ShownChoice.Left));
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(other, (await ctx.Annotations.SingleAsync()).AnnotatorId);
        Assert.Equal(1, await ctx.Items.Where(i => i.ProjectId == project.Id).Select(i => i.Claimed).SingleAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_AfterLeaseExpiredWithRoomLeft_IsStored(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 1, overlap: 1, settings: PlainPairs);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var task = await NextTaskAsync(s, project.Id, me);

        s.Clock.Advance(TimeSpan.FromMinutes(project.LeaseMinutes + 1));
        await new ExpireLeasesJob(s.Db.Factory, s.Clock, NullLogger<ExpireLeasesJob>.Instance, new JobProgressBoard()).ExpireAsync(null, CancellationToken.None);
        var result = await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, Pick(ShownChoice.Left));

        Assert.False(result.Replayed);
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(1, await ctx.Items.Where(i => i.ProjectId == project.Id).Select(i => i.Claimed).SingleAsync());
        Assert.Equal(AssignmentStatus.Submitted, (await ctx.Assignments.SingleAsync()).Status);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_ShownChoice_IsStoredInTheItemsTermsWithTheSideShown(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 12, overlap: 1, settings: NoGold);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var sides = new List<bool>();
        for (var i = 0; i < 12; i++)
        {
            var task = await NextTaskAsync(s, project.Id, me);
            sides.Add(task.Left.StartsWith("Answer A", StringComparison.Ordinal));
            await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, new AnnotationInput(Guid.NewGuid().ToString(), Choice: ShownChoice.Left, Strength: 2, TimeOnTaskMs: 1500));
        }

        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var stored = await ctx.Annotations.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToListAsync();
        Assert.All(stored, a => Assert.Equal(a.LeftIsA ? PreferenceChoice.A : PreferenceChoice.B, a.Choice));
        Assert.All(stored, a => Assert.Equal(2, a.Strength));
        Assert.All(stored, a => Assert.Equal(1500, a.TimeOnTaskMs));
        Assert.Equal(sides.Order(), stored.Select(a => a.LeftIsA).Order());

        // Randomised per assignment: 12 fair coins all landing the same way has odds of 1 in 2048.
        Assert.Contains(true, sides);
        Assert.Contains(false, sides);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_LikertWithBadScores_NamesTheFieldAndStoresNothing(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var settings = NoGold with { Attributes = [new("helpfulness", "Helpfulness", "", 1, 7), new("safety", "Safety", "", 1, 5)] };
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, ProjectKind.Likert, settings: settings);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var task = await NextTaskAsync(s, project.Id, me);
        Assert.Null(task.Right);

        var missing = await Assert.ThrowsAsync<PortalValidationException>(() => s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me,
            new AnnotationInput("k", Scores: new Dictionary<string, int> { ["helpfulness"] = 5 })));
        var outOfRange = await Assert.ThrowsAsync<PortalValidationException>(() => s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me,
            new AnnotationInput("k", Scores: new Dictionary<string, int> { ["helpfulness"] = 5, ["safety"] = 6 })));
        var unknown = await Assert.ThrowsAsync<PortalValidationException>(() => s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me,
            new AnnotationInput("k", Scores: new Dictionary<string, int> { ["helpfulness"] = 5, ["safety"] = 4, ["tone"] = 3 })));

        Assert.Equal("scores.safety", missing.Field);
        Assert.Equal("scores.safety", outOfRange.Field);
        Assert.Contains("not 6", outOfRange.Message, StringComparison.Ordinal);
        Assert.Equal("scores.tone", unknown.Field);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            Assert.Equal(0, await ctx.Annotations.CountAsync());
        }

        await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me,
            new AnnotationInput("k", Scores: new Dictionary<string, int> { ["helpfulness"] = 5, ["safety"] = 4 }, Comment: "  fine  "));
        await using var after = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var stored = await after.Annotations.SingleAsync();
        Assert.Equal(new Dictionary<string, int> { ["helpfulness"] = 5, ["safety"] = 4 }, stored.Scores);
        Assert.Equal("fine", stored.Comment);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_PairwiseOptions_AreEnforced(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var settings = NoGold with
        {
            Attributes = [new("helpfulness", "Helpfulness", "")],
            Pairwise = new PairwiseOptions { AllowTie = false, StrengthLevels = 3, PerAttribute = true, RequireRationale = true, RationaleMinLength = 10 },
        };
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, settings: settings);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var task = await NextTaskAsync(s, project.Id, me);
        var perAttribute = new Dictionary<string, ShownChoice> { ["helpfulness"] = ShownChoice.Left };

        async Task<string> FieldOf(AnnotationInput input) =>
            (await Assert.ThrowsAsync<PortalValidationException>(() => s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, input))).Field;

        Assert.Equal("choice", await FieldOf(new AnnotationInput("k")));
        Assert.Equal("choice", await FieldOf(new AnnotationInput("k", Choice: ShownChoice.Tie)));
        Assert.Equal("strength", await FieldOf(new AnnotationInput("k", Choice: ShownChoice.Left, Strength: 4)));
        Assert.Equal("attributeChoices.helpfulness", await FieldOf(new AnnotationInput("k", Choice: ShownChoice.Left, Strength: 1)));
        Assert.Equal("rationale", await FieldOf(new AnnotationInput("k", Choice: ShownChoice.Left, Strength: 1, AttributeChoices: perAttribute, Rationale: "short")));
        Assert.Equal("idempotencyKey", await FieldOf(new AnnotationInput(" ", Choice: ShownChoice.Left)));

        await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me,
            new AnnotationInput("k", Choice: ShownChoice.BothBad, AttributeChoices: perAttribute, Rationale: "Neither answers the question."));
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var stored = await ctx.Annotations.SingleAsync();
        Assert.Equal(PreferenceChoice.BothBad, stored.Choice);
        Assert.Null(stored.Strength);
        Assert.Equal(stored.LeftIsA ? PreferenceChoice.A : PreferenceChoice.B, stored.AttributeChoices!["helpfulness"]);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Skip_ReturnsTheItemToOthersButNotToTheSkipper(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 1, overlap: 1, settings: PlainPairs);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var other = (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1))[0].Id;
        var task = await NextTaskAsync(s, project.Id, me);

        await Assert.ThrowsAsync<PortalValidationException>(() => s.Tasks.SkipAsync(s.Tenant.Id, task.AssignmentId, me, " ", ContentFlags.None));
        await s.Tasks.SkipAsync(s.Tenant.Id, task.AssignmentId, me, "Not my language", ContentFlags.WrongLanguage);
        await s.Tasks.SkipAsync(s.Tenant.Id, task.AssignmentId, me, "Not my language", ContentFlags.WrongLanguage);

        Assert.Equal(NextTaskStatus.NothingLeft, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me))!.Status);
        await NextTaskAsync(s, project.Id, other);
        await Assert.ThrowsAsync<TaskConflictException>(() => s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, Pick(ShownChoice.Left)));
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var skipped = await ctx.Assignments.SingleAsync(a => a.AnnotatorId == me);
        Assert.Equal((AssignmentStatus.Skipped, ContentFlags.WrongLanguage, "Not my language"), (skipped.Status, skipped.Flags, skipped.SkipReason));
        Assert.Equal(1, await ctx.Items.Where(i => i.ProjectId == project.Id).Select(i => i.Claimed).SingleAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Task_OfAnotherAnnotator_IsNotFound(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, settings: PlainPairs);
        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var other = (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1))[0].Id;
        var task = await NextTaskAsync(s, project.Id, me);

        await Assert.ThrowsAsync<TaskNotFoundException>(() => s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, other, Pick(ShownChoice.Left)));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => s.Tasks.SkipAsync(s.Tenant.Id, task.AssignmentId, other, "x", ContentFlags.None));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => s.Tasks.SaveDraftAsync(s.Tenant.Id, task.AssignmentId, other, "{}"));
        Assert.Null(await s.Tasks.GetAsync(s.Tenant.Id, task.AssignmentId, other));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Gold_MixedInAtTheRate_WrongAnswersPauseTheAnnotatorAndTellTheAdmin(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var settings = PlainPairs with { Gold = new GoldOptions { Rate = 1, MinAnswers = 2, PauseBelow = 0.6, ShowExplanation = true } };
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 6, overlap: 1, settings: settings);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            await ctx.Items.Where(i => i.ExternalId == "item-001" || i.ExternalId == "item-002" || i.ExternalId == "item-003")
                .ExecuteUpdateAsync(x => x
                    .SetProperty(i => i.IsGold, true)
                    .SetProperty(i => i.Gold, new GoldAnswer { Choice = PreferenceChoice.A, Explanation = "A answers the question." }));
        }

        var me = s.Tenant.Member(OrgRoles.Annotator).Id;
        var feedback = new List<(GoldFeedback? Feedback, ShownChoice Picked)>();
        for (var i = 0; i < 2; i++)
        {
            var task = await NextTaskAsync(s, project.Id, me);

            // Always the response that is not A: wrong on every gold item.
            var notA = task.Left.StartsWith("Answer A", StringComparison.Ordinal) ? ShownChoice.Right : ShownChoice.Left;
            feedback.Add(((await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, me, Pick(notA))).Feedback, notA));
        }

        // Rate 1: every task is gold while unseen gold items remain; the second wrong gold answer pauses. The expected
        // answer is told in the sides the annotator saw: the one they did not pick.
        Assert.Equal(2, feedback.Count(f => f.Feedback is not null));
        Assert.All(feedback, f => Assert.Equal(
            new GoldFeedback(false, "A answers the question.", f.Picked == ShownChoice.Right ? "A is better" : "B is better"), f.Feedback));

        // Gold items count neither as tasks for the annotator nor as done by them.
        var listed = Assert.Single(await s.Tasks.ProjectsAsync(s.Tenant.Id, me), p => p.ProjectId == project.Id);
        Assert.Equal(0, listed.DoneByMe);
        Assert.Equal(3, listed.Available);
        var paused = await s.Tasks.NextAsync(s.Tenant.Id, project.Id, me);
        Assert.Equal(NextTaskStatus.Paused, paused!.Status);
        Assert.Contains("gold accuracy 0%", paused.Message, StringComparison.Ordinal);
        await using var after = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var standing = await after.ProjectAnnotators.SingleAsync(a => a.AnnotatorId == me);
        Assert.Equal((2, 2, 2, 0), (standing.TasksServed, standing.GoldServed, standing.GoldAnswered, standing.GoldCorrect));
        Assert.Contains("paused automatically", (await after.ProjectNotices.SingleAsync()).Message, StringComparison.Ordinal);
        Assert.Equal(2, await after.Annotations.CountAsync(a => a.GoldCorrect == false));
        Assert.True((await s.Tasks.ProjectsAsync(s.Tenant.Id, me)).Single(p => p.ProjectId == project.Id).Paused);

        // Gold items claim nothing against the overlap.
        Assert.All(await after.Items.Where(i => i.IsGold).ToListAsync(), i => Assert.Equal(0, i.Claimed));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_ManyAnnotatorsAtOnce_NoItemExceedsItsOverlap(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 10, overlap: 3, settings: PlainPairs);
        var annotators = await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 8);
        var stored = 0;

        await Task.WhenAll(annotators.Select(a => Task.Run(async () =>
        {
            while (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, a.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, a.Id, Pick(ShownChoice.Left));
                Interlocked.Increment(ref stored);
            }
        })));

        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var perItem = await ctx.Annotations.GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync();
        Assert.Equal(30, stored);
        Assert.Equal(30, await ctx.Annotations.CountAsync());
        Assert.Equal(Enumerable.Repeat(3, 10), perItem);
        Assert.Equal(30, await ctx.Annotations.Select(a => new { a.ItemId, a.AnnotatorId }).Distinct().CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ExpireLeases_ExpiredLease_ReturnsItsClaimSoTheItemIsOfferedAgain(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 1, overlap: 1, settings: PlainPairs);
        var (me, other) = (s.Tenant.Member(OrgRoles.Annotator).Id, (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1))[0].Id);
        await NextTaskAsync(s, project.Id, me);
        Assert.Equal(NextTaskStatus.NothingLeft, (await s.Tasks.NextAsync(s.Tenant.Id, project.Id, other))!.Status);

        s.Clock.Advance(TimeSpan.FromMinutes(project.LeaseMinutes + 1));
        await new ExpireLeasesJob(s.Db.Factory, s.Clock, NullLogger<ExpireLeasesJob>.Instance, new JobProgressBoard()).ExpireAsync(null, CancellationToken.None);

        await NextTaskAsync(s, project.Id, other);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Gold_AtARate_StaysWithinOneItemOfItAndIsNotAlwaysFirst(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var settings = PlainPairs with { Gold = new GoldOptions { Rate = 0.2, MinAnswers = 1000 } };
        var project = await s.Db.CreateTaskProjectAsync(s.Tenant.Id, items: 60, overlap: 8, settings: settings);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            var goldIds = Enumerable.Range(1, 20).Select(n => $"item-{n:D3}").ToList();
            await ctx.Items.Where(i => i.ProjectId == project.Id && goldIds.Contains(i.ExternalId!))
                .ExecuteUpdateAsync(x => x.SetProperty(i => i.IsGold, true).SetProperty(i => i.Gold, new GoldAnswer { Choice = PreferenceChoice.A, Explanation = "A." }));
        }

        var annotators = await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 8);
        var firstWasGold = new List<bool>();
        foreach (var a in annotators)
        {
            for (var i = 0; i < 25; i++)
            {
                var task = await NextTaskAsync(s, project.Id, a.Id);
                var result = await s.Tasks.SubmitAsync(s.Tenant.Id, task.AssignmentId, a.Id, Pick(ShownChoice.Left));
                if (i == 0)
                {
                    firstWasGold.Add(result.Feedback is not null);
                }

                await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
                var standing = await ctx.ProjectAnnotators.SingleAsync(x => x.ProjectId == project.Id && x.AnnotatorId == a.Id);
                Assert.InRange(standing.GoldServed, (0.2 * standing.TasksServed) - 1, (0.2 * standing.TasksServed) + 1);
            }
        }

        // A first task is gold with chance 0.2, so eight gold first tasks have odds of 1 in 390,625.
        Assert.Contains(false, firstWasGold);
    }
}
