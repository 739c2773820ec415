using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Hybrid;
using Portal.App.Features.Projects;
using Portal.App.Features.Quality;
using Portal.App.Features.Rlthf;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Rlthf;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Hybrid;

/// <summary>Routes honoured by the targeted-feedback loop, agreement per category, suggested routes, and the category list's rules.</summary>
public sealed class HybridRoutingTests
{
    private static HybridService Hybrid(TestDatabase db) => new(db.Factory, TimeProvider.System);

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Round_HumansOnlyCategory_NeverTakesItsAiLabelAndAlwaysGoesToHumans(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Loop");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 60, aiError: 0.25);
        var math = project.Items.Take(12).Select(i => i.Id).ToHashSet();
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            await ctx.Items.Where(i => math.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.Category, "math"));
            // As if an earlier round had taken three of them out of the queue, before math went to humans.
            var three = math.Take(3).ToList();
            await ctx.Items.Where(i => three.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.Overlap, 0));
        }

        await Hybrid(db).SaveAsync(tenant.Id, project.Project.Id, new CategoriesInput([new("math", CategoryRoutes.Humans)], null));
        var scheduling = new RecordingScheduling();
        var quality = new QualityService(db.Factory, TimeProvider.System);
        var loop = new RlthfService(db.Factory, TimeProvider.System, new JobLauncher(db.Factory, scheduling, TimeProvider.System, new JobProgressBoard()), quality, new LinearRewardTrainer());

        var view = (await loop.LoopAsync(tenant.Id, project.Project.Id))!;
        Assert.Equal((48, 48), (view.Pairs, view.AiLabels));
        await loop.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("10%"));
        var (_, data) = scheduling.Triggered[^1];
        await loop.PlanAsync(tenant.Id, Guid.Parse(data.GetString(RunRlthfRoundJob.RoundIdKey)!), null, CancellationToken.None);

        var round = (await loop.RoundAsync(tenant.Id, project.Project.Id, 1))!;
        Assert.Equal((48, 48), (round.Pairs, round.Candidates));
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        var roundItems = await check.RlthfRoundItems.Where(r => r.RoundId == round.Id).Select(r => r.ItemId).ToListAsync();
        Assert.Empty(roundItems.Intersect(math));
        var overlaps = await check.Items.Where(i => i.ProjectId == project.Project.Id).Select(i => new { i.Id, i.Overlap }).ToDictionaryAsync(i => i.Id, i => i.Overlap);
        // Math items keep the project's overlap (those a round had zeroed got it back); the loop zeroed every unselected AI-labelled item.
        Assert.All(math, id => Assert.Null(overlaps[id]));
        Assert.Equal(48 - round.Selected, overlaps.Count(o => !math.Contains(o.Key) && o.Value == 0));

        // An annotator taking every task the queue offers gets every math item, and the round's selection, and nothing else.
        var annotator = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        var served = new List<Guid>();
        while (await tasks.NextAsync(tenant.Id, project.Project.Id, annotator.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
        {
            served.Add(await check.Assignments.Where(a => a.Id == task.AssignmentId).Select(a => a.ItemId).FirstAsync());
            await tasks.SubmitAsync(tenant.Id, task.AssignmentId, annotator.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: ShownChoice.Left, TimeOnTaskMs: 5000));
        }

        var selected = (await loop.SelectedAsync(tenant.Id, project.Project.Id, 1))!.Select(s => s.ItemId).ToHashSet();
        Assert.Equal(math.Union(selected).Order(), served.Order());
    }

    /// <summary>
    /// math: 5 items with both labels, the AI agrees on 2 (40%; Wilson 95%: 0.1176–0.7693). chat: 4 of 4 (100%; 0.5101–1).
    /// A "both bad" item and a gold item are left out; one uncategorised item agrees.
    /// </summary>
    private static async Task<TestTenant> AgreementProjectAsync(TestDatabase db)
    {
        var tenant = await db.CreateTestTenantAsync("Agree");
        var rows = new (string? Category, PreferenceChoice Ai, PreferenceChoice Human, bool Gold)[]
        {
            ("math", PreferenceChoice.A, PreferenceChoice.A, false),
            ("math", PreferenceChoice.B, PreferenceChoice.B, false),
            ("math", PreferenceChoice.A, PreferenceChoice.B, false),
            ("math", PreferenceChoice.B, PreferenceChoice.A, false),
            ("math", PreferenceChoice.Tie, PreferenceChoice.A, false),
            ("math", PreferenceChoice.A, PreferenceChoice.BothBad, false),
            ("math", PreferenceChoice.A, PreferenceChoice.B, true),
            ("chat", PreferenceChoice.A, PreferenceChoice.A, false),
            ("chat", PreferenceChoice.B, PreferenceChoice.B, false),
            ("chat", PreferenceChoice.Tie, PreferenceChoice.Tie, false),
            ("chat", PreferenceChoice.A, PreferenceChoice.A, false),
            (null, PreferenceChoice.B, PreferenceChoice.B, false),
        };
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        foreach (var (category, ai, human, gold) in rows)
        {
            var item = new Item { ProjectId = tenant.Project.Id, ResponseA = "a", ResponseB = "b", Category = category, IsGold = gold, CreatedAt = DateTime.UtcNow };
            ctx.Items.Add(item);
            ctx.AiLabels.Add(new AiLabel { ProjectId = tenant.Project.Id, ItemId = item.Id, Choice = ai, Model = "m", CreatedAt = DateTime.UtcNow });
            ctx.CuratedLabels.Add(new CuratedLabel { ProjectId = tenant.Project.Id, ItemId = item.Id, Choice = human, Method = "majority", Ratings = 3, ComputedAt = DateTime.UtcNow });
        }

        // A category with two items with both labels, too few for the rule.
        foreach (var (ai, human) in new[] { (PreferenceChoice.A, PreferenceChoice.B), (PreferenceChoice.B, PreferenceChoice.A) })
        {
            var item = new Item { ProjectId = tenant.Project.Id, ResponseA = "a", ResponseB = "b", Category = "code", CreatedAt = DateTime.UtcNow };
            ctx.Items.Add(item);
            ctx.AiLabels.Add(new AiLabel { ProjectId = tenant.Project.Id, ItemId = item.Id, Choice = ai, Model = "m", CreatedAt = DateTime.UtcNow });
            ctx.CuratedLabels.Add(new CuratedLabel { ProjectId = tenant.Project.Id, ItemId = item.Id, Choice = human, Method = "majority", Ratings = 3, ComputedAt = DateTime.UtcNow });
        }

        await ctx.SaveChangesAsync();
        return tenant;
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Agreement_PerCategory_MatchesTheNumbersWorkedByHand(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await AgreementProjectAsync(db);
        await Hybrid(db).SaveAsync(tenant.Id, tenant.Project.Id, new CategoriesInput(
            [new("math", CategoryRoutes.AiChecked), new("chat", CategoryRoutes.Ai), new("code", CategoryRoutes.Ai)], null));

        var rows = (await Hybrid(db).AgreementAsync(tenant.Id, tenant.Project.Id))!;

        Assert.Equal(["chat", "code", "math", null], rows.Select(r => r.Category));
        var math = rows.Single(r => r.Category == "math");
        Assert.Equal((CategoryRoutes.AiChecked, 5, 2), (math.Route, math.Items, math.Agreements));
        Assert.Equal(0.4, math.Agreement!.Value, 10);
        Assert.Equal(0.1176, math.Low!.Value, 4);
        Assert.Equal(0.7693, math.High!.Value, 4);
        var chat = rows.Single(r => r.Category == "chat");
        Assert.Equal((4, 4, 1.0), (chat.Items, chat.Agreements, chat.Agreement));
        Assert.Equal(0.5101, chat.Low!.Value, 4);
        Assert.Equal(1.0, chat.High!.Value, 10);
        Assert.Equal((1, 1), (rows[^1].Items, rows[^1].Agreements));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SuggestRoutes_ProposesHumansBelowTheThresholdOnEnoughItems_AndAppliesOnlyWhatTheAdminPicks(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await AgreementProjectAsync(db);
        var hybrid = Hybrid(db);

        var suggested = (await hybrid.SuggestAsync(tenant.Id, tenant.Project.Id, 0.7, 2))!;

        var byName = suggested.Categories.ToDictionary(s => s.Category);
        Assert.Equal(["chat", "code", "math"], byName.Keys.Order());
        Assert.Equal((CategoryRoutes.Ai, CategoryRoutes.Humans, true, 5), (byName["math"].Current, byName["math"].Proposed, byName["math"].Change, byName["math"].Items));
        Assert.Contains("Agreement 40% on 5 items is below the threshold 70%", byName["math"].Reason, StringComparison.Ordinal);
        Assert.Equal((CategoryRoutes.Ai, false), (byName["chat"].Proposed, byName["chat"].Change));
        Assert.Equal((CategoryRoutes.Humans, 0.0), (byName["code"].Proposed, byName["code"].Agreement));

        // Three items are the minimum: code (2) is too few to judge and keeps its route.
        var stricter = (await hybrid.SuggestAsync(tenant.Id, tenant.Project.Id, 0.7, 3))!;
        Assert.Equal(["math"], stricter.Categories.Where(s => s.Change).Select(s => s.Category));
        Assert.Contains("the rule needs at least 3", stricter.Categories.Single(s => s.Category == "code").Reason, StringComparison.Ordinal);

        // Nothing changed yet; the admin applies math only.
        Assert.All((await hybrid.GetAsync(tenant.Id, tenant.Project.Id))!.Categories, c => Assert.Equal(CategoryRoutes.Ai, c.Route));
        var applied = (await hybrid.SetRoutesAsync(tenant.Id, tenant.Project.Id, new Dictionary<string, string> { ["math"] = CategoryRoutes.Humans }))!;
        Assert.Equal([("chat", "ai"), ("code", "ai"), ("math", "humans")], applied.Categories.Select(c => (c.Name, c.Route)));

        var bad = await Assert.ThrowsAsync<ValidationProblemsException>(() => hybrid.SuggestAsync(tenant.Id, tenant.Project.Id, 70, 0));
        Assert.Equal(["threshold", "minItems"], bad.Problems.Select(p => p.Field));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SaveCategories_BadInput_NamesEachFieldAndSavesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await AgreementProjectAsync(db);
        var hybrid = Hybrid(db);
        await hybrid.SaveAsync(tenant.Id, tenant.Project.Id, new CategoriesInput([new("math", "ai"), new("chat", "ai"), new("code", "ai")], null));

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => hybrid.SaveAsync(tenant.Id, tenant.Project.Id, new CategoriesInput(
            [new("math", "robots"), new("MATH", "ai"), new("", "ai"), new("chat", "humans")], "no placeholder")));

        Assert.Equal(["categories[0].route", "categories[1].name", "categories[2].name", "categories", "categoryPrompt"], ex.Problems.Select(p => p.Field));
        Assert.Contains("'code' is carried by 2 item(s)", ex.Problems[3].Message, StringComparison.Ordinal);
        var after = (await hybrid.GetAsync(tenant.Id, tenant.Project.Id))!;
        Assert.All(after.Categories, c => Assert.Equal(CategoryRoutes.Ai, c.Route));
        Assert.Null(after.CategoryPrompt);

        // An admin's new name joins the list; too long a name is refused.
        Assert.True(await hybrid.SetItemCategoryAsync(tenant.Id, tenant.Project.Id, await FirstItemAsync(db, tenant), "poetry"));
        Assert.Contains((await hybrid.GetAsync(tenant.Id, tenant.Project.Id))!.Categories, c => c is { Name: "poetry", Route: "ai", Items: 1, Listed: false });
        var tooLong = await Assert.ThrowsAsync<ValidationProblemsException>(() => hybrid.SetItemCategoryAsync(tenant.Id, tenant.Project.Id, Guid.NewGuid(), new string('x', 101)));
        Assert.Equal("category", tooLong.Problems.Single().Field);
        Assert.False(await hybrid.SetItemCategoryAsync(tenant.Id, tenant.Project.Id, Guid.NewGuid(), "math"));
    }

    private static async Task<Guid> FirstItemAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return await ctx.Items.Where(i => i.ProjectId == tenant.Project.Id && i.Category == null && !i.IsGold).OrderBy(i => i.CreatedAt).Select(i => i.Id).FirstAsync();
    }
}
