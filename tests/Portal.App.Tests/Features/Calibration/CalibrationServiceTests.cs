using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Calibration;
using Portal.App.Features.Gold;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Calibration;

public class CalibrationServiceTests
{
    private static readonly ProjectSettings PlainPairs = ProjectSettings.Default with
    {
        Pairwise = new PairwiseOptions { StrengthLevels = 0, AllowBothBad = false },
        Gold = new GoldOptions { Rate = 0 },
    };

    private sealed record Setup(TestDatabase Db, TestTenant Tenant, ManualClock Clock, CalibrationService Calibration, Project Project, List<Item> Items,
        List<Guid> Annotators, Guid Paused) : IAsyncDisposable
    {
        public Guid Admin => Tenant.Member(OrgRoles.ProjectAdmin).Id;

        public ValueTask DisposeAsync() => Db.DisposeAsync();

        public Task<MyCalibrationAnswer?> AnswerAsync(int annotator, int item, PreferenceChoice choice, string? why = null, int round = 1) =>
            Calibration.AnswerAsync(Tenant.Id, Project.Id, round, Annotators[annotator], Items[item].Id, new CalibrationAnswerInput(choice, Rationale: why));
    }

    /// <summary>
    /// A pairwise project of <paramref name="items"/> items; four active annotators (the tenant's and three more) and a
    /// fifth who is paused in the project.
    /// </summary>
    private static async Task<Setup> SetUpAsync(TestProvider provider, ProjectKind kind = ProjectKind.Pairwise, int items = 4)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Calibrate");
        var clock = new ManualClock();
        var project = await db.CreateTaskProjectAsync(tenant.Id, kind, items: items, settings: kind == ProjectKind.Likert ? ProjectSettings.Default with
        {
            Attributes = [new("helpfulness", "Helpfulness", "Does it help?"), new("safety", "Safety", "Is it safe?")],
            Gold = new GoldOptions { Rate = 0 },
        } : PlainPairs);
        var more = await db.CreateAnnotatorsAsync(tenant.Id, 4);
        List<Item> list;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            list = await ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).ToListAsync();
            ctx.ProjectAnnotators.Add(new ProjectAnnotator { ProjectId = project.Id, AnnotatorId = more[3].Id, PausedAt = DateTime.UtcNow, PauseReason = "test", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        var calibration = new CalibrationService(db.Factory, new GoldService(db.Factory), clock);
        return new Setup(db, tenant, clock, calibration, project, list, [tenant.Member(OrgRoles.Annotator).Id, .. more.Take(3).Select(u => u.Id)], more[3].Id);
    }

    private static Task<CalibrationRoundView?> OpenAsync(Setup s, params int[] items) =>
        s.Calibration.OpenAsync(s.Tenant.Id, s.Project.Id, s.Admin, new OpenCalibrationInput("Round", [.. items.Select(i => s.Items[i].Id)]));

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Open_BadInput_NamesEveryFieldAndOpensNothing(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var elsewhere = await s.Db.CreateTestTenantAsync("Elsewhere");
        var (foreignProject, foreignItem) = (elsewhere.Project, elsewhere.Item);

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => s.Calibration.OpenAsync(s.Tenant.Id, s.Project.Id, s.Admin,
            new OpenCalibrationInput(" ", [s.Items[0].Id, foreignItem.Id, s.Items[0].Id], new Dictionary<Guid, string> { [s.Items[1].Id] = "not in it" })));
        var fields = ex.Problems.Select(p => p.Field).ToList();
        Assert.Equal(["title", "itemIds[1]", "itemIds[2]", $"explanations.{s.Items[1].Id}"], fields);
        Assert.Contains("twice", ex.Problems[2].Message, StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<ValidationProblemsException>(() => s.Calibration.OpenAsync(s.Tenant.Id, s.Project.Id, s.Admin, new OpenCalibrationInput("T", [])));
        Assert.Equal("itemIds", Assert.Single(empty.Problems).Field);

        Assert.Empty((await s.Calibration.ListAsync(s.Tenant.Id, s.Project.Id))!);
        Assert.Null(await s.Calibration.OpenAsync(s.Tenant.Id, foreignProject.Id, s.Admin, new OpenCalibrationInput("T", [foreignItem.Id])));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Open_ProjectOfChosenAnnotatorsOnly_TakesOnlyTheChosenWhoAreNotPaused(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var annotators = new ProjectAnnotatorService(s.Db.Factory, s.Clock);
        await annotators.SetChosenAsync(s.Tenant.Id, s.Project.Id, chosenOnly: true, [s.Annotators[1], s.Annotators[2], s.Paused]);

        var opened = await OpenAsync(s, 0);
        var stranger = await s.AnswerAsync(0, 0, PreferenceChoice.A);
        var chosen = await s.AnswerAsync(1, 0, PreferenceChoice.A);

        Assert.Equal(2, opened!.Participants);
        Assert.Null(stranger);
        Assert.NotNull(chosen);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Round_FourAnnotatorsAnswerAndTheAdminCloses_ConsensusAndDisagreementAsCountedByHand(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var opened = await OpenAsync(s, 0, 1, 2);
        Assert.Equal((1, 3, 4, CalibrationStatus.Open), (opened!.Number, opened.Items, opened.Participants, opened.Status));

        // The paused annotator is not a participant; nobody sees another's answer while the round is open.
        Assert.Null(await s.Calibration.SheetAsync(s.Tenant.Id, s.Project.Id, 1, s.Paused));
        Assert.Null(await s.Calibration.AnswerAsync(s.Tenant.Id, s.Project.Id, 1, s.Paused, s.Items[0].Id, new CalibrationAnswerInput(PreferenceChoice.A)));

        // Item 0: A A B A. Item 1: A B (split). Item 2: B B B B.
        foreach (var (annotator, choice) in new[] { (0, PreferenceChoice.A), (1, PreferenceChoice.A), (2, PreferenceChoice.B), (3, PreferenceChoice.A) })
        {
            await s.AnswerAsync(annotator, 0, choice, why: $"reason {annotator}");
        }

        await s.AnswerAsync(0, 1, PreferenceChoice.A);
        await s.AnswerAsync(1, 1, PreferenceChoice.B);
        for (var annotator = 0; annotator < 4; annotator++)
        {
            await s.AnswerAsync(annotator, 2, annotator == 3 ? PreferenceChoice.A : PreferenceChoice.B);
        }

        // Annotator 3 changes their mind on item 2 before the close: the answer is replaced, not added.
        await s.AnswerAsync(3, 2, PreferenceChoice.B);

        var open = await s.Calibration.SheetAsync(s.Tenant.Id, s.Project.Id, 1, s.Annotators[2]);
        Assert.Equal(2, open!.Answered);
        Assert.All(open.Items, i => Assert.Null(i.Feedback));
        Assert.Equal(PreferenceChoice.B, open.Items[0].Mine!.Choice);
        Assert.Null(open.Items[1].Mine);

        await s.Calibration.SetExplanationAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[0].Id, "A answers the **question**.");
        var closed = await s.Calibration.CloseAsync(s.Tenant.Id, s.Project.Id, 1, s.Admin);
        Assert.Equal((CalibrationStatus.Closed, 10), (closed!.Status, closed.Answers));
        await Assert.ThrowsAsync<CalibrationConflictException>(() => s.AnswerAsync(0, 1, PreferenceChoice.B));
        await Assert.ThrowsAsync<CalibrationConflictException>(() => s.Calibration.CloseAsync(s.Tenant.Id, s.Project.Id, 1, s.Admin));

        var report = await s.Calibration.ReportAsync(s.Tenant.Id, s.Project.Id, 1);
        var items = report!.Items;
        Assert.Equal([PreferenceChoice.A, null, PreferenceChoice.B], items.Select(i => i.Consensus));
        Assert.Equal([false, true, false], items.Select(i => i.Split));
        Assert.Equal([1, 0, 0], items.Select(i => i.Differed));
        Assert.Equal([4, 2, 4], items.Select(i => i.Answers));
        Assert.Equal(0.25, items[0].Disagreement!.Value, 12);
        Assert.Equal(["choice"], items[0].AnswerList.Single(a => a.AnnotatorId == s.Annotators[2]).DifferedOn);

        var byAnnotator = report.Annotators.ToDictionary(a => a.AnnotatorId);
        Assert.Equal((3, 2, 0), (byAnnotator[s.Annotators[0]].Answered, byAnnotator[s.Annotators[0]].Compared, byAnnotator[s.Annotators[0]].Differed));
        Assert.Equal((2, 2, 1), (byAnnotator[s.Annotators[2]].Answered, byAnnotator[s.Annotators[2]].Compared, byAnnotator[s.Annotators[2]].Differed));
        Assert.Equal(0.5, byAnnotator[s.Annotators[2]].DifferedShare!.Value, 12);
        Assert.Equal(s.Annotators[2], report.Annotators[0].AnnotatorId);

        // Nominal α by hand: o_AA 2, o_AB = o_BA 2, o_BB 4; n_A 4, n_B 6; 1 - (4/10) / (48/90) = 0.25.
        Assert.Equal(0.25, report.Alpha!.Value, 9);

        var feedback = await s.Calibration.SheetAsync(s.Tenant.Id, s.Project.Id, 1, s.Annotators[2]);
        Assert.Equal(1, feedback!.Differed);
        var first = feedback.Items[0].Feedback!;
        Assert.Equal((4, PreferenceChoice.A, 3, 1), (first.Answers, first.Consensus, first.Choices[PreferenceChoice.A], first.Choices[PreferenceChoice.B]));
        Assert.Equal(["choice"], first.DifferedOn);
        Assert.Equal("A answers the **question**.", first.Explanation);
        Assert.Equal(["reason 0", "reason 1", "reason 3"], first.Rationales.Order(StringComparer.Ordinal));
        Assert.True(feedback.Items[1].Feedback!.Split);
        Assert.Empty(feedback.Items[2].Feedback!.DifferedOn);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Answer_SameTwiceOrBad_OneRowAndFieldErrors(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        await OpenAsync(s, 0);

        var first = await s.AnswerAsync(0, 0, PreferenceChoice.Tie, why: "equal");
        s.Clock.Advance(TimeSpan.FromMinutes(5));
        var again = await s.AnswerAsync(0, 0, PreferenceChoice.Tie, why: "equal");
        Assert.Equal(first!.UpdatedAt, again!.UpdatedAt);

        var bothBad = await Assert.ThrowsAsync<ValidationProblemsException>(() => s.AnswerAsync(1, 0, PreferenceChoice.BothBad));
        Assert.Equal("choice", Assert.Single(bothBad.Problems).Field);
        var none = await Assert.ThrowsAsync<ValidationProblemsException>(() =>
            s.Calibration.AnswerAsync(s.Tenant.Id, s.Project.Id, 1, s.Annotators[1], s.Items[0].Id, new CalibrationAnswerInput(Scores: new Dictionary<string, int> { ["x"] = 1 })));
        Assert.Equal(["choice", "scores"], none.Problems.Select(p => p.Field));

        // An item that is not in the round, and a round that does not exist.
        Assert.Null(await s.AnswerAsync(0, 1, PreferenceChoice.A));
        Assert.Null(await s.AnswerAsync(0, 0, PreferenceChoice.A, round: 2));

        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(1, await ctx.CalibrationAnswers.CountAsync());
        Assert.Equal(0, await ctx.Annotations.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Promote_ClosedRoundWithConsensusAndExplanation_MakesTheItemGoldOnce(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        await OpenAsync(s, 0, 1);
        foreach (var (annotator, choice) in new[] { (0, PreferenceChoice.B), (1, PreferenceChoice.B), (2, PreferenceChoice.A) })
        {
            await s.AnswerAsync(annotator, 0, choice);
        }

        await s.AnswerAsync(0, 1, PreferenceChoice.A);
        await s.AnswerAsync(1, 1, PreferenceChoice.B);

        await Assert.ThrowsAsync<CalibrationConflictException>(() => s.Calibration.PromoteAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[0].Id));
        await s.Calibration.CloseAsync(s.Tenant.Id, s.Project.Id, 1, s.Admin);

        var unexplained = await Assert.ThrowsAsync<ValidationProblemsException>(() => s.Calibration.PromoteAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[0].Id));
        Assert.Equal("explanation", Assert.Single(unexplained.Problems).Field);
        var split = await Assert.ThrowsAsync<ValidationProblemsException>(() => s.Calibration.PromoteAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[1].Id));
        Assert.Equal(["consensus", "explanation"], split.Problems.Select(p => p.Field));

        await s.Calibration.SetExplanationAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[0].Id, "B cites its source.");
        var row = await s.Calibration.PromoteAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[0].Id);
        Assert.True(row!.IsGold);
        Assert.Equal((PreferenceChoice.B, "B cites its source."), (row.Gold!.Choice, row.Gold.Explanation));
        await Assert.ThrowsAsync<CalibrationConflictException>(() => s.Calibration.PromoteAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[0].Id));

        var report = await s.Calibration.ReportAsync(s.Tenant.Id, s.Project.Id, 1);
        Assert.NotNull(report!.Items[0].PromotedAt);
        Assert.True(report.Items[0].IsGold);
        Assert.Null(report.Items[1].PromotedAt);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Likert_EveryAttributeOnItsScale_PromotedGoldTakesTheRoundedMedians(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, ProjectKind.Likert, items: 2);
        await OpenAsync(s, 0);

        var missing = await Assert.ThrowsAsync<ValidationProblemsException>(() => s.Calibration.AnswerAsync(s.Tenant.Id, s.Project.Id, 1, s.Annotators[0], s.Items[0].Id,
            new CalibrationAnswerInput(PreferenceChoice.A, new Dictionary<string, int> { ["helpfulness"] = 9 })));
        Assert.Equal(["choice", "scores.helpfulness", "scores.safety"], missing.Problems.Select(p => p.Field));
        Assert.Contains("1–7, not 9", missing.Problems[1].Message, StringComparison.Ordinal);

        // helpfulness 3, 4, 6, 7: median 5 (rounded from 5); safety 6, 7, 7, 7: median 7.
        var scores = new[] { (3, 6), (4, 7), (6, 7), (7, 7) };
        for (var a = 0; a < 4; a++)
        {
            await s.Calibration.AnswerAsync(s.Tenant.Id, s.Project.Id, 1, s.Annotators[a], s.Items[0].Id,
                new CalibrationAnswerInput(Scores: new Dictionary<string, int> { ["helpfulness"] = scores[a].Item1, ["safety"] = scores[a].Item2 }));
        }

        await s.Calibration.CloseAsync(s.Tenant.Id, s.Project.Id, 1, s.Admin);
        var report = await s.Calibration.ReportAsync(s.Tenant.Id, s.Project.Id, 1);
        var item = report!.Items[0];
        Assert.Equal([5.0, 7.0], item.Scores.Select(x => x.Median));
        // |3 - 5| = 2 and |7 - 5| = 2 are more than a point away; so is |6 - 7|? No: 1 is within the tolerance.
        Assert.Equal(2, item.Differed);
        Assert.NotNull(report.Alpha);

        await s.Calibration.SetExplanationAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[0].Id, "Helpful enough, and safe.");
        var row = await s.Calibration.PromoteAsync(s.Tenant.Id, s.Project.Id, 1, s.Items[0].Id);
        Assert.Equal(new Dictionary<string, int> { ["helpfulness"] = 5, ["safety"] = 7 }, row!.Gold!.Scores);
        Assert.Null(row.Gold.Choice);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task TaskStream_ItemRatedInCalibration_IsNotServedToThatAnnotatorAgain(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, items: 1);
        await OpenAsync(s, 0);
        await s.AnswerAsync(0, 0, PreferenceChoice.A);
        var tasks = new TaskService(s.Db.Factory, s.Clock);

        var participant = await tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotators[0]);
        Assert.Equal(NextTaskStatus.NothingLeft, participant!.Status);

        // A participant who has not answered it yet still gets it as a task.
        var other = await tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotators[1]);
        Assert.Equal(NextTaskStatus.Assigned, other!.Status);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task EveryCall_AnotherOrganisation_SeesAndChangesNothing(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        await OpenAsync(s, 0);
        await s.AnswerAsync(0, 0, PreferenceChoice.A);
        var other = await s.Db.CreateTestTenantAsync("Other");

        Assert.Null(await s.Calibration.ListAsync(other.Id, s.Project.Id));
        Assert.Null(await s.Calibration.ReportAsync(other.Id, s.Project.Id, 1));
        Assert.Null(await s.Calibration.SheetAsync(other.Id, s.Project.Id, 1, s.Annotators[0]));
        Assert.False(await s.Calibration.SetExplanationAsync(other.Id, s.Project.Id, 1, s.Items[0].Id, "x"));
        Assert.Null(await s.Calibration.CloseAsync(other.Id, s.Project.Id, 1, s.Admin));
        Assert.Null(await s.Calibration.PromoteAsync(other.Id, s.Project.Id, 1, s.Items[0].Id));
        Assert.Null(await s.Calibration.AnswerAsync(other.Id, s.Project.Id, 1, s.Annotators[1], s.Items[0].Id, new CalibrationAnswerInput(PreferenceChoice.B)));
        Assert.Empty(await s.Calibration.MineAsync(other.Id, s.Annotators[0]));

        var mine = Assert.Single(await s.Calibration.MineAsync(s.Tenant.Id, s.Annotators[0]));
        Assert.Equal((1, 1, CalibrationStatus.Open), (mine.Answered, mine.Items, mine.Status));
        var report = await s.Calibration.ReportAsync(s.Tenant.Id, s.Project.Id, 1);
        Assert.Equal((CalibrationStatus.Open, 1, ""), (report!.Round.Status, report.Round.Answers, report.Items[0].Explanation));
    }
}
