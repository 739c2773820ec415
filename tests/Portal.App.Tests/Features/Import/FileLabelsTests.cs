using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.App.Features.Quality;
using Portal.App.Features.Releases;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Import;

/// <summary>
/// The labels public datasets carry, landing where the admin chose: AI labels, external raters' annotations, or nowhere;
/// external raters counted in agreement, aggregation and releases, and never given a task.
/// </summary>
public sealed class FileLabelsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-file-labels").FullName;

    // stanfordnlp/SHP: labels 1 when A was preferred, 0 when B; no rater per row.
    private static string Shp(int n, int labels) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["post_id"] = $"himc{n}",
        ["domain"] = "askculinary_train",
        ["upvote_ratio"] = 0.99,
        ["history"] = $"How long do I rest steak {n}?",
        ["c_root_id_A"] = $"a{n}",
        ["c_root_id_B"] = $"b{n}",
        ["created_at_utc_A"] = 1593535113,
        ["created_at_utc_B"] = 1593535524,
        ["score_A"] = 32,
        ["score_B"] = 11,
        ["human_ref_A"] = $"About five minutes {n}.",
        ["human_ref_B"] = $"Don't bother {n}.",
        ["labels"] = labels,
        ["seconds_difference"] = 411.0,
        ["score_ratio"] = 2.909090909090909,
    });

    // lmsys/chatbot_arena_conversations: winner model_a, model_b, tie or tie (bothbad), judged by judge.
    private static string Arena(string id, string winner, string judge) => JsonSerializer.Serialize(new
    {
        question_id = id,
        model_a = "vicuna-13b",
        model_b = "koala-13b",
        winner,
        judge,
        conversation_a = new[] { new { content = $"Name a prime {id}.", role = "user" }, new { content = "7.", role = "assistant" } },
        conversation_b = new[] { new { content = $"Name a prime {id}.", role = "user" }, new { content = "9.", role = "assistant" } },
        turn = 1,
        anony = true,
        language = "English",
        tstamp = 1682351591.1322,
    });

    // HuggingFaceH4/ultrafeedback_binarized: chosen and rejected message lists, scores as floats.
    private static string UltraFeedback(int n) => JsonSerializer.Serialize(new
    {
        prompt = $"Which is bigger, 7 or {n}?",
        prompt_id = $"3a5f{n}",
        chosen = new[] { new { content = $"Which is bigger, 7 or {n}?", role = "user" }, new { content = $"{n} is bigger.", role = "assistant" } },
        rejected = new[] { new { content = $"Which is bigger, 7 or {n}?", role = "user" }, new { content = "7.", role = "assistant" } },
        messages = new[] { new { content = $"Which is bigger, 7 or {n}?", role = "user" }, new { content = $"{n} is bigger.", role = "assistant" } },
        score_chosen = 8.5,
        score_rejected = 3.0,
    });

    // Anthropic/hh-rlhf: chosen and rejected transcripts; chosen is the label.
    private static string Hh(int n) => JsonSerializer.Serialize(new
    {
        chosen = $"\n\nHuman: Question {n}?\n\nAssistant: Good {n}.",
        rejected = $"\n\nHuman: Question {n}?\n\nAssistant: Bad {n}.",
    });

    // nvidia/HelpSteer2: prompt, response, five integer attributes 0-4.
    private static string HelpSteer(int n, int helpfulness) => JsonSerializer.Serialize(new
    {
        prompt = $"What is C# {n}?",
        response = $"C# is a language by Microsoft {n}.",
        helpfulness,
        correctness = 4,
        coherence = 4,
        complexity = 2,
        verbosity = 1,
    });

    private async Task<string> FileAsync(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    private static ItemImportService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<ItemImportService>();

    private async Task<ImportResult> ImportAsync(TestDatabase db, Guid tenantId, Guid projectId, string name, IEnumerable<string> lines, ImportOptions options) =>
        await Service(db).ImportAsync(tenantId, projectId, await FileAsync(name, lines), name, options, NoProgress.Instance, default);

    private static async Task<List<(string? ExternalId, PreferenceChoice? Choice, string Rater)>> ExternalChoicesAsync(TestDatabase db, Guid tenantId, Guid projectId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var rows = await (from a in ctx.Annotations
                          join i in ctx.Items on a.ItemId equals i.Id
                          join r in ctx.ExternalRaters on a.ExternalRaterId equals r.Id
                          where a.ProjectId == projectId
                          select new { i.ExternalId, a.Choice, r.Name }).ToListAsync();
        return [.. rows.OrderBy(r => r.ExternalId, StringComparer.Ordinal).Select(r => (r.ExternalId, r.Choice, r.Name))];
    }

    [Theory]
    [InlineData(FileLabels.Ignore)]
    [InlineData(FileLabels.AiLabels)]
    [InlineData(FileLabels.External)]
    public async Task Import_Shp_LabelsLandWhereTheAdminChose(FileLabels choice)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 0, overlap: 1);

        var result = await ImportAsync(db, tenant.Id, project.Id, "shp.jsonl", [Shp(1, 1), Shp(2, 0), Shp(3, 1)],
            new ImportOptions(Labels: choice, Source: "stanfordnlp/SHP"));

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var ai = await ctx.AiLabels.Join(ctx.Items, l => l.ItemId, i => i.Id, (l, i) => new { i.ExternalId, l.Choice, l.Model }).ToListAsync();
        var external = await ExternalChoicesAsync(db, tenant.Id, project.Id);
        Assert.Equal(3, result.Added);
        Assert.Equal(0, await ctx.Assignments.CountAsync());
        switch (choice)
        {
            case FileLabels.Ignore:
                Assert.Equal(0, result.Labels);
                Assert.Empty(ai);
                Assert.Empty(external);
                Assert.Equal(0, await ctx.ExternalRaters.CountAsync());
                break;
            case FileLabels.AiLabels:
                Assert.Equal(
                    [("a1-b1", PreferenceChoice.A, "stanfordnlp/SHP"), ("a2-b2", PreferenceChoice.B, "stanfordnlp/SHP"), ("a3-b3", PreferenceChoice.A, "stanfordnlp/SHP")],
                    ai.OrderBy(l => l.ExternalId, StringComparer.Ordinal).Select(l => (l.ExternalId, l.Choice, l.Model)));
                Assert.Empty(external);
                break;
            default:
                Assert.Empty(ai);
                Assert.Equal(
                    [("a1-b1", PreferenceChoice.A, "External 1 · stanfordnlp/SHP"), ("a2-b2", PreferenceChoice.B, "External 1 · stanfordnlp/SHP"),
                        ("a3-b3", PreferenceChoice.A, "External 1 · stanfordnlp/SHP")],
                    external);
                Assert.Equal((3, 1), (result.Labels, result.ExternalRaters));
                Assert.Contains("became annotations of 1 external rater(s)", ItemImportService.Describe(result), StringComparison.Ordinal);
                var rater = await ctx.ExternalRaters.SingleAsync();
                Assert.Equal("", rater.RaterKey);

                // Not a user, not a member: nobody can sign in as it or invite it.
                Assert.False(await ctx.Users.AnyAsync(u => u.Id == rater.Id));
                Assert.False(await ctx.Memberships.AnyAsync(m => m.UserId == rater.Id));
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_ArenaAsExternal_OneRaterPerJudge_TiesAndBothBadKept(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 0, overlap: 1);

        var result = await ImportAsync(db, tenant.Id, project.Id, "arena.jsonl",
            [Arena("q1", "model_a", "arena_user_1"), Arena("q2", "model_b", "arena_user_2"), Arena("q3", "tie", "arena_user_1"), Arena("q4", "tie (bothbad)", "arena_user_2")],
            new ImportOptions(Labels: FileLabels.External, Source: "lmsys/chatbot_arena_conversations"));

        Assert.Equal((4, 4, 2), (result.Added, result.Labels, result.ExternalRaters));
        var external = await ExternalChoicesAsync(db, tenant.Id, project.Id);
        Assert.Equal([PreferenceChoice.A, PreferenceChoice.B, PreferenceChoice.Tie, PreferenceChoice.BothBad], external.Select(e => e.Choice));
        Assert.Equal(external[0].Rater, external[2].Rater);
        Assert.Equal(external[1].Rater, external[3].Rater);
        Assert.NotEqual(external[0].Rater, external[1].Rater);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);

        // The judge's id is kept only as a hash.
        var keys = await ctx.ExternalRaters.Select(r => r.RaterKey).ToListAsync();
        Assert.All(keys, k => Assert.Matches("^[0-9a-f]{64}$", k));
        Assert.DoesNotContain(await ctx.ExternalRaters.Select(r => r.Name).ToListAsync(), n => n.Contains("arena_user", StringComparison.Ordinal));

        // A second file of the same source and judges gives its labels to the same raters.
        var again = await ImportAsync(db, tenant.Id, project.Id, "arena2.jsonl", [Arena("q5", "model_a", "arena_user_2")],
            new ImportOptions(Labels: FileLabels.External, Source: "lmsys/chatbot_arena_conversations"));
        Assert.Equal((1, 1), (again.Labels, again.ExternalRaters));
        Assert.Equal(2, await ctx.ExternalRaters.CountAsync());
    }

    [Theory]
    [InlineData("ultrafeedback")]
    [InlineData("hh")]
    public async Task Import_ChosenRejectedFormatsAsExternal_ChosenIsTheDatasetRatersChoice(string format)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 0, overlap: 1);
        var lines = format == "hh" ? new[] { Hh(1), Hh(2) } : [UltraFeedback(8), UltraFeedback(9)];

        var result = await ImportAsync(db, tenant.Id, project.Id, $"{format}.jsonl", lines, new ImportOptions(Labels: FileLabels.External));

        Assert.Equal((2, 2, 1), (result.Added, result.Labels, result.ExternalRaters));
        var external = await ExternalChoicesAsync(db, tenant.Id, project.Id);
        Assert.All(external, e => Assert.Equal((PreferenceChoice?)PreferenceChoice.A, e.Choice));
        Assert.All(external, e => Assert.Equal($"External 1 · {format}", e.Rater));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var item = await ctx.Items.FirstAsync(i => i.ProjectId == project.Id);
        Assert.StartsWith(format == "hh" ? "Good" : "8 is bigger", item.ResponseA, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_HelpSteer2AsExternal_CreatesTheFiveAttributesAndStoresTheScores(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 0, overlap: 1);

        var result = await ImportAsync(db, tenant.Id, project.Id, "helpsteer2.jsonl", [HelpSteer(1, 3), HelpSteer(2, 1)],
            new ImportOptions(Labels: FileLabels.External, Source: "nvidia/HelpSteer2"));

        Assert.True(result.AttributesCreated);
        Assert.Equal((2, 2, 1), (result.Added, result.Labels, result.ExternalRaters));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var stored = await ctx.Projects.SingleAsync(p => p.Id == project.Id);
        Assert.Equal(["helpfulness", "correctness", "coherence", "complexity", "verbosity"], stored.Settings.Attributes.Select(a => a.Key));
        Assert.All(stored.Settings.Attributes, a => Assert.Equal((0, 4), (a.Min, a.Max)));
        var annotations = await ctx.Annotations.Where(a => a.ProjectId == project.Id).ToListAsync();
        Assert.Equal([1, 3], annotations.Select(a => a.Scores!["helpfulness"]).Order());
        Assert.All(annotations, a => Assert.Equal((4, 1), (a.Scores!["correctness"], a.Scores["verbosity"])));
        Assert.All(annotations, a => Assert.Null(a.AssignmentId));
        Assert.All(annotations, a => Assert.Equal(a.AnnotatorId, a.ExternalRaterId));
    }

    [Fact]
    public async Task Import_HelpSteer2Ignored_StillGivesTheProjectItsAttributesButNoRatings()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 0, overlap: 1);

        var result = await ImportAsync(db, tenant.Id, project.Id, "helpsteer2.jsonl", [HelpSteer(1, 3)], ImportOptions.Default);

        Assert.True(result.AttributesCreated);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.Annotations.CountAsync());
        Assert.Equal(5, (await ctx.Projects.SingleAsync(p => p.Id == project.Id)).Settings.Attributes.Count);
    }

    [Fact]
    public async Task Import_HelpSteer2IntoAProjectWithOtherAttributes_IsAClearErrorAndImportsNothing_UnlessTheAdminAsks()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var own = ProjectSettings.Default with { Attributes = [new AttributeDefinition("clarity", "Clarity", "How clear.", 1, 5)] };
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 0, overlap: 1, settings: own);

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() =>
            ImportAsync(db, tenant.Id, project.Id, "helpsteer2.jsonl", [HelpSteer(1, 3)], new ImportOptions(Labels: FileLabels.External)));

        Assert.Equal("attributes", ex.Field);
        Assert.Contains("clarity (1–5)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("attributes=helpsteer2", ex.Message, StringComparison.Ordinal);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            Assert.Equal(0, await ctx.Items.CountAsync(i => i.ProjectId == project.Id));
            Assert.Equal(0, await ctx.ExternalRaters.CountAsync());
            Assert.Equal("clarity", (await ctx.Projects.SingleAsync(p => p.Id == project.Id)).Settings.Attributes.Single().Key);
        }

        var asked = await ImportAsync(db, tenant.Id, project.Id, "helpsteer2.jsonl", [HelpSteer(1, 3)],
            ImportOptions.Parse(null, "external", null, "helpsteer2"));

        Assert.True(asked.AttributesCreated);
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal("helpfulness", (await check.Projects.SingleAsync(p => p.Id == project.Id)).Settings.Attributes[0].Key);
        Assert.Equal(1, await check.Annotations.CountAsync());
    }

    [Fact]
    public async Task ExternalRater_IsNeverLeasedATask_AndItsLabelDoesNotFillTheOverlap()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 0, overlap: 1);
        await ImportAsync(db, tenant.Id, project.Id, "shp.jsonl", [Shp(1, 1), Shp(2, 0)], new ImportOptions(Labels: FileLabels.External));
        var annotator = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        Guid raterId;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            raterId = await ctx.ExternalRaters.Select(r => r.Id).SingleAsync();
            Assert.All(await ctx.Items.Where(i => i.ProjectId == project.Id).ToListAsync(), i => Assert.Equal(0, i.Claimed));
        }

        // Even if the external rater's id reached the assignment engine, it gets no task.
        Assert.Null(await tasks.NextAsync(tenant.Id, project.Id, raterId));

        // The organisation's annotator still gets both items: the dataset's label is not one of the overlap's ratings.
        var served = new List<Guid>();
        while (await tasks.NextAsync(tenant.Id, project.Id, annotator.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
        {
            served.Add(task.AssignmentId);
            await tasks.SubmitAsync(tenant.Id, task.AssignmentId, annotator.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: ShownChoice.Tie, TimeOnTaskMs: 5000));
        }

        Assert.Equal(2, served.Count);
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        Assert.False(await check.Assignments.AnyAsync(a => a.AnnotatorId == raterId));

        // Progress: the items are fully rated by the annotator alone; the rater is listed, marked external, outside the totals.
        var progress = await new ProjectProgressQuery(db.Factory, TimeProvider.System).GetAsync(tenant.Id, project.Id);
        Assert.Equal(2, progress!.Items.FullyRated);
        Assert.Equal((2, 2), (progress.Annotations, progress.ExternalLabels));
        var listed = Assert.Single(progress.Annotators, a => a.External);
        Assert.Equal((raterId, 2, "External 1 · shp"), (listed.AnnotatorId, listed.Annotations, listed.Name));
        Assert.DoesNotContain(progress.PerDay, d => d.AnnotatorId == raterId);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Recompute_ExternalRaterCountsInAgreementAndAggregation_ShownAsExternal(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var settings = ProjectSettings.Default with
        {
            Gold = new GoldOptions { Rate = 0 },
            Pairwise = new PairwiseOptions { StrengthLevels = 0 },
            Quality = new QualityOptions { MinSecondsPerTask = 2 },
        };
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 0, overlap: 1, settings: settings);

        // The dataset prefers A on four items; one annotator agrees on every item but the last, where they say B.
        await ImportAsync(db, tenant.Id, project.Id, "shp.jsonl", Enumerable.Range(1, 4).Select(n => Shp(n, 1)), new ImportOptions(Labels: FileLabels.External));
        var annotator = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        while (await tasks.NextAsync(tenant.Id, project.Id, annotator.Id) is { Status: NextTaskStatus.Assigned, Task: { } task })
        {
            var wantA = !task.Conversation[0].Content.Contains('4', StringComparison.Ordinal);
            var leftIsA = task.Left.StartsWith("About", StringComparison.Ordinal);
            await tasks.SubmitAsync(tenant.Id, task.AssignmentId, annotator.Id,
                new AnnotationInput(Guid.NewGuid().ToString(), Choice: leftIsA == wantA ? ShownChoice.Left : ShownChoice.Right, TimeOnTaskMs: 9000));
        }

        var report = await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);

        var choice = Assert.Single(report.Dimensions);
        Assert.Equal((4, 8, 2), (choice.Units, choice.Ratings, choice.Raters));
        var external = Assert.Single(report.Annotators, a => a.External);
        Assert.Equal(("External 1 · shp", 4, 4), (external.Name, external.Annotations, external.ComparedItems));
        Assert.Equal(0.75, external.AgreementWithOthers);
        Assert.Null(external.FastShare);
        Assert.Null(external.LeftShare);
        Assert.Null(external.RepeatShare); // the file says A on every line: that is its format, not straight-lining
        Assert.Empty(external.Flags);
        Assert.False(Assert.Single(report.Annotators, a => !a.External).External);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var labels = await ctx.CuratedLabels.Where(l => l.ProjectId == project.Id).ToListAsync();
        Assert.Equal(4, labels.Count);
        Assert.All(labels, l => Assert.Equal(2, l.Ratings));

        // Three items where both say A are A; on the fourth the two disagree (an A/B split).
        Assert.Equal(3, labels.Count(l => l.Choice == PreferenceChoice.A && l.Agreement == 1));

        // Eight more lines of the same file: the incremental recompute does not judge their order either, at a count
        // (12 answers, all A) where a person would be flagged for straight-lining.
        await ImportAsync(db, tenant.Id, project.Id, "shp.jsonl", Enumerable.Range(5, 8).Select(n => Shp(n, 1)), new ImportOptions(Labels: FileLabels.External));
        var again = await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);
        var rater = Assert.Single(again.Annotators, a => a.External);
        Assert.Equal((12, null), (rater.Annotations, rater.RepeatShare));
        Assert.Empty(rater.Flags);
    }

    [Fact]
    public async Task Release_RowsSayWhichLabelsCameFromExternalRaters_AndTheCardCountsThemPerSource()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 0, overlap: 1,
            settings: ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 }, Pairwise = new PairwiseOptions { StrengthLevels = 0 } });
        await ImportAsync(db, tenant.Id, project.Id, "shp.jsonl", [Shp(1, 1), Shp(2, 0)],
            new ImportOptions(Labels: FileLabels.External, Source: "stanfordnlp/SHP"));

        // One item also gets a human rating.
        var annotator = (await db.CreateAnnotatorsAsync(tenant.Id, 1))[0];
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        var task = (await tasks.NextAsync(tenant.Id, project.Id, annotator.Id))!.Task!;
        await tasks.SubmitAsync(tenant.Id, task.AssignmentId, annotator.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: ShownChoice.Tie, TimeOnTaskMs: 9000));
        await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);

        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, "with-shp", tenant.Member(OrgRoles.OrgAdmin).Id);

        Assert.Equal(ReleaseStatus.Ready, release.Status);
        var lines = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(tenant.Id, release, "trl-plain", keepTies: true))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        var sources = lines.Select(l => l.GetProperty("provenance").GetProperty("label_source").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["external", "human_and_external"], sources);
        foreach (var line in lines)
        {
            var annotators = line.GetProperty("provenance").GetProperty("annotators").EnumerateArray().Select(a => a.GetString()!).ToList();
            Assert.Single(annotators, a => a.StartsWith("ext-", StringComparison.Ordinal));
            Assert.All(annotators, a => Assert.Matches("^(ann|ext)-[0-9a-f]{12}$", a));
        }

        var card = Encoding.UTF8.GetString(ReleaseExporter.Card(release, project.Name, ExportFormat.TrlPlain, keepTies: true));
        Assert.Contains("| stanfordnlp/SHP | external raters | 1 | 2 |", card, StringComparison.Ordinal);
        Assert.Contains("| external raters (labels imported with the dataset) | 1 |", card, StringComparison.Ordinal);
        Assert.Contains("| human and external raters | 1 |", card, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class NoProgress : IJobProgress
    {
        public static readonly NoProgress Instance = new();

        public ValueTask ReportAsync(int percent, string? message = null) => ValueTask.CompletedTask;
    }
}
