using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Demo;
using Portal.App.Features.Gold;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Demo;

public class DemoSeederTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Seed_DemoProjects_HaveThreeValidGoldItemsEachAndTheLikertProjectRatesThreeAttributes(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.True(await db.Services.CreateScope().ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync());

        await using var system = db.Factory.CreateSystem();
        var projects = await system.Projects.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        var items = await system.Items.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        var likert = projects.Single(p => p.Kind == ProjectKind.Likert);
        var pairwise = projects.Single(p => p.Kind == ProjectKind.Pairwise);

        Assert.Equal(["helpfulness", "accuracy", "safety"], likert.Settings.Attributes.Select(a => a.Key));
        foreach (var project in projects)
        {
            var gold = items.Where(i => i.ProjectId == project.Id && i.IsGold).ToList();
            Assert.Equal(3, gold.Count);
            Assert.All(gold, g => Assert.Empty(GoldService.Check(project, new GoldInput(g.Gold!.Choice, g.Gold.Scores, g.Gold.Tolerance, g.Gold.Explanation))));
            Assert.DoesNotContain(items, i => i.ProjectId == project.Id && !i.IsGold && i.Gold is not null);
        }

        // The good demo text is the expected answer: response A of every pair, and the Likert items whose response is the good one.
        var goodResponses = items.Where(i => i.ProjectId == pairwise.Id).Select(i => i.ResponseA).ToHashSet();
        Assert.All(items.Where(i => i.ProjectId == pairwise.Id && i.IsGold), g => Assert.Equal(PreferenceChoice.A, g.Gold!.Choice));
        Assert.All(items.Where(i => i.ProjectId == likert.Id && i.IsGold), g => Assert.Contains(g.ResponseA, goodResponses));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Seed_PairwiseProject_HasAnAiLabelOnEveryRegularItemSomeOfThemWrong(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.True(await db.Services.CreateScope().ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync());

        await using var system = db.Factory.CreateSystem();
        var pairwise = await system.Projects.IgnoreQueryFilters().SingleAsync(p => p.Kind == ProjectKind.Pairwise);
        var regular = await system.Items.IgnoreQueryFilters().Where(i => i.ProjectId == pairwise.Id && !i.IsGold).Select(i => i.Id).ToListAsync();
        var labels = await system.AiLabels.IgnoreQueryFilters().ToListAsync();

        Assert.Equal(regular.Order(), labels.Select(l => l.ItemId).Order());
        Assert.All(labels, l => Assert.Equal(pairwise.TenantId, l.TenantId));
        // Response A is the good one: the labeler is right mostly, not always.
        var right = labels.Count(l => l.Choice == PreferenceChoice.A);
        Assert.InRange(right, labels.Count / 2, labels.Count - 3);
        Assert.Equal(2, labels.Select(l => l.Model).Distinct().Count());
    }
}
