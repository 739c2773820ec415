using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Quality;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Quality;

/// <summary>The quality report's AI-versus-humans section, through the recompute, against numbers worked out by hand.</summary>
public sealed class AiVsHumansTests
{
    private const PreferenceChoice A = PreferenceChoice.A;
    private const PreferenceChoice B = PreferenceChoice.B;
    private const PreferenceChoice T = PreferenceChoice.Tie;
    private const PreferenceChoice BothBad = PreferenceChoice.BothBad;

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Recompute_AiLabelsAndHumans_MatchAHandComputation(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var x = tenant.Member(OrgRoles.Annotator).Id;
        var y = tenant.Member(OrgRoles.Client).Id;
        var items = new List<Item>();
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            for (var i = 1; i <= 7; i++)
            {
                items.Add(new Item { ProjectId = tenant.Project.Id, ExternalId = $"i{i}", ResponseA = "a", ResponseB = "b", CreatedAt = DateTime.UtcNow });
            }

            ctx.Items.AddRange(items);
            // AI: i1 A (m1), i2 A (m1), i3 A (m2), i4 tie (m2), i5 A (m1), i6 A (m2), i7 B (m1).
            (PreferenceChoice, string)[] given = [(A, "m1"), (A, "m1"), (A, "m2"), (T, "m2"), (A, "m1"), (A, "m2"), (B, "m1")];
            for (var i = 0; i < 7; i++)
            {
                ctx.AiLabels.Add(new AiLabel { ProjectId = tenant.Project.Id, ItemId = items[i].Id, Choice = given[i].Item1, Model = given[i].Item2, CreatedAt = DateTime.UtcNow });
            }

            await ctx.SaveChangesAsync();
        }

        // Humans: X answers i1…i6 (A, B, A, tie, both bad, B); Y answers i1 A and i2 B. i7 has no human answer.
        PreferenceChoice[] byX = [A, B, A, T, BothBad, B];
        for (var i = 0; i < 6; i++)
        {
            await db.AddTestAnnotationAsync(tenant.Id, items[i], x, byX[i]);
        }

        await db.AddTestAnnotationAsync(tenant.Id, items[0], y, A);
        await db.AddTestAnnotationAsync(tenant.Id, items[1], y, B);

        var report = await db.Services.CreateScope().ServiceProvider.GetRequiredService<QualityService>().RecomputeAsync(tenant.Id, tenant.Project.Id);

        var ai = report.AiVsHumans!;
        Assert.Equal((7, 1), (ai.AiLabels, ai.ExcludedBothBad));
        // Compared: i1 A/A, i2 A/B, i3 A/A, i4 tie/tie, i6 A/B. Observed 3/5. AI marginals (.8, 0, .2), humans (.4, .4, .2):
        // expected .32 + .04 = .36; κ = (.6 − .36) / .64 = .375.
        Assert.Equal(5, ai.Overall.Items);
        Assert.Equal(0.6, ai.Overall.PercentAgreement!.Value, 12);
        Assert.Equal(0.375, ai.Overall.Kappa!.Value, 12);
        Assert.Equal([2, 2, 0], ai.Overall.Confusion[0]);
        Assert.Equal([0, 0, 0], ai.Overall.Confusion[1]);
        Assert.Equal([0, 0, 1], ai.Overall.Confusion[2]);
        // m1: i1 A/A, i2 A/B: 1/2, expected .5, κ 0. m2: i3 A/A, i4 tie/tie, i6 A/B: 2/3, expected 1/3, κ .5.
        Assert.Equal(["m1", "m2"], ai.PerModel.Select(m => m.Model));
        Assert.Equal((2, 0.5), (ai.PerModel[0].Items, ai.PerModel[0].PercentAgreement!.Value));
        Assert.Equal(0.0, ai.PerModel[0].Kappa!.Value, 12);
        Assert.Equal(3, ai.PerModel[1].Items);
        Assert.Equal(2.0 / 3, ai.PerModel[1].PercentAgreement!.Value, 12);
        Assert.Equal(0.5, ai.PerModel[1].Kappa!.Value, 12);
        // X on their own answers (both bad left out): the same five items. Y: i1 A/A, i2 A/B.
        var byAnnotator = ai.PerAnnotator.ToDictionary(a => a.AnnotatorId);
        Assert.Equal((5, 0.6), (byAnnotator[x].Items, byAnnotator[x].PercentAgreement!.Value));
        Assert.Equal((2, 0.5), (byAnnotator[y].Items, byAnnotator[y].PercentAgreement!.Value));

        var (_, stored) = await db.Services.CreateScope().ServiceProvider.GetRequiredService<QualityService>().GetAsync(tenant.Id, tenant.Project.Id);
        Assert.Equal(0.375, stored!.AiVsHumans!.Overall.Kappa!.Value, 12);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task StaleProjects_NewAiLabelsAfterTheLastReport_MakeTheProjectStale(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await db.AddTestAnnotationAsync(tenant.Id, tenant.Item, tenant.Member(OrgRoles.Annotator).Id, A);
        var quality = db.Services.CreateScope().ServiceProvider.GetRequiredService<QualityService>();
        var first = await quality.RecomputeAsync(tenant.Id, tenant.Project.Id);
        Assert.Null(first.AiVsHumans);
        Assert.DoesNotContain((tenant.Id, tenant.Project.Id), await quality.StaleProjectsAsync());

        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            ctx.AiLabels.Add(new AiLabel { ProjectId = tenant.Project.Id, ItemId = tenant.Item.Id, Choice = B, Model = "m", CreatedAt = DateTime.UtcNow.AddSeconds(1) });
            await ctx.SaveChangesAsync();
        }

        Assert.Contains((tenant.Id, tenant.Project.Id), await quality.StaleProjectsAsync());
        var second = await quality.RecomputeAsync(tenant.Id, tenant.Project.Id);
        Assert.Equal((1, 0.0), (second.AiVsHumans!.Overall.Items, second.AiVsHumans.Overall.PercentAgreement!.Value));
    }
}
