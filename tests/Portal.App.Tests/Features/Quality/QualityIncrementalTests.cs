using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Quality;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Quality;

/// <summary>
/// The incremental recompute against the full one and against <see cref="QualityCalculator.Compute"/> over every row:
/// random batches of new answers, revisions, self-consistency repeats and new annotators, spread over several weeks.
/// </summary>
public class QualityIncrementalTests
{
    private const int Items = 30;
    private const int Batches = 6;

    private static readonly ProjectSettings Settings = ProjectSettings.Default with
    {
        Gold = new GoldOptions { Rate = 0 },
        Quality = new QualityOptions { MinSecondsPerTask = 2 },
    };

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public Task Recompute_RandomBatchesOnPairwiseWithScores_IncrementalEqualsFullAndCalculator(TestProvider provider) =>
        RandomBatchesAsync(provider, ProjectKind.LikertAndPairwise, seed: 18);

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public Task Recompute_RandomBatchesOnLikert_IncrementalEqualsFullAndCalculator(TestProvider provider) =>
        RandomBatchesAsync(provider, ProjectKind.Likert, seed: 19);

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Recompute_SettingsChanged_RecomputesInFull(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Incremental settings");
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Pairwise, items: 4, overlap: 2, settings: Settings);
        var quality = new QualityService(db.Factory, TimeProvider.System);
        var random = new Random(5);
        var at = DateTime.UtcNow;
        await AddBatchAsync(db, tenant.Id, project, [Guid.NewGuid(), Guid.NewGuid()], random, () => at = at.AddSeconds(1), operations: 6);
        Assert.True((await quality.RecomputeWithOutcomeAsync(tenant.Id, project.Id)).Full);

        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var stored = await ctx.Projects.FirstAsync(p => p.Id == project.Id);
            stored.Settings = stored.Settings with { Quality = stored.Settings.Quality with { MinSecondsPerTask = 9 } };
            await ctx.SaveChangesAsync();
        }

        var outcome = await quality.RecomputeWithOutcomeAsync(tenant.Id, project.Id);
        Assert.True(outcome.Full);
        Assert.Contains("settings", outcome.FullBecause, StringComparison.Ordinal);
    }

    /// <summary>
    /// The deleted-annotations count runs beside the incremental update and is checked before its commit: a deletion turns
    /// the run into a full recompute, and nothing the abandoned incremental run wrote (labels, snapshots, counters) is kept.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Recompute_AnnotationDeletedAndAnotherAdded_RecomputesInFullAndEqualsTheCalculator(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Incremental deleted");
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Pairwise, items: 6, overlap: 3, settings: Settings);
        var quality = new QualityService(db.Factory, TimeProvider.System);
        var random = new Random(7);
        var at = DateTime.UtcNow.AddHours(-3);
        var annotators = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        await AddBatchAsync(db, tenant.Id, project, annotators, random, () => at = at.AddSeconds(30), operations: 12);
        Assert.True((await quality.RecomputeWithOutcomeAsync(tenant.Id, project.Id)).Full);

        // The two oldest answers deleted (long before the watermark, so no incremental read sees them), then one more operation:
        // the count falls by one or two, which the run learns only when its count comes in, after it has updated the counters.
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var gone = await ctx.Annotations.Where(a => a.ProjectId == project.Id && a.RepeatOf == null).OrderBy(a => a.CreatedAt).Take(2).ToListAsync();
            ctx.Annotations.RemoveRange(gone);
            await ctx.SaveChangesAsync();
        }

        at = DateTime.UtcNow;
        await AddBatchAsync(db, tenant.Id, project, annotators, random, () => at = at.AddSeconds(1), operations: 1);
        var outcome = await quality.RecomputeWithOutcomeAsync(tenant.Id, project.Id);
        Assert.True(outcome.Full);
        Assert.Contains("deleted", outcome.FullBecause, StringComparison.Ordinal);
        await AssertMatchesCalculatorAsync(db, quality, tenant.Id, project.Id, outcome.Report);

        var next = await quality.RecomputeWithOutcomeAsync(tenant.Id, project.Id);
        Assert.False(next.Full, next.FullBecause);
        Assert.Equal(Comparable(outcome.Report), Comparable(next.Report));
    }

    [Fact]
    public async Task RecomputeFull_OnSqliteOverTwoPages_FreesTheWriteLockBetweenThemAndAnswersMadeMeanwhileCountNextTime()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Incremental pages");
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Pairwise, items: QualityService.PageSize + 100, overlap: 3, settings: Settings);
        var quality = new QualityService(db.Factory, TimeProvider.System);
        var random = new Random(23);
        var annotators = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        var at = DateTime.UtcNow.AddHours(-2);
        await AddBatchAsync(db, tenant.Id, project, annotators, random, () => at = at.AddSeconds(5), operations: 400);

        // Once the first page is written: a writer with a one-second busy timeout takes the write lock (it would fail if
        // the recompute still held it), and more answers and revisions arrive.
        var between = new BetweenPages(async () =>
        {
            await using var other = new Microsoft.Data.Sqlite.SqliteConnection(db.Options.ConnectionString + ";Default Timeout=1");
            await other.OpenAsync();
            await using var write = other.CreateCommand();
            write.CommandText = "BEGIN IMMEDIATE; COMMIT;";
            await write.ExecuteNonQueryAsync();
            await AddBatchAsync(db, tenant.Id, project, annotators, random, () => at = at.AddSeconds(5), operations: 60);
        });
        var full = await quality.RecomputeFullAsync(tenant.Id, project.Id, between);

        Assert.True(full.Full);
        Assert.Equal((QualityService.PageSize + 100, 1), (full.ItemsRead, between.Calls));

        // The next run is incremental and reads the answers made during the full one, wherever their items were paged.
        var next = await quality.RecomputeWithOutcomeAsync(tenant.Id, project.Id);
        Assert.False(next.Full, next.FullBecause);
        await AssertMatchesCalculatorAsync(db, quality, tenant.Id, project.Id, next.Report);
    }

    /// <summary>Runs an action once, at the first report of a counted page (the full recompute's first page is written by then).</summary>
    private sealed class BetweenPages(Func<Task> action) : Portal.App.Jobs.IJobProgress
    {
        public int Calls { get; private set; }

        public async ValueTask ReportAsync(int percent, string? message = null)
        {
            if (Calls == 0 && message?.StartsWith("Counted", StringComparison.Ordinal) == true)
            {
                Calls++;
                await action();
            }
        }
    }

    private static async Task RandomBatchesAsync(TestProvider provider, ProjectKind kind, int seed)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Incremental");
        var project = await db.CreateTaskProjectAsync(tenant.Id, kind, items: Items, overlap: 3, settings: Settings);
        var quality = new QualityService(db.Factory, TimeProvider.System);
        var random = new Random(seed);
        var annotators = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        var at = new DateTime(2026, 9, 1, 9, 0, 0, DateTimeKind.Utc);
        var outcomes = new List<RecomputeOutcome>();
        for (var batch = 0; batch < Batches; batch++)
        {
            if (batch > 0)
            {
                annotators.Add(Guid.NewGuid());
            }

            await AddBatchAsync(db, tenant.Id, project, annotators, random, () => at = at.AddMinutes(random.Next(1, 600)), operations: 25);
            var outcome = await quality.RecomputeWithOutcomeAsync(tenant.Id, project.Id);
            outcomes.Add(outcome);
            await AssertMatchesCalculatorAsync(db, quality, tenant.Id, project.Id, outcome.Report);
        }

        Assert.True(outcomes[0].Full);
        Assert.All(outcomes.Skip(1), o => Assert.False(o.Full, o.FullBecause));
        Assert.True(outcomes[^1].ItemsRead < Items, $"the last batch read {outcomes[^1].ItemsRead} items");
        Assert.True(outcomes[^1].Report.Weekly.Select(w => w.WeekStart).Distinct().Count() >= 3, "the batches span several weeks");

        var incremental = Comparable(outcomes[^1].Report);
        var incrementalLabels = await LabelsAsync(db, tenant.Id, project.Id);
        var full = await quality.RecomputeFullAsync(tenant.Id, project.Id);
        Assert.True(full.Full);
        Assert.Equal(incremental, Comparable(full.Report));
        Assert.Equal(incrementalLabels, await LabelsAsync(db, tenant.Id, project.Id));
    }

    /// <summary>Random operations: new answers by annotators not yet on the item, revisions of old answers (choice, scores, time), repeats re-shown to their annotator.</summary>
    private static async Task AddBatchAsync(TestDatabase db, Guid tenantId, Project project, List<Guid> annotators, Random random, Func<DateTime> tick, int operations)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var items = await ctx.Items.Where(i => i.ProjectId == project.Id).Select(i => i.Id).OrderBy(i => i).ToListAsync();
        var existing = await ctx.Annotations.Where(a => a.ProjectId == project.Id).ToListAsync();
        var pairwise = project.Kind != ProjectKind.Likert;
        var likert = project.Kind != ProjectKind.Pairwise;
        void Answer(Annotation a)
        {
            if (pairwise)
            {
                a.Choice = (PreferenceChoice)random.Next(4);
                a.Strength = a.Choice is PreferenceChoice.A or PreferenceChoice.B ? random.Next(1, 4) : null;
            }

            if (likert)
            {
                // Few values, so answers agree often enough for every statistic to move.
                a.Scores = Settings.Attributes.Take(2).ToDictionary(x => x.Key, _ => random.Next(3, 6));
                a.ScoresB = project.Kind == ProjectKind.LikertAndPairwise ? Settings.Attributes.Take(2).ToDictionary(x => x.Key, _ => random.Next(3, 6)) : null;
            }

            a.TimeOnTaskMs = random.Next(500, 20_000);
            a.LeftIsA = random.Next(2) == 0;
        }

        for (var op = 0; op < operations; op++)
        {
            var now = tick();
            var roll = random.NextDouble();
            var originals = existing.Where(a => a.RepeatOf is null).ToList();
            if (roll < 0.2 && originals.Count > 0)
            {
                var revised = originals[random.Next(originals.Count)];
                Answer(revised);
                revised.RevisedAt = now;
                revised.Revisions++;
            }
            else if (roll < 0.3 && originals.Count > 0)
            {
                var original = originals[random.Next(originals.Count)];
                var repeat = new Annotation
                {
                    ProjectId = project.Id,
                    ItemId = original.ItemId,
                    AnnotatorId = original.AnnotatorId,
                    IdempotencyKey = Guid.NewGuid().ToString(),
                    RepeatOf = original.Id,
                    CreatedAt = now,
                };
                Answer(repeat);
                if (random.Next(2) == 0)
                {
                    (repeat.Choice, repeat.Strength, repeat.Scores, repeat.ScoresB) = (original.Choice, original.Strength, original.Scores, original.ScoresB);
                }

                ctx.Annotations.Add(repeat);
                existing.Add(repeat);
            }
            else
            {
                var item = items[random.Next(items.Count)];
                var free = annotators.Where(x => !existing.Any(a => a.ItemId == item && a.AnnotatorId == x)).ToList();
                if (free.Count == 0)
                {
                    continue;
                }

                var annotation = new Annotation
                {
                    ProjectId = project.Id,
                    ItemId = item,
                    AnnotatorId = free[random.Next(free.Count)],
                    IdempotencyKey = Guid.NewGuid().ToString(),
                    CreatedAt = now,
                };
                Answer(annotation);

                // Now and then the same answer as the annotator's previous one: straight-lining for the repeat share.
                if (existing.Where(a => a.AnnotatorId == annotation.AnnotatorId && a.RepeatOf == null).MaxBy(a => a.CreatedAt) is { } previous && random.Next(3) == 0)
                {
                    (annotation.Choice, annotation.Strength, annotation.Scores, annotation.ScoresB) = (previous.Choice, previous.Strength, previous.Scores, previous.ScoresB);
                }

                ctx.Annotations.Add(annotation);
                existing.Add(annotation);
            }
        }

        await ctx.SaveChangesAsync();
    }

    /// <summary>The report as <see cref="QualityCalculator.Compute"/> makes it over every row, and the curated labels it makes, against the stored ones.</summary>
    private static async Task AssertMatchesCalculatorAsync(TestDatabase db, QualityService quality, Guid tenantId, Guid projectId, QualityReport report)
    {
        var (project, rows) = (await quality.RatingsAsync(projectId))!.Value;
        var infos = rows.Select(r => r.AnnotatorId).Distinct().ToDictionary(id => id, _ => new AnnotatorInfo("", 0, 0, false));
        var (expected, labels) = QualityCalculator.Compute(project, rows, infos, report.ComputedAt);
        AssertClose(JsonSerializer.SerializeToElement(expected), JsonSerializer.SerializeToElement(report), "report");
        Assert.Equal(string.Join('\n', labels.OrderBy(l => l.ItemId).Select(Describe)), await LabelsAsync(db, tenantId, projectId));
    }

    /// <summary>Equal JSON but for numbers, which may differ by rounding (the counters sum in another order): within 1e-9.</summary>
    private static void AssertClose(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected} but was {actual}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var names = expected.EnumerateObject().Select(p => p.Name).ToList();
                Assert.Equal(names, actual.EnumerateObject().Select(p => p.Name).ToList());
                foreach (var name in names)
                {
                    AssertClose(expected.GetProperty(name), actual.GetProperty(name), path + "." + name);
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: {expected.GetArrayLength()} elements but {actual.GetArrayLength()}");
                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertClose(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Number:
                Assert.True(Math.Abs(expected.GetDouble() - actual.GetDouble()) <= 1e-9, $"{path}: {expected} but was {actual}");
                break;
            default:
                Assert.True(expected.ToString() == actual.ToString(), $"{path}: {expected} but was {actual}");
                break;
        }
    }

    private static string Comparable(QualityReport report) => JsonSerializer.Serialize(report with { ComputedAt = default });

    private static async Task<string> LabelsAsync(TestDatabase db, Guid tenantId, Guid projectId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var labels = await ctx.CuratedLabels.AsNoTracking().Where(l => l.ProjectId == projectId).ToListAsync();
        return string.Join('\n', labels.OrderBy(l => l.ItemId).Select(Describe));
    }

    private static string Describe(CuratedLabel l) =>
        FormattableString.Invariant($"{l.ItemId} {l.Method} {l.Choice} {l.Strength:R} {l.VotesJson} {l.Confidence:R} {l.ScoresJson} {l.Ratings} {l.Agreement:R}");
}
