using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Guidelines;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Guidelines;

/// <summary>
/// Issue #5's gaps: annotators who worked before the test are grandfathered; each try is shuffled; test items are not
/// served as gold; a held task survives a new guideline version and records the version it was done under.
/// </summary>
public class QualificationGapsTests
{
    private static readonly ProjectSettings PlainPairs = ProjectSettings.Default with
    {
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
        Gold = new GoldOptions { Rate = 0 },
    };

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private sealed record Setup(TestDatabase Db, TestTenant Tenant, ManualClock Clock, TaskService Tasks, GuidelineService Guidelines,
        QualificationService Qualification, Project Project, List<Item> Gold) : IAsyncDisposable
    {
        public Guid Admin => Tenant.Member(OrgRoles.ProjectAdmin).Id;
        public Guid Annotator => Tenant.Member(OrgRoles.Annotator).Id;

        public ValueTask DisposeAsync() => Db.DisposeAsync();

        public Task<NextTaskResult?> NextAsync(Guid annotator) => Tasks.NextAsync(Tenant.Id, Project.Id, annotator);

        public Task<GuidelineVersionView?> PublishAsync(GuidelineChange change, string text = "# Rules") =>
            Guidelines.PublishAsync(Tenant.Id, Project.Id, Admin, new PublishGuidelineInput(text, "a change", change));

        public Task<QualificationTestView?> SetTestAsync(IEnumerable<Item> items, int tries = 3, int cooldown = 0) =>
            Qualification.SetTestAsync(Tenant.Id, Project.Id, new QualificationTestInput([.. items.Select(i => i.Id)], 0.5, tries, cooldown));

        /// <summary>Takes the next task and answers it (left is better).</summary>
        public async Task<SubmitResult> WorkOneAsync(Guid annotator)
        {
            var next = await NextAsync(annotator);
            Assert.Equal(NextTaskStatus.Assigned, next!.Status);
            return await Tasks.SubmitAsync(Tenant.Id, next.Task!.AssignmentId, annotator, new AnnotationInput(Guid.NewGuid().ToString("N"), Choice: ShownChoice.Left));
        }
    }

    /// <summary>A pairwise project of <paramref name="items"/> items, the last <paramref name="gold"/> gold (A is right), and no test yet.</summary>
    /// <summary>Takes and answers the annotator's tasks until none is left (at most 10); the items served, in order.</summary>
    private static async Task<List<Guid>> ServeUntilNothingLeftAsync(Setup s)
    {
        var served = new List<Guid>();
        for (var n = 0; n < 10; n++)
        {
            var next = await s.NextAsync(s.Annotator);
            if (next!.Status != NextTaskStatus.Assigned)
            {
                Assert.Equal(NextTaskStatus.NothingLeft, next.Status);
                break;
            }

            await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
            {
                served.Add(await ctx.Assignments.Where(a => a.Id == next.Task!.AssignmentId).Select(a => a.ItemId).SingleAsync());
            }

            await s.Tasks.SubmitAsync(s.Tenant.Id, next.Task!.AssignmentId, s.Annotator, new AnnotationInput($"k{n}", Choice: ShownChoice.Left));
        }

        return served;
    }

