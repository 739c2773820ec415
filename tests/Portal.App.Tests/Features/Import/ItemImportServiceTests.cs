using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Hybrid;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Import;

public sealed class ItemImportServiceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-import").FullName;

    private async Task<string> FileAsync(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }

    private static ItemImportService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<ItemImportService>();

    private static IEnumerable<string> Pairs(int from, int count) =>
        Enumerable.Range(from, count).Select(i => $"{{\"id\": \"p{i}\", \"prompt\": \"Question {i}\", \"chosen\": \"good {i}\", \"rejected\": \"bad {i}\"}}");

    private static async Task<int> CountAsync(TestDatabase db, TestTenant tenant)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return await ctx.Items.CountAsync(i => i.ProjectId == tenant.Project.Id);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_Categories_FromTheFieldOrTheMetadata_LandOnTheItemsAndInTheProjectsList(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        string[] lines =
        [
            """{"id": "c1", "prompt": "2+2?", "chosen": "4", "rejected": "5", "category": "math"}""",
            """{"id": "c2", "prompt": "Hi", "chosen": "Hello", "rejected": "Go away", "metadata": {"category": "chat"}}""",
            """{"id": "c3", "prompt": "3+3?", "chosen": "6", "rejected": "7", "category": "math", "metadata": {"category": "chat"}}""",
            """{"id": "c4", "prompt": "Hm", "chosen": "Yes", "rejected": "No"}""",
        ];

        var result = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("c.jsonl", lines), "c.jsonl", new RecordingProgress(), default);

        Assert.Equal(4, result.Added);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var categories = await ctx.Items.Where(i => i.ProjectId == tenant.Project.Id && new[] { "c1", "c2", "c3", "c4" }.Contains(i.ExternalId))
            .OrderBy(i => i.ExternalId).Select(i => i.Category).ToListAsync();
        Assert.Equal(["math", "chat", "math", null], categories);
        var view = (await new HybridService(db.Factory, TimeProvider.System).GetAsync(tenant.Id, tenant.Project.Id))!;
        Assert.Equal([new CategoryView("chat", CategoryRoutes.Ai, 1, false), new CategoryView("math", CategoryRoutes.Ai, 2, false)], view.Categories);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_ThenReimportWithMore_AddsOnlyTheNewExternalIds(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var progress = new RecordingProgress();

        var first = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("a.jsonl", Pairs(1, 2500)), "a.jsonl", progress, default);
        var second = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("b.jsonl", Pairs(2001, 1000)), "b.jsonl", progress, default);

        Assert.Equal((2500, 0), (first.Added, first.AlreadyPresent));
        Assert.Equal((500, 500), (second.Added, second.AlreadyPresent));
        Assert.Equal(1 + 3000, await CountAsync(db, tenant));
        Assert.Equal(100, progress.Percents[^1]);
        Assert.True(progress.Percents.Count > 2, "no progress was reported between batches");
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var item = await ctx.Items.SingleAsync(i => i.ExternalId == "p42");
        Assert.Equal(("good 42", "bad 42"), (item.ResponseA, item.ResponseB));
        Assert.Contains("Question 42", item.ConversationJson, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_BadLineAfterManyGoodOnes_ImportsNothingAndNamesTheLine(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var lines = Pairs(1, 2400).Append("{\"prompt\": \"Q\", \"chosen\": \"only one\"}");

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Service(db).ImportAsync(tenant.Id, tenant.Project.Id, FileAsync("bad.jsonl", lines).Result, "bad.jsonl", new RecordingProgress(), default));

        Assert.Contains("bad.jsonl line 2401: field 'rejected'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was imported", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(db, tenant));
    }

    [Fact]
    public async Task Import_LikertFileIntoLikertProject_KeepsOneResponse()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        Guid likert;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var project = new Project { Name = "Ratings", Kind = ProjectKind.Likert, CreatedAt = DateTime.UtcNow };
            ctx.Projects.Add(project);
            await ctx.SaveChangesAsync();
            likert = project.Id;
        }

        var path = await FileAsync("likert.csv", ["id,prompt,response", "l1,\"Hi, you\",Hello", "l2,Why?,Because"]);
        var result = await Service(db).ImportAsync(tenant.Id, likert, path, "likert.csv", new RecordingProgress(), default);

        Assert.Equal(2, result.Added);
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        Assert.All(await check.Items.Where(i => i.ProjectId == likert).ToListAsync(), i => Assert.Null(i.ResponseB));
    }

    [Fact]
    public async Task Import_ProjectOfAnotherTenant_IsRefused()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");

        await Assert.ThrowsAsync<PortalValidationException>(async () =>
            await Service(db).ImportAsync(a.Id, b.Project.Id, await FileAsync("x.jsonl", Pairs(1, 3)), "x.jsonl", new RecordingProgress(), default));
        Assert.Equal(1, await CountAsync(db, b));
    }

    [Fact]
    public async Task Import_ArchivedProject_IsRefusedAndAddsNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await db.Services.CreateScope().ServiceProvider.GetRequiredService<Portal.App.Features.Projects.ProjectService>().ArchiveAsync(a.Id, a.Project.Id);

        var ex = await Assert.ThrowsAsync<PortalValidationException>(async () =>
            await Service(db).ImportAsync(a.Id, a.Project.Id, await FileAsync("x.jsonl", Pairs(1, 3)), "x.jsonl", new RecordingProgress(), default));
        Assert.Equal("project", ex.Field);
        Assert.Equal(1, await CountAsync(db, a));
    }

    private static string Transcript(params string[] turns) =>
        string.Concat(turns.Select((t, i) => (i % 2 == 0 ? "\n\nHuman: " : "\n\nAssistant: ") + t));

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_HhPairsPartingEarly_KeepsEachSidesTurnsAndReportsHowManyWereSplit(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        string[] lines =
        [
            System.Text.Json.JsonSerializer.Serialize(new { chosen = Transcript("q", "a", "q2", "good", "thanks"), rejected = Transcript("q", "a", "q2", "bad", "what?") }),
            System.Text.Json.JsonSerializer.Serialize(new { chosen = Transcript("q", "fine"), rejected = Transcript("q", "worse") }),
            System.Text.Json.JsonSerializer.Serialize(new { chosen = Transcript("q", "x", "more", "z"), rejected = Transcript("q", "y") }),
        ];

        var result = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("hh.jsonl", lines), "hh.jsonl", new RecordingProgress(), default);

        Assert.Equal((3, 2), (result.Added, result.SplitEarly));
        Assert.Contains("2 pair(s) whose sides parted before their last turn were split", ItemImportService.Describe(result), StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var items = await ctx.Items.Where(i => i.ProjectId == tenant.Project.Id && i.ExternalId == null).OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToListAsync();
        var first = items.Single(i => i.ResponseA.StartsWith("good", StringComparison.Ordinal));
        Assert.Equal("""[{"role":"assistant","content":"good"},{"role":"user","content":"thanks"}]""", first.ResponseTurnsAJson);
        Assert.Equal("""[{"role":"assistant","content":"bad"},{"role":"user","content":"what?"}]""", first.ResponseTurnsBJson);
        Assert.Contains("q2", first.ConversationJson, StringComparison.Ordinal);
        var plain = items.Single(i => i.ResponseA == "fine");
        Assert.Null(plain.ResponseTurnsAJson);
        Assert.Null(plain.ResponseTurnsBJson);
        var oneSided = items.Single(i => i.ResponseB == "y");
        Assert.NotNull(oneSided.ResponseTurnsAJson);
        Assert.Null(oneSided.ResponseTurnsBJson);
    }

    private static string Arena(string id, string winner) => System.Text.Json.JsonSerializer.Serialize(new
    {
        question_id = id,
        model_a = "vicuna-13b",
        model_b = "koala-13b",
        winner,
        judge = "arena_user_" + id,
        conversation_a = new[] { new { content = "Name a prime.", role = "user" }, new { content = "7.", role = "assistant" } },
        conversation_b = new[] { new { content = "Name a prime.", role = "user" }, new { content = "9.", role = "assistant" } },
        turn = 1,
        anony = true,
        language = "English",
        tstamp = 1682351591.1322,
    });

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_ArenaFileWithLabelsAsAi_WinnersBecomeAiLabelsByTheirJudge(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var path = await FileAsync("arena.jsonl", [Arena("q1", "model_a"), Arena("q2", "model_b"), Arena("q3", "tie"), Arena("q4", "tie (bothbad)")]);

        var result = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, path, "arena.jsonl",
            new ImportOptions(Labels: FileLabels.AiLabels), new RecordingProgress(), default);

        Assert.Equal((4, 3), (result.Added, result.Labels));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var labels = await ctx.AiLabels.Join(ctx.Items, l => l.ItemId, i => i.Id, (l, i) => new { i.ExternalId, l.Choice, l.Model, l.Origin }).ToListAsync();
        Assert.Equal(
            [("q1", PreferenceChoice.A, "arena_user_q1"), ("q2", PreferenceChoice.B, "arena_user_q2"), ("q3", PreferenceChoice.Tie, "arena_user_q3")],
            labels.OrderBy(l => l.ExternalId).Select(l => (l.ExternalId, l.Choice, l.Model)));
        Assert.All(labels, l => Assert.Equal("dataset", l.Origin));
        var item = await ctx.Items.SingleAsync(i => i.ExternalId == "q4");
        Assert.Contains("\"winner\":\"tie (bothbad)\"", item.MetadataJson, StringComparison.Ordinal);
        Assert.Contains("\"model_b\":\"koala-13b\"", item.MetadataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_LabelsAsAiWithoutAJudge_TheDatasetNameIsTheModel_AndIgnoredLabelsStoreNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");

        var labelled = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("a.jsonl", Pairs(1, 3)), "a.jsonl",
            new ImportOptions(Labels: FileLabels.AiLabels, Source: "Anthropic/hh-rlhf"), new RecordingProgress(), default);
        var ignored = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("b.jsonl", Pairs(11, 2)), "b.jsonl",
            new RecordingProgress(), default);

        Assert.Equal((3, 0), (labelled.Labels, ignored.Labels));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var labels = await ctx.AiLabels.ToListAsync();
        Assert.Equal(3, labels.Count);
        Assert.All(labels, l => Assert.Equal(("Anthropic/hh-rlhf", PreferenceChoice.A), (l.Model, l.Choice)));
    }

    /// <summary>Rows a batch holds: PostgreSQL's direct path COPYs larger ones than the staged path stages.</summary>
    private static int RowsPerBatch(TestProvider provider) =>
        provider == TestProvider.Postgres ? ItemImportService.DirectBatchSize : ItemImportService.BatchSize;

    private static async Task<int> StagedAsync(TestDatabase db)
    {
        await using var ctx = db.Factory.CreateSystem();
        return await ctx.ImportStagedItems.IgnoreQueryFilters().CountAsync();
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_LastBatchFails_AfterSeveralWereStaged_NoItemsAndNoStagedRowsRemain(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var other = await db.CreateTestTenantAsync("Beta");
        var staged = new CountingObserver(db, tenant, other);
        var batch = RowsPerBatch(provider);
        var lines = Pairs(1, 3 * batch + 10).Append("{\"prompt\": \"Q\", \"chosen\": \"only one\"}");
        var path = await FileAsync("late.jsonl", lines);

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => WithObserver(db, staged).ImportAsync(
            tenant.Id, tenant.Project.Id, path, "late.jsonl", new RecordingProgress(), default));

        Assert.Contains($"line {3 * batch + 11}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, staged.Batches);
        // Three batches were written before the bad line; nobody outside the import saw any of them, and another
        // organisation wrote between them (neither SQLite's write lock nor PostgreSQL's row locks held it back).
        Assert.Equal([1, 1, 1], staged.ItemsSeen);
        Assert.Equal(3, await CountAsync(db, other) - 1);
        Assert.Equal(1, await CountAsync(db, tenant));
        Assert.Equal(0, await StagedAsync(db));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.AiLabels.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_ReRunOfAStoppedRun_DropsWhatTheStoppedRunStaged_AndSweepsAbandonedImports(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var runId = Guid.NewGuid();
        var abandoned = Guid.NewGuid();
        var running = Guid.NewGuid();
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            // What a killed process leaves: this run's first rows, another import's rows a day old, and a live import's rows.
            ImportStagedItem Row(Guid importId, string id, DateTime at) =>
                new() { ImportId = importId, TenantId = tenant.Id, ProjectId = tenant.Project.Id, ItemId = Guid.CreateVersion7(), ExternalId = id, ResponseA = "stale", StagedAt = at };
            ctx.ImportStagedItems.AddRange(Row(runId, "p1", DateTime.UtcNow), Row(runId, "p2", DateTime.UtcNow),
                Row(abandoned, "x1", DateTime.UtcNow.AddDays(-1)), Row(running, "y1", DateTime.UtcNow));
            await ctx.SaveChangesAsync();
        }

        var result = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("a.jsonl", Pairs(1, 5)), "a.jsonl",
            ImportOptions.Default, runId, new RecordingProgress(), default);

        Assert.Equal((5, 0), (result.Added, result.AlreadyPresent));
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        var items = await check.Items.Where(i => i.ProjectId == tenant.Project.Id && EF.Functions.Like(i.ExternalId!, "p%")).ToListAsync();
        Assert.Equal(["p1", "p2", "p3", "p4", "p5"], items.Select(i => i.ExternalId).Order());
        Assert.DoesNotContain(items, i => i.ResponseA == "stale");
        Assert.Equal([running], await check.ImportStagedItems.Select(s => s.ImportId).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_OneExternalIdOnSeveralLinesAcrossBatches_KeepsTheFirstLine(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var lines = Pairs(1, ItemImportService.BatchSize + 5)
            .Append("{\"id\": \"p3\", \"prompt\": \"Again\", \"chosen\": \"later\", \"rejected\": \"bad\"}");

        var result = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("d.jsonl", lines), "d.jsonl", new RecordingProgress(), default);

        Assert.Equal((ItemImportService.BatchSize + 5, 1), (result.Added, result.AlreadyPresent));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal("good 3", (await ctx.Items.SingleAsync(i => i.ExternalId == "p3")).ResponseA);
        Assert.Equal(0, await StagedAsync(db));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_CancelledAfterSeveralBatches_LeavesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        using var cancel = new CancellationTokenSource();
        var batch = RowsPerBatch(provider);
        var path = await FileAsync("long.jsonl", Pairs(1, 4 * batch));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => WithObserver(db, new CancelAfter(2, cancel)).ImportAsync(
            tenant.Id, tenant.Project.Id, path, "long.jsonl", new ImportOptions(Labels: FileLabels.AiLabels), new RecordingProgress(), cancel.Token));

        Assert.Equal(1, await CountAsync(db, tenant));
        Assert.Equal(0, await StagedAsync(db));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.AiLabels.CountAsync());

        // The project takes the same file afterwards, whole.
        var again = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, path, "long.jsonl", new RecordingProgress(), default);
        Assert.Equal(4 * batch, again.Added);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_RepeatsInOneBatchAndIdsTheProjectHas_KeepTheFirstLineAndOnlyItsAiLabel(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("first.jsonl", Pairs(1, 3)), "first.jsonl", new RecordingProgress(), default);
        // p2 the project has; p7 twice in the file (one batch), the second time with the other answer preferred; lines without ids always count.
        string[] lines =
        [
            .. Pairs(2, 1), .. Pairs(6, 2),
            "{\"id\": \"p7\", \"prompt\": \"Again\", \"chosen\": \"later\", \"rejected\": \"bad\"}",
            "{\"prompt\": \"No id\", \"chosen\": \"x\", \"rejected\": \"y\"}",
            "{\"prompt\": \"No id\", \"chosen\": \"x\", \"rejected\": \"y\"}",
        ];

        var result = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("second.jsonl", lines), "second.jsonl",
            new ImportOptions(Labels: FileLabels.AiLabels, Source: "judge"), new RecordingProgress(), default);

        Assert.Equal((4, 2, 4), (result.Added, result.AlreadyPresent, result.Labels));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal("good 7", (await ctx.Items.SingleAsync(i => i.ExternalId == "p7")).ResponseA);
        Assert.Equal(1, await ctx.Items.CountAsync(i => i.ExternalId == "p2"));
        var labelled = await ctx.AiLabels.Join(ctx.Items, l => l.ItemId, i => i.Id, (l, i) => i.ExternalId).ToListAsync();
        Assert.Equal(["p6", "p7"], labelled.OfType<string>().Order());
        Assert.Equal(2, labelled.Count(id => id is null));
        Assert.Equal(0, await StagedAsync(db));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Import_IdRepeatedInALaterBatch_KeepsTheFirstLineAndItsAiLabelOnly(TestProvider provider)
    {
        // On PostgreSQL the repeat reaches the items' unique index two batches after its first line, inside the import's
        // transaction: the import starts again on the staged path, and the result is the same as on the other providers.
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var count = 2 * ItemImportService.BatchSize + 5;
        string[] lines = [.. Pairs(1, count), "{\"id\": \"p3\", \"prompt\": \"Again\", \"chosen\": \"later\", \"rejected\": \"bad\"}"];

        var result = await Service(db).ImportAsync(tenant.Id, tenant.Project.Id, await FileAsync("repeat.jsonl", lines), "repeat.jsonl",
            new ImportOptions(Labels: FileLabels.AiLabels, Source: "judge"), new RecordingProgress(), default);

        Assert.Equal((count, 1, count), (result.Added, result.AlreadyPresent, result.Labels));
        Assert.Equal(count + 1, await CountAsync(db, tenant));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal("good 3", (await ctx.Items.SingleAsync(i => i.ExternalId == "p3")).ResponseA);
        Assert.Equal(count, await ctx.AiLabels.CountAsync());
        Assert.Equal(0, await StagedAsync(db));
    }

    [Fact]
    public void ImportOptions_BadNames_AreRefusedNamingTheField()
    {
        Assert.Equal("format", Assert.Throws<PortalValidationException>(() => ImportOptions.Parse("csv2", null, null)).Field);
        Assert.Equal("labels", Assert.Throws<PortalValidationException>(() => ImportOptions.Parse(null, "human", null)).Field);
        Assert.Equal(new ImportOptions(PairFileFormat.ChatbotArena, FileLabels.AiLabels, "lmsys"), ImportOptions.Parse("chatbot-arena", "ai", " lmsys "));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ItemImportService WithObserver(TestDatabase db, IImportObserver observer)
    {
        var scope = db.Services.CreateScope().ServiceProvider;
        return new ItemImportService(scope.GetRequiredService<IDbContextFactory<PortalDbContext>>(), scope.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(),
            TimeProvider.System, scope.GetRequiredService<UploadLimits>(), [observer]);
    }

    /// <summary>
    /// Each time a batch has been written: counts the importing project's items as a reader outside the import sees them,
    /// and has another organisation add an item.
    /// </summary>
    private sealed class CountingObserver(TestDatabase db, TestTenant importing, TestTenant other) : IImportObserver
    {
        public int Batches { get; private set; }

        public List<int> ItemsSeen { get; } = [];

        public async ValueTask BatchStagedAsync(Guid projectId, int batches, CancellationToken ct)
        {
            Batches = batches;
            ItemsSeen.Add(await CountAsync(db, importing));
            await using var ctx = db.Factory.CreateForTenant(other.Id);
            ctx.Items.Add(new Item { ProjectId = other.Project.Id, ResponseA = "meanwhile", ResponseB = "B", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync(ct);
        }
    }

    /// <summary>Cancels the import once it has written the given number of batches.</summary>
    private sealed class CancelAfter(int batches, CancellationTokenSource cancel) : IImportObserver
    {
        public async ValueTask BatchStagedAsync(Guid projectId, int written, CancellationToken ct)
        {
            if (written == batches)
            {
                await cancel.CancelAsync();
            }
        }
    }

    private sealed class RecordingProgress : IJobProgress
    {
        public List<int> Percents { get; } = [];

        public ValueTask ReportAsync(int percent, string? message = null)
        {
            Percents.Add(percent);
            return ValueTask.CompletedTask;
        }
    }
}
