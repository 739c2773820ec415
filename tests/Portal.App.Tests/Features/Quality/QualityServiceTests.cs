using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Quality;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Quality;

public class QualityServiceTests
{
    private static readonly ProjectSettings Plain = ProjectSettings.Default with
    {
        Gold = new GoldOptions { Rate = 0 },
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
        Quality = new QualityOptions { MinSecondsPerTask = 2 },
    };

    /// <summary>Every annotator of the list takes tasks until none is left, answering with <paramref name="answer"/>.</summary>
    private static async Task AnnotateAllAsync(TaskService tasks, Guid orgId, Guid projectId, IEnumerable<PortalUser> annotators,
        Func<PortalUser, int, TaskView, AnnotationInput> answer)
    {
        foreach (var a in annotators)
        {
            while (await tasks.NextAsync(orgId, projectId, a.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                var item = int.Parse(task.Conversation[0].Content.Split(' ')[1].TrimEnd('?'), System.Globalization.CultureInfo.InvariantCulture);
                await tasks.SubmitAsync(orgId, task.AssignmentId, a.Id, answer(a, item, task));
            }
        }
    }

    /// <summary>The shown side that holds the item's response A or B.</summary>
    private static ShownChoice SideOf(TaskView task, bool wantA) =>
        task.Left.StartsWith("Answer A", StringComparison.Ordinal) == wantA ? ShownChoice.Left : ShownChoice.Right;

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Recompute_PairwiseWithADissenter_ReportsAlphaKappasSignalsAndMajorityLabels(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Quality");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 6, overlap: 3, settings: Plain);
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, 3);
        var tasks = new TaskService(db.Factory, TimeProvider.System);

        // Two annotators prefer A on items 1-3 and B on 4-6; the third always says the opposite, quickly.
        await AnnotateAllAsync(tasks, tenant.Id, project.Id, annotators, (a, item, task) =>
        {
            var wantA = item <= 3;
            var dissenter = a == annotators[2];
            return new AnnotationInput(Guid.NewGuid().ToString(), Choice: SideOf(task, dissenter ? !wantA : wantA), TimeOnTaskMs: dissenter ? 500 : 9000);
        });

        var report = await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);

        var choice = Assert.Single(report.Dimensions);
        Assert.Equal((QualityCalculator.ChoiceKey, 6, 18, 3), (choice.Key, choice.Units, choice.Ratings, choice.Raters));

        // Nominal alpha by hand: coincidences o00 = o11 = 3, o01 = o10 = 6 of n = 18; 1 - (12/18) / (2·9·9 / (18·17)).
        Assert.Equal(1 - (12.0 / 18 / (162.0 / 306)), choice.Alpha!.Value, 9);
        Assert.Equal(1.0 / 3, choice.PercentAgreement!.Value, 9);
        var agreeing = report.Pairs.Single(p => p.A != annotators[2].Id && p.B != annotators[2].Id);
        Assert.Equal((1.0, 6), (agreeing.Kappa, agreeing.Units));
        Assert.All(report.Pairs.Where(p => p != agreeing), p => Assert.Equal(-1.0, p.Kappa!.Value, 9));

        var dissenter = report.Annotators.Single(q => q.AnnotatorId == annotators[2].Id);
        Assert.Equal((0.0, 6, 1.0), (dissenter.AgreementWithOthers, dissenter.ComparedItems, dissenter.FastShare));
        Assert.Contains(dissenter.Flags, f => f.StartsWith("agrees with the others on 0%", StringComparison.Ordinal));
        Assert.Contains(dissenter.Flags, f => f.StartsWith("100% of answers faster than 2 s", StringComparison.Ordinal));
        Assert.Equal(report.Annotators[0], dissenter);
        Assert.All(report.Annotators.Where(q => q != dissenter), q => Assert.Equal((1.0, 0.0), (q.AgreementWithOthers, q.FastShare)));
        Assert.All(report.Annotators.Where(q => q != dissenter), q => Assert.Empty(q.Flags));

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var labels = await ctx.CuratedLabels.Where(l => l.ProjectId == project.Id).ToListAsync();
        var externalIds = await ctx.Items.Where(i => i.ProjectId == project.Id).ToDictionaryAsync(i => i.Id, i => i.ExternalId);
        Assert.Equal(6, labels.Count);
        Assert.All(labels, l =>
        {
            var n = int.Parse(externalIds[l.ItemId]![5..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(n <= 3 ? PreferenceChoice.A : PreferenceChoice.B, l.Choice);
            Assert.Equal("majority", l.Method);
            Assert.Equal(3, l.Ratings);
            Assert.Equal(2.0 / 3, l.Confidence!.Value, 9);
            Assert.Equal(2.0 / 3, l.Agreement!.Value, 9);
        });
        Assert.Equal((true, report.Annotations), (await new QualityService(db.Factory, TimeProvider.System).GetAsync(tenant.Id, project.Id)) is (true, { } r) ? (true, r.Annotations) : (false, -1));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Recompute_Likert_ReportsPerAttributeAlphaBiasAndMedianLabels(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Likert");
        var settings = Plain with
        {
            Attributes = [new("helpfulness", "Helpfulness", ""), new("safety", "Safety", "")],
            Quality = new QualityOptions { LikertCentre = LikertCentre.Median },
        };
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 5, overlap: 3, settings: settings);
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, 3);
        var tasks = new TaskService(db.Factory, TimeProvider.System);

        // Item n gets helpfulness n from the first two annotators and n + 2 (capped at 7) from a lenient third; safety 7 from all.
        await AnnotateAllAsync(tasks, tenant.Id, project.Id, annotators, (a, item, _) => new AnnotationInput(Guid.NewGuid().ToString(),
            Scores: new Dictionary<string, int> { ["helpfulness"] = a == annotators[2] ? Math.Min(7, item + 2) : item, ["safety"] = 7 },
            TimeOnTaskMs: 5000));

        var report = await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);