    private static async Task<Setup> SetUpAsync(TestProvider provider, int items = 8, int gold = 4, ProjectSettings? settings = null)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Gaps");
        var clock = new ManualClock();
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: items, settings: settings ?? PlainPairs);
        List<Item> golds;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            golds = await ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).Skip(items - gold).ToListAsync();
            foreach (var item in golds)
            {
                item.IsGold = true;
                item.Gold = new GoldAnswer { Choice = PreferenceChoice.A, Explanation = $"A answers {item.ExternalId}." };
            }

            await ctx.SaveChangesAsync();
        }

        return new Setup(db, tenant, clock, new TaskService(db.Factory, clock), new GuidelineService(db.Factory, clock),
            new QualificationService(db.Factory, clock), project, golds);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_AnnotatedBeforeTheTest_NotRequiredUntilAMajorChangePublishedAfterIt(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var newcomer = (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1, "new"))[0];

        // A major version before the test does not end the exemption: only one published after the test does.
        await s.PublishAsync(GuidelineChange.Major);
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 1);
        await s.WorkOneAsync(s.Annotator);
        s.Clock.Advance(TimeSpan.FromHours(1));
        var created = await s.SetTestAsync(s.Gold);
        s.Clock.Advance(TimeSpan.FromHours(1));
        var edited = await s.SetTestAsync(s.Gold.Take(3));
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, newcomer.Id, 1);

        Assert.Equal(created!.CreatedAt, edited!.CreatedAt);
        Assert.Equal(created.CreatedAt.AddHours(1), edited.UpdatedAt);
        Assert.Equal(NextTaskStatus.Assigned, (await s.NextAsync(s.Annotator))!.Status);
        Assert.Equal(NextTaskStatus.NeedsQualification, (await s.NextAsync(newcomer.Id))!.Status);
        var status = (await s.Guidelines.StatusAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!.Qualification;
        Assert.Equal((true, false, false, true), (status.HasTest, status.Required, status.Passed, status.Grandfathered));
        Assert.Contains("before its qualification test was created", status.Message, StringComparison.Ordinal);
        var sheet = await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, s.Annotator);
        Assert.Empty(sheet!.Items);
        var refused = await Assert.ThrowsAsync<PortalValidationException>(() => s.Qualification.SubmitAsync(s.Tenant.Id, s.Project.Id, s.Annotator,
            [.. s.Gold.Take(3).Select(g => new QualificationAnswer(g.Id, ShownChoice.Left))]));
        Assert.Contains("do not need to take it", refused.Message, StringComparison.Ordinal);
        var exempt = await s.Qualification.GrandfatheredAsync(s.Tenant.Id, s.Project.Id);
        Assert.Equal([s.Annotator], exempt!.Annotators.Select(a => a.AnnotatorId));
        Assert.Equal(s.Tenant.Member(OrgRoles.Annotator).DisplayName, exempt.Annotators[0].Annotator);
        Assert.Equal((created.CreatedAt, (int?)null), (exempt.Before!.Value, exempt.EndedByVersion));

        // A minor change keeps the exemption; a major one published after the test ends it for everyone.
        await s.PublishAsync(GuidelineChange.Minor, "# Rules, typo fixed");
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 2);
        await s.WorkOneAsync(s.Annotator);
        await s.PublishAsync(GuidelineChange.Major, "# New rules");
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 3);
        var stopped = await s.NextAsync(s.Annotator);

        Assert.Equal(NextTaskStatus.NeedsQualification, stopped!.Status);
        Assert.Contains("Version 3", stopped.Message, StringComparison.Ordinal);
        Assert.Contains("no longer exempts you", stopped.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!.Items.Count);
        var ended = await s.Qualification.GrandfatheredAsync(s.Tenant.Id, s.Project.Id);
        Assert.Equal((3, 0), (ended!.EndedByVersion!.Value, ended.Annotators.Count));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Sheet_EachAnnotatorAndTry_ShuffledStableOnReloadAndAnswersMapBackToAB(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, items: 12, gold: 12);
        await s.SetTestAsync(s.Gold, tries: 0);
        var annotators = (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 3, "shuffle")).Select(u => u.Id).Prepend(s.Annotator).ToList();
        var byId = s.Gold.ToDictionary(g => g.Id);
        var layouts = new List<string>();
        var swappedSeen = 0;
        foreach (var annotator in annotators)
        {
            var sheet = (await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, annotator))!;
            var reloaded = (await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, annotator))!;
            Assert.Equal(1, sheet.Attempt);
            Assert.Equal(sheet.Items.Select(i => (i.ItemId, i.Left, i.Right)), reloaded.Items.Select(i => (i.ItemId, i.Left, i.Right)));
            Assert.All(sheet.Items, i => Assert.Equal(new[] { byId[i.ItemId].ResponseA, byId[i.ItemId].ResponseB }.Order(), new[] { i.Left, i.Right }.Order()));
            var leftIsA = sheet.Items.Select(i => i.Left == byId[i.ItemId].ResponseA).ToList();
            layouts.Add(string.Join(",", sheet.Items.Select((i, n) => $"{i.ItemId}{(leftIsA[n] ? "" : "*")}")));
            swappedSeen += leftIsA.Count(x => !x);

            // Always "left": right exactly where the left side is response A; stored as A or B of the item.
            var result = await s.Qualification.SubmitAsync(s.Tenant.Id, s.Project.Id, annotator,
                [.. sheet.Items.Select(i => new QualificationAnswer(i.ItemId, ShownChoice.Left))], sheet.Attempt);
            Assert.Equal(leftIsA, result!.Items.Select(i => i.Correct));
            Assert.Equal(leftIsA.Count(x => x), result.Correct);
            await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
            var json = await ctx.QualificationAttempts.Where(a => a.AnnotatorId == annotator).Select(a => a.AnswersJson).SingleAsync();
            var records = JsonSerializer.Deserialize<List<QualificationAnswerRecord>>(json, Options)!;
            Assert.Equal(sheet.Items.Select(i => i.ItemId), records.Select(r => r.ItemId));
            Assert.Equal(leftIsA.Select(x => x ? PreferenceChoice.A : PreferenceChoice.B), records.Select(r => r.Choice!.Value));
            Assert.Equal(leftIsA, records.Select(r => r.Correct));
            Assert.Equal(leftIsA.Select(x => (bool?)x), records.Select(r => r.LeftIsA));
            Assert.Equal(Enumerable.Range(0, 12).Select(n => (int?)n), records.Select(r => r.Position));
        }

        // Four annotators, 12 pairs each: their layouts differ, and some sides were swapped (a swapped "left" counted as B).
        Assert.Equal(4, layouts.Distinct().Count());
        Assert.InRange(swappedSeen, 1, 47);
        Assert.DoesNotContain(layouts, l => l == string.Join(",", s.Gold.Select(g => g.Id)));

        // The next try of the same annotator is laid out anew; a sheet of the earlier try is refused, not mis-mapped.
        var failing = (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1, "retry"))[0].Id;
        string Layout(QualificationSheet sheet) => string.Join(",", sheet.Items.Select(i => $"{i.ItemId}{(i.Left == byId[i.ItemId].ResponseA ? "" : "*")}"));
        var first = (await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, failing))!;
        var wrong = await s.Qualification.SubmitAsync(s.Tenant.Id, s.Project.Id, failing, [.. first.Items.Select(i =>
            new QualificationAnswer(i.ItemId, i.Left == byId[i.ItemId].ResponseA ? ShownChoice.Right : ShownChoice.Left))], first.Attempt);
        Assert.Equal(0, wrong!.Correct);
        var second = (await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, failing))!;
        Assert.Equal((1, 2), (first.Attempt, second.Attempt));
        Assert.NotEqual(Layout(first), Layout(second));
        var stale = await Assert.ThrowsAsync<PortalValidationException>(() => s.Qualification.SubmitAsync(s.Tenant.Id, s.Project.Id, failing,
            [.. second.Items.Select(i => new QualificationAnswer(i.ItemId, ShownChoice.Left))], attempt: 1));
        Assert.Equal("attempt", stale.Field);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_PairWithGoldScores_AsksBothSidesAndScoresResponseAWhereverItWasShown(TestProvider provider)
    {
        var settings = PlainPairs with { Attributes = [new AttributeDefinition("helpful", "Helpful", "How helpful the response is.", 1, 5)] };
        await using var s = await SetUpAsync(provider, items: 10, gold: 10, settings: settings);
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            await ctx.Items.Where(i => i.ProjectId == s.Project.Id)
                .ExecuteUpdateAsync(x => x.SetProperty(i => i.Gold, new GoldAnswer { Scores = new Dictionary<string, int> { ["helpful"] = 5 }, Tolerance = 0 }));
        }

        await s.SetTestAsync(s.Gold, tries: 0);
        var byId = s.Gold.ToDictionary(g => g.Id);
        var sheet = (await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!;
        var onlyLeft = await Assert.ThrowsAsync<PortalValidationException>(() => s.Qualification.SubmitAsync(s.Tenant.Id, s.Project.Id, s.Annotator,
            [.. sheet.Items.Select(i => new QualificationAnswer(i.ItemId, Scores: new Dictionary<string, int> { ["helpful"] = 5 }))], sheet.Attempt));
        Assert.Equal("answers[0]", onlyLeft.Field);

        // Left rated 5, right 1: right where the left side is response A.
        var result = await s.Qualification.SubmitAsync(s.Tenant.Id, s.Project.Id, s.Annotator, [.. sheet.Items.Select(i => new QualificationAnswer(i.ItemId,
            Scores: new Dictionary<string, int> { ["helpful"] = 5 }, ScoresRight: new Dictionary<string, int> { ["helpful"] = 1 }))], sheet.Attempt);

        var leftIsA = sheet.Items.Select(i => i.Left == byId[i.ItemId].ResponseA).ToList();
        Assert.Equal(leftIsA, result!.Items.Select(i => i.Correct));
        var records = (await s.Qualification.AttemptsAsync(s.Tenant.Id, s.Project.Id))!.Single().Answers;
        Assert.Equal(leftIsA.Select(x => x ? 5 : 1), records.Select(r => r.Scores!["helpful"]));
        Assert.Equal(leftIsA.Select(x => x ? 1 : 5), records.Select(r => r.ScoresB!["helpful"]));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_GoldItemInTheTest_NeverServedAsGoldButOtherGoldIs(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, items: 6, gold: 3, settings: PlainPairs with { Gold = new GoldOptions { Rate = 1 } });
        await s.SetTestAsync(s.Gold.Take(2), tries: 0);
        var sheet = (await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!;
        var passed = await s.Qualification.SubmitAsync(s.Tenant.Id, s.Project.Id, s.Annotator, [.. sheet.Items.Select(i =>
            new QualificationAnswer(i.ItemId, i.Left == s.Gold.Single(g => g.Id == i.ItemId).ResponseA ? ShownChoice.Left : ShownChoice.Right))], sheet.Attempt);
        Assert.True(passed!.Passed);

        var served = await ServeUntilNothingLeftAsync(s);

        // Three ordinary items and the one gold item outside the test; the two test items never.
        Assert.Equal(4, served.Count);
        Assert.Contains(s.Gold[2].Id, served);
        Assert.DoesNotContain(s.Gold[0].Id, served);
        Assert.DoesNotContain(s.Gold[1].Id, served);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_GoldItemShownAsAGuidelineExample_NeverServedAsGoldButOtherGoldIs(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, items: 6, gold: 3, settings: PlainPairs with { Gold = new GoldOptions { Rate = 1 } });
        await s.PublishAsync(GuidelineChange.Minor, $"# Rules\n\nPrefer the right answer, as here:\n\n@example({s.Gold[0].ExternalId})\n\n@example({s.Gold[1].ExternalId})\n");
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 1);

        var document = (await s.Guidelines.DocumentAsync(s.Tenant.Id, s.Project.Id))!;
        var example = document.Parts.First(p => p.Example is not null).Example!;
        Assert.True(example.IsGold);
        Assert.Equal(PreferenceChoice.A, example.ExpectedChoice);

        var served = await ServeUntilNothingLeftAsync(s);

        // Three ordinary items and the gold item the guidelines do not show; the two examples never.
        Assert.Equal(4, served.Count);
        Assert.Contains(s.Gold[2].Id, served);
        Assert.DoesNotContain(s.Gold[0].Id, served);
        Assert.DoesNotContain(s.Gold[1].Id, served);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_TaskHeldWhenAVersionIsPublished_ComesBackFirstAndRecordsTheVersionItWasDoneUnder(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, gold: 0);
        var newcomer = (await s.Db.CreateAnnotatorsAsync(s.Tenant.Id, 1, "held"))[0].Id;

        // One annotator holds a task taken before any guidelines; the other acknowledged version 1 and holds a task.
        var early = await s.NextAsync(newcomer);
        await s.PublishAsync(GuidelineChange.Minor);
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 1);
        var held = await s.NextAsync(s.Annotator);
        await s.PublishAsync(GuidelineChange.Major, "# Rules v2");
        var again = await s.NextAsync(s.Annotator);
        var earlyAgain = await s.NextAsync(newcomer);

        Assert.Equal(NextTaskStatus.Assigned, again!.Status);
        Assert.Equal(held!.Task!.AssignmentId, again.Task!.AssignmentId);
        Assert.Equal(early!.Task!.AssignmentId, earlyAgain!.Task!.AssignmentId);
        var doneUnder1 = await s.Tasks.SubmitAsync(s.Tenant.Id, again.Task.AssignmentId, s.Annotator, new AnnotationInput("held", Choice: ShownChoice.Left));
        var doneUnderCurrent = await s.Tasks.SubmitAsync(s.Tenant.Id, earlyAgain.Task.AssignmentId, newcomer, new AnnotationInput("early", Choice: ShownChoice.Right));

        // The gates apply to the next new task.
        Assert.Equal(NextTaskStatus.NeedsAcknowledgement, (await s.NextAsync(s.Annotator))!.Status);
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 2);
        var doneUnder2 = await s.WorkOneAsync(s.Annotator);
        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var versions = await ctx.Annotations.ToDictionaryAsync(a => a.Id, a => a.GuidelineVersion);
        Assert.Equal(1, versions[doneUnder1.AnnotationId]);
        Assert.Equal(2, versions[doneUnderCurrent.AnnotationId]);
        Assert.Equal(2, versions[doneUnder2.AnnotationId]);
    }
}
