using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Projects;
using Portal.App.Features.Quality;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Projects;

public class AttributeVersionsTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ScaleChangedAfterRatings_NewAnnotationsRecordTheNewVersionAndAgreementNeverMixesTheScales(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Scales");
        var clock = new ManualClock();
        var fivePoint = ProjectSettings.Default with { Attributes = [new AttributeDefinition("helpfulness", "Helpfulness", "", 1, 5)], Gold = new GoldOptions { Rate = 0 } };
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 4, overlap: 2, settings: fivePoint);
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, 2);
        var tasks = new TaskService(db.Factory, clock);
        await using (var setup = db.Factory.CreateForTenant(tenant.Id))
        {
            // Both annotators rate items 1 and 2 under the 1–5 scale, then items 3 and 4 under the 1–7 one.
            await setup.Items.Where(i => i.ExternalId == "item-001" || i.ExternalId == "item-002").ExecuteUpdateAsync(x => x.SetProperty(i => i.Priority, 10));
        }

        async Task RateAllAsync(int score)
        {
            foreach (var annotator in annotators)
            {
                for (var i = 0; i < 2; i++)
                {
                    var next = await tasks.NextAsync(tenant.Id, project.Id, annotator.Id);
                    await tasks.SubmitAsync(tenant.Id, next!.Task!.AssignmentId, annotator.Id,
                        new AnnotationInput(Guid.NewGuid().ToString(), Scores: new Dictionary<string, int> { ["helpfulness"] = score }));
                }
            }
        }

        await RateAllAsync(5);
        var service = new ProjectService(db.Factory, clock);
        var sevenPoint = fivePoint with { Attributes = [new AttributeDefinition("helpfulness", "Helpfulness", "", 1, 7)] };
        await service.UpdateAsync(tenant.Id, project.Id, new ProjectInput(project.Name, "", ProjectKind.Likert, 2, 30, sevenPoint));
        await RateAllAsync(7);

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var stamped = await ctx.Annotations.Where(a => a.ProjectId == project.Id).Select(a => new { a.AttributeVersion, Score = a.Scores!["helpfulness"] }).ToListAsync();
        Assert.Equal(4, stamped.Count(a => a.AttributeVersion == 1 && a.Score == 5));
        Assert.Equal(4, stamped.Count(a => a.AttributeVersion == 2 && a.Score == 7));

        var report = await new QualityService(db.Factory, clock).RecomputeAsync(tenant.Id, project.Id);
        var dimension = Assert.Single(report.Dimensions, d => d.Key == "helpfulness");
        Assert.Equal(4, dimension.Ratings);
        var labels = await ctx.CuratedLabels.Where(l => l.ProjectId == project.Id && l.ScoresJson != null).Select(l => l.ScoresJson!).ToListAsync();
        Assert.NotEmpty(labels);
        // Items 1 and 2 were rated only on the old scale: their labels carry no score; items 3 and 4 only the new ratings.
        var scored = labels.Where(json => json.Contains("\"mean\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, scored.Count);
        Assert.All(scored, json => Assert.Contains("\"mean\":7", json, StringComparison.Ordinal));

        // The old ratings are still there to report on, read on their own 1–5 scale.
        var quality = new QualityService(db.Factory, clock);
        var versions = await quality.AttributeVersionsAsync(tenant.Id, project.Id);
        Assert.Equal([(1, 5, 4, false), (2, 7, 4, true)], versions.Select(v => (v.Version, v.Attributes.Single().Max, v.Annotations, v.Current)));
        var old = await quality.ForAttributeVersionAsync(tenant.Id, project.Id, 1);
        var oldDimension = Assert.Single(old!.Dimensions, d => d.Key == "helpfulness");
        Assert.Equal((4, 2), (oldDimension.Ratings, oldDimension.Units));
        Assert.Equal(4, old.Annotations);
        var now = await quality.ForAttributeVersionAsync(tenant.Id, project.Id, 2);
        Assert.Equal(4, Assert.Single(now!.Dimensions, d => d.Key == "helpfulness").Ratings);
        Assert.Null(await quality.ForAttributeVersionAsync(tenant.Id, project.Id, 3));
        Assert.Null(await quality.ForAttributeVersionAsync((await db.CreateTestTenantAsync("Elsewhere")).Id, project.Id, 1));
    }
}