        Assert.Equal(["helpfulness", "safety"], report.Dimensions.Select(d => d.Key));
        var helpfulness = report.Dimensions[0];
        Assert.Equal(("ordinal", 5, 15), (helpfulness.Level, helpfulness.Units, helpfulness.Ratings));
        Assert.InRange(helpfulness.Alpha!.Value, 0.3, 0.99);
        Assert.Null(report.Dimensions[1].Alpha);
        var lenient = report.Annotators.Single(q => q.AnnotatorId == annotators[2].Id);

        // Offsets of the lenient one: +2 on items 1-5 but item 5 (capped, +2 still: 7 vs 5), and 0 on safety: mean over 10 = 1.
        Assert.Equal(1.0, lenient.MeanOffset!.Value, 9);
        Assert.Contains(lenient.Flags, f => f.StartsWith("scores +1.0 points", StringComparison.Ordinal));
        Assert.Null(lenient.LeftShare);

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var label = await ctx.CuratedLabels.Where(l => l.ProjectId == project.Id)
            .Join(ctx.Items.Where(i => i.ExternalId == "item-002"), l => l.ItemId, i => i.Id, (l, _) => l).SingleAsync();
        using var scores = JsonDocument.Parse(label.ScoresJson!);
        var h = scores.RootElement.GetProperty("A").GetProperty("helpfulness");
        Assert.Equal("median", label.Method);
        Assert.Equal(2.0, h.GetProperty("centre").GetDouble());
        Assert.Equal(8.0 / 3, h.GetProperty("mean").GetDouble(), 9);
        Assert.Null(label.Choice);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task StaleProjects_AfterANewAnnotation_IncludeTheProjectUntilRecomputed(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Stale");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 2, overlap: 1, settings: Plain);
        var me = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        var quality = new QualityService(db.Factory, TimeProvider.System);
        Assert.DoesNotContain((tenant.Id, project.Id), await quality.StaleProjectsAsync());

        var task = (await tasks.NextAsync(tenant.Id, project.Id, me.Id))!.Task!;
        await tasks.SubmitAsync(tenant.Id, task.AssignmentId, me.Id, new AnnotationInput("k", Choice: ShownChoice.Left));
        Assert.Contains((tenant.Id, project.Id), await quality.StaleProjectsAsync());

        await quality.RecomputeAsync(tenant.Id, project.Id);
        Assert.DoesNotContain((tenant.Id, project.Id), await quality.StaleProjectsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SelfConsistency_ReShownItemsWithSidesSwapped_AreMeasuredAndCountNowhereElse(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Self");
        var settings = Plain with { Quality = new QualityOptions { SelfConsistencyRate = 0.5 } };
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 4, overlap: 2, settings: settings);
        var (steady, fickle) = ((await db.CreateAnnotatorsAsync(tenant.Id, 1, "steady"))[0], (await db.CreateAnnotatorsAsync(tenant.Id, 1, "fickle"))[0]);
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        var seen = new Dictionary<(Guid, string), bool>();
        var repeatsSwapped = 0;

        // The steady annotator always prefers A; the fickle one prefers A the first time and B when it comes back.
        foreach (var a in new[] { steady, fickle })
        {
            while (await tasks.NextAsync(tenant.Id, project.Id, a.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                var leftIsA = task.Left.StartsWith("Answer A", StringComparison.Ordinal);
                var question = task.Conversation[0].Content;
                var again = seen.TryGetValue((a.Id, question), out var firstLeftIsA);
                if (again && firstLeftIsA != leftIsA)
                {
                    repeatsSwapped++;
                }

                seen[(a.Id, question)] = leftIsA;
                var wantA = !(again && a == fickle);
                await tasks.SubmitAsync(tenant.Id, task.AssignmentId, a.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: SideOf(task, wantA)));
            }
        }

        var report = await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var repeats = await ctx.Annotations.CountAsync(a => a.ProjectId == project.Id && a.RepeatOf != null);
        Assert.True(repeats >= 2, $"{repeats} self-consistency checks");
        Assert.Equal(repeats, repeatsSwapped);

        // Overlap 2: eight first answers in all, and every item claimed twice whatever was re-shown.
        Assert.Equal(8, report.Annotations);
        Assert.All(await ctx.Items.Where(i => i.ProjectId == project.Id).ToListAsync(), i => Assert.Equal(2, i.Claimed));
        var s1 = report.Annotators.Single(q => q.AnnotatorId == steady.Id);
        var s2 = report.Annotators.Single(q => q.AnnotatorId == fickle.Id);
        Assert.True(s1.SelfChecks > 0 && s2.SelfChecks > 0);
        Assert.Equal((1.0, 0.0), (s1.SelfConsistency, s2.SelfConsistency));
        Assert.Equal(1.0, s2.AgreementWithOthers);
    }
}
