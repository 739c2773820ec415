using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Gold;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Gold;

public class GoldServiceTests
{
    private static GoldService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<GoldService>();

    private static async Task<Item> StoredAsync(TestDatabase db, Guid tenantId, Guid itemId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        return await ctx.Items.AsNoTracking().SingleAsync(i => i.Id == itemId);
    }

    private static async Task<(Project Project, Item Item)> LikertProjectAsync(TestDatabase db, Guid tenantId)
    {
        var project = await db.Services.CreateScope().ServiceProvider.GetRequiredService<ProjectService>()
            .CreateAsync(tenantId, new ProjectInput("Likert", null, ProjectKind.Likert,
                Settings: ProjectSettings.Default with { Attributes = [.. AttributeDefinition.Defaults.Take(3)] }));
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var item = new Item { ProjectId = project.Id, ExternalId = "l1", ConversationJson = "[{\"role\":\"user\",\"content\":\"Hi?\"}]", ResponseA = "Hello.", CreatedAt = DateTime.UtcNow };
        ctx.Items.Add(item);
        await ctx.SaveChangesAsync();
        return (await ctx.Projects.AsNoTracking().SingleAsync(p => p.Id == project.Id), item);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SetGold_PairwiseChoice_MarksTheItemAndClearGoldUnmarksIt(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");

        var row = await Service(db).SetGoldAsync(tenant.Id, tenant.Project.Id, tenant.Item.Id,
            new GoldInput(PreferenceChoice.B, Explanation: "  B answers the question.  "));

        Assert.True(row!.IsGold);
        var stored = await StoredAsync(db, tenant.Id, tenant.Item.Id);
        Assert.True(stored.IsGold);
        Assert.Equal(new GoldAnswer { Choice = PreferenceChoice.B, Explanation = "B answers the question." }, stored.Gold);
        Assert.True(stored.Gold!.IsMatchedBy(PreferenceChoice.B, null));

        Assert.True(await Service(db).ClearGoldAsync(tenant.Id, tenant.Project.Id, tenant.Item.Id));
        var cleared = await StoredAsync(db, tenant.Id, tenant.Item.Id);
        Assert.False(cleared.IsGold);
        Assert.Null(cleared.Gold);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SetGold_LikertScoresWithTolerance_StoresThemPerAttribute(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var (project, item) = await LikertProjectAsync(db, tenant.Id);

        await Service(db).SetGoldAsync(tenant.Id, project.Id, item.Id,
            new GoldInput(Scores: new Dictionary<string, int> { ["helpfulness"] = 6, ["safety"] = 7 }, Tolerance: 2, Explanation: "Polite and safe."));

        var gold = (await StoredAsync(db, tenant.Id, item.Id)).Gold!;
        Assert.Equal(2, gold.Tolerance);
        Assert.Equal(new Dictionary<string, int> { ["helpfulness"] = 6, ["safety"] = 7 }, gold.Scores);
        Assert.Null(gold.Choice);
        Assert.True(gold.IsMatchedBy(null, new Dictionary<string, int> { ["helpfulness"] = 4, ["safety"] = 7, ["accuracy"] = 1 }));
        Assert.False(gold.IsMatchedBy(null, new Dictionary<string, int> { ["helpfulness"] = 3, ["safety"] = 7 }));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SetGold_AnswerThatDoesNotFitThePairwiseProject_NamesEachFieldAndChangesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var p = await ctx.Projects.SingleAsync(x => x.Id == tenant.Project.Id);
            p.Settings = p.Settings with { Pairwise = p.Settings.Pairwise with { AllowTie = false } };
            await ctx.SaveChangesAsync();
        }

        var noChoice = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).SetGoldAsync(tenant.Id, tenant.Project.Id, tenant.Item.Id,
            new GoldInput(Scores: new Dictionary<string, int> { ["helpfulness"] = 5 }, Tolerance: -1, Explanation: " ")));
        var tie = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).SetGoldAsync(tenant.Id, tenant.Project.Id, tenant.Item.Id,
            new GoldInput(PreferenceChoice.Tie, Explanation: "Equal.")));

        Assert.Equal(["choice", "explanation", "scores", "tolerance"], noChoice.ByField().Keys.Order(StringComparer.Ordinal));
        Assert.Contains("does not allow ties", Assert.Single(tie.Problems, p => p.Field == "choice").Message, StringComparison.Ordinal);
        var stored = await StoredAsync(db, tenant.Id, tenant.Item.Id);
        Assert.False(stored.IsGold);
        Assert.Null(stored.Gold);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SetGold_AnswerThatDoesNotFitTheLikertAttributes_NamesEachScore(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var (project, item) = await LikertProjectAsync(db, tenant.Id);

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).SetGoldAsync(tenant.Id, project.Id, item.Id,
            new GoldInput(PreferenceChoice.A, new Dictionary<string, int> { ["style"] = 4, ["safety"] = 9, ["helpfulness"] = 5 }, Explanation: "x")));
        var empty = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).SetGoldAsync(tenant.Id, project.Id, item.Id,
            new GoldInput(Explanation: "x")));

        Assert.Equal(["choice", "scores.safety", "scores.style"], ex.ByField().Keys.Order(StringComparer.Ordinal));
        Assert.Contains("1–7", ex.ByField()["scores.safety"][0], StringComparison.Ordinal);
        Assert.Equal("scores", Assert.Single(empty.Problems).Field);
        Assert.False((await StoredAsync(db, tenant.Id, item.Id)).IsGold);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SetGold_ItemWithRegularAnnotations_IsAllowedAndKeepsThem(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await db.AddTestAnnotationAsync(tenant.Id, tenant.Item, tenant.Member(OrgRoles.Annotator).Id, PreferenceChoice.B);

        var row = await Service(db).SetGoldAsync(tenant.Id, tenant.Project.Id, tenant.Item.Id, new GoldInput(PreferenceChoice.A, Explanation: "A is right."));

        Assert.True(row!.IsGold);
        Assert.Equal(1, row.Annotations);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Null((await ctx.Annotations.SingleAsync()).GoldCorrect);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SetGold_ItemOfAnotherOrganisationOrProject_ReturnsNullAndChangesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        var (likert, _) = await LikertProjectAsync(db, alpha.Id);
        var answer = new GoldInput(PreferenceChoice.A, Explanation: "A.");

        Assert.Null(await Service(db).SetGoldAsync(alpha.Id, beta.Project.Id, beta.Item.Id, answer));
        Assert.Null(await Service(db).SetGoldAsync(alpha.Id, likert.Id, alpha.Item.Id, answer));
        Assert.False(await Service(db).ClearGoldAsync(alpha.Id, beta.Project.Id, beta.Item.Id));
        Assert.False((await StoredAsync(db, beta.Id, beta.Item.Id)).IsGold);
        Assert.False((await StoredAsync(db, alpha.Id, alpha.Item.Id)).IsGold);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ListItems_PagedAndGoldOnly_CountsTheFilterAndShowsAnnotationsAndPrompt(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            for (var i = 2; i <= 25; i++)
            {
                ctx.Items.Add(new Item
                {
                    ProjectId = tenant.Project.Id,
                    ExternalId = $"item-{i:D2}",
                    ConversationJson = $"[{{\"role\":\"user\",\"content\":\"Question {i}\"}},{{\"role\":\"assistant\",\"content\":\"Sure.\"}},{{\"role\":\"user\",\"content\":\"Follow-up  {i}\\nplease\"}}]",
                    ResponseA = "A",
                    ResponseB = "B",
                    Priority = i == 25 ? 10 : 0,
                    CreatedAt = tenant.Item.CreatedAt,
                });
            }

            await ctx.SaveChangesAsync();
        }

        var all = await Service(db).ListItemsAsync(tenant.Id, tenant.Project.Id, 0, 50);
        var second = await Service(db).ListItemsAsync(tenant.Id, tenant.Project.Id, 10, 10);
        var target = all!.Items.Single(r => r.ExternalId == "item-10");
        await db.AddTestAnnotationAsync(tenant.Id, await StoredAsync(db, tenant.Id, target.Id), tenant.Member(OrgRoles.Annotator).Id);
        await Service(db).SetGoldAsync(tenant.Id, tenant.Project.Id, target.Id, new GoldInput(PreferenceChoice.A, Explanation: "A."));
        var gold = await Service(db).ListItemsAsync(tenant.Id, tenant.Project.Id, 0, 10, goldOnly: true);

        Assert.Equal((25, 25), (all.Total, all.Items.Count));
        Assert.Equal(25, second!.Total);
        Assert.Equal(all.Items.Skip(10).Take(10).Select(r => r.Id), second.Items.Select(r => r.Id));
        Assert.Equal("item-25", all.Items[0].ExternalId);
        Assert.Equal("Follow-up 10 please", target.Prompt);
        Assert.Equal((0, false), (target.Annotations, target.IsGold));
        var row = Assert.Single(gold!.Items);
        Assert.Equal(1, gold.Total);
        Assert.Equal((target.Id, true, 1, PreferenceChoice.A), (row.Id, row.IsGold, row.Annotations, row.Gold!.Choice));
        Assert.Null(await Service(db).ListItemsAsync(Guid.NewGuid(), tenant.Project.Id, 0, 10));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ClearGold_ItemAnsweredAsGold_CountsThoseAnswersAgainstItsOverlap(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var settings = ProjectSettings.Default with { Pairwise = new PairwiseOptions { StrengthLevels = 0 }, Gold = new GoldOptions { Rate = 1 } };
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 2, overlap: 1, settings: settings);
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, 4);
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        Guid goldId;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            goldId = await ctx.Items.Where(i => i.ExternalId == "item-001").Select(i => i.Id).SingleAsync();
        }

        await Service(db).SetGoldAsync(tenant.Id, project.Id, goldId, new GoldInput(PreferenceChoice.A, Explanation: "A."));
        foreach (var annotator in annotators.Take(2))
        {
            var next = await tasks.NextAsync(tenant.Id, project.Id, annotator.Id);
            Assert.StartsWith("Answer ", next!.Task!.Left, StringComparison.Ordinal);
            await tasks.SubmitAsync(tenant.Id, next.Task.AssignmentId, annotator.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: ShownChoice.Left));
        }

        Assert.True(await Service(db).ClearGoldAsync(tenant.Id, project.Id, goldId));

        // The former gold item has two answers against an overlap of one: nobody else gets it.
        var third = await tasks.NextAsync(tenant.Id, project.Id, annotators[2].Id);
        Assert.Contains(third!.Task!.Left, new[] { "Answer A2", "Answer B2" });
        await tasks.SubmitAsync(tenant.Id, third.Task.AssignmentId, annotators[2].Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: ShownChoice.Left));
        Assert.Equal(NextTaskStatus.NothingLeft, (await tasks.NextAsync(tenant.Id, project.Id, annotators[3].Id))!.Status);
        var item = await StoredAsync(db, tenant.Id, goldId);
        Assert.Equal((false, 2), (item.IsGold, item.Claimed));
    }
}
