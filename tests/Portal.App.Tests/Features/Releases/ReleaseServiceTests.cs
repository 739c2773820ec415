using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Hybrid;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Features.Quality;
using Portal.App.Features.Releases;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.Core.Pairs;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Releases;

public class ReleaseServiceTests
{
    private static readonly ProjectSettings Plain = ProjectSettings.Default with
    {
        Gold = new GoldOptions { Rate = 0 },
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Setup(TestTenant Tenant, Project Project, IReadOnlyList<PortalUser> Annotators, List<Item> Items)
    {
        public Guid Admin => Tenant.Member(OrgRoles.ProjectAdmin).Id;
    }

    /// <summary>
    /// A pairwise project of <paramref name="items"/> items rated by three annotators: the first two prefer A on odd items and
    /// B on even ones, the third always A; then the quality job's curated labels.
    /// </summary>
    private static async Task<Setup> PairwiseAsync(TestDatabase db, int items = 6)
    {
        var tenant = await db.CreateTestTenantAsync("Releases");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: items, overlap: 3, settings: Plain, name: "Pairs");
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, 3);
        var list = await ItemsAsync(db, tenant.Id, project.Id);
        for (var i = 0; i < list.Count; i++)
        {
            foreach (var a in annotators)
            {
                var choice = a == annotators[2] || i % 2 == 0 ? PreferenceChoice.A : PreferenceChoice.B;
                await db.AddTestAnnotationAsync(tenant.Id, list[i], a.Id, choice);
            }
        }

        await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(tenant.Id, project.Id);
        return new Setup(tenant, project, annotators, list);
    }

    private static async Task<List<Item>> ItemsAsync(TestDatabase db, Guid tenantId, Guid projectId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        return await ctx.Items.AsNoTracking().Where(i => i.ProjectId == projectId).OrderBy(i => i.ExternalId).ToListAsync();
    }

    private static async Task<List<ReleaseRow>> RowsAsync(TestDatabase db, Guid tenantId, Guid releaseId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        return await ctx.ReleaseRows.AsNoTracking().Where(r => r.ReleaseId == releaseId).OrderBy(r => r.Ordinal).ToListAsync();
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Export_SameReleaseTwiceAndAfterAnnotationsChange_GivesIdenticalBytesMatchingTheStoredHash(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var s = await PairwiseAsync(db);
        var release = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "v1", s.Admin);
        Assert.Equal(ReleaseStatus.Ready, release.Status);
        Assert.Equal(6, release.Items);

        var first = await db.ExportTestReleaseAsync(s.Tenant.Id, release, "trl-plain");
        var second = await db.ExportTestReleaseAsync(s.Tenant.Id, release, "trl-plain");
        Assert.Equal(first, second);
        var file = ReleaseExporter.Files(release).Single(f => f.Format == "trl-plain" && !f.KeepTies);
        Assert.Equal(ContentHash.Of(first), file.Sha256);
        Assert.Equal(first.Length, file.Bytes);

        // Every annotator now prefers B on item 1 (was A), and the quality job relabels it.
        await using (var ctx = db.Factory.CreateForTenant(s.Tenant.Id))
        {
            await ctx.Annotations.Where(a => a.ItemId == s.Items[0].Id).ExecuteUpdateAsync(x => x.SetProperty(a => a.Choice, PreferenceChoice.B));
            await ctx.Items.Where(i => i.Id == s.Items[1].Id).ExecuteUpdateAsync(x => x.SetProperty(i => i.ResponseA, "edited later"));
        }

        await new QualityService(db.Factory, TimeProvider.System).RecomputeAsync(s.Tenant.Id, s.Project.Id);
        Assert.Equal(first, await db.ExportTestReleaseAsync(s.Tenant.Id, release, "trl-plain"));

        var v2 = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "v2", s.Admin);
        Assert.NotEqual(release.SnapshotSha256, v2.SnapshotSha256);
        var diff = JsonSerializer.Deserialize<ReleaseDiff>(v2.DiffJson!, Json)!;
        Assert.Equal((release.Id, 0, 0, 1, 5), (diff.PreviousReleaseId, diff.Added, diff.Removed, diff.Relabelled, diff.Unchanged));
        Assert.Equal(["item-001"], diff.RelabelledSample);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task TrlJsonl_ReimportedIntoANewProject_EqualsTheSourcePairs(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var s = await PairwiseAsync(db);
        await using (var ctx = db.Factory.CreateForTenant(s.Tenant.Id))
        {
            // A multi-turn conversation with text that needs escaping, to make the round trip earn its name.
            await ctx.Items.Where(i => i.Id == s.Items[2].Id).ExecuteUpdateAsync(x => x
                .SetProperty(i => i.ConversationJson, """[{"role":"user","content":"Hi \"there\"\nline two ✓"},{"role":"assistant","content":"Hello."},{"role":"user","content":"And?"}]""")
                .SetProperty(i => i.ResponseA, "A, with\ttab"));
        }

        var release = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "round trip", s.Admin);
        var sources = await ItemsAsync(db, s.Tenant.Id, s.Project.Id);
        var expected = (await RowsAsync(db, s.Tenant.Id, release.Id)).ToDictionary(r => r.ExternalId!, r =>
        {
            var item = sources.Single(i => i.Id == r.ItemId);
            var (chosen, rejected) = r.Choice == PreferenceChoice.B ? (item.ResponseB, item.ResponseA) : (item.ResponseA, item.ResponseB);
            return (Conversation: JsonSerializer.Deserialize<List<Turn>>(item.ConversationJson, Json)!, chosen, rejected);
        });
        Assert.Contains(expected.Values, e => e.chosen == sources[1].ResponseB);

        foreach (var format in new[] { "trl-plain", "trl-messages" })
        {
            var path = Path.Combine(Path.GetTempPath(), $"release-{Guid.NewGuid():N}.jsonl");
            await File.WriteAllBytesAsync(path, await db.ExportTestReleaseAsync(s.Tenant.Id, release, format));
            var target = await db.CreateTaskProjectAsync(s.Tenant.Id, items: 0, name: "Re-import " + format);
            using (var scope = db.Services.CreateScope())
            {
                var result = await scope.ServiceProvider.GetRequiredService<ItemImportService>().ImportAsync(s.Tenant.Id, target.Id, path, "release.jsonl", new NoProgress(), CancellationToken.None);
                Assert.Equal(6, result.Added);
            }

            File.Delete(path);
            var imported = await ItemsAsync(db, s.Tenant.Id, target.Id);
            Assert.Equal(expected.Keys.Order(), imported.Select(i => i.ExternalId!).Order());
            foreach (var item in imported)
            {
                var e = expected[item.ExternalId!];
                Assert.Equal(e.Conversation, JsonSerializer.Deserialize<List<Turn>>(item.ConversationJson, Json)!);
                Assert.Equal((e.chosen, e.rejected), (item.ResponseA, item.ResponseB));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Cut_WithFilters_LeavesOutAndRelabelsAsTheFiltersSay(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var s = await PairwiseAsync(db);
        await using (var ctx = db.Factory.CreateForTenant(s.Tenant.Id))
        {
            // Item 3 was skipped by someone; annotator 0 is paused; the third rating of item 5 was made under guideline v2.
            ctx.Assignments.Add(new Assignment
            {
                ProjectId = s.Project.Id,
                ItemId = s.Items[2].Id,
                AnnotatorId = s.Tenant.Member(OrgRoles.Annotator).Id,
                Status = AssignmentStatus.Skipped,
                LeasedAt = DateTime.UtcNow,
                LeaseExpiresAt = DateTime.UtcNow,
            });
            ctx.ProjectAnnotators.Add(new ProjectAnnotator { ProjectId = s.Project.Id, AnnotatorId = s.Annotators[0].Id, PausedAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
            await ctx.Annotations.Where(a => a.ProjectId == s.Project.Id).ExecuteUpdateAsync(x => x.SetProperty(a => a.GuidelineVersion, 1));
            await ctx.Annotations.Where(a => a.ItemId == s.Items[4].Id && a.AnnotatorId == s.Annotators[2].Id)
                .ExecuteUpdateAsync(x => x.SetProperty(a => a.GuidelineVersion, 2));
        }

        var all = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "all", s.Admin);
        Assert.Equal((6, 18, 3), (all.Items, all.Ratings, all.Annotators));

        var agreed = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "agreed", s.Admin, new ReleaseFilters { MinAgreement = 0.9, ExcludeFlaggedOrSkipped = true });
        Assert.Equal(["item-001", "item-005"], (await RowsAsync(db, s.Tenant.Id, agreed.Id)).Select(r => r.ExternalId));

        // Without annotator 0, even items are one B against one A: the majority's tie-break decides, recounted from the kept ratings.
        var unpaused = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "unpaused", s.Admin, new ReleaseFilters { ExcludePausedAnnotators = true, MinRatings = 2 });
        var rows = await RowsAsync(db, s.Tenant.Id, unpaused.Id);
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.Equal(2, r.Ratings));
        Assert.All(rows.Where((_, i) => i % 2 == 1), r => Assert.Equal(0.5, r.Agreement));
        Assert.Equal(2, unpaused.Annotators);

        var v1 = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "guideline 1", s.Admin, new ReleaseFilters { GuidelineVersion = 1, MinRatings = 3 });
        Assert.DoesNotContain("item-005", (await RowsAsync(db, s.Tenant.Id, v1.Id)).Select(r => r.ExternalId));
        Assert.Equal(5, v1.Items);

        var future = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "future", s.Admin, new ReleaseFilters { From = DateTime.UtcNow.AddDays(1) });
        Assert.Equal(0, future.Items);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Cut_LabelModes_TakeHumanAiAndCorrectedLabelsWithTheirSources(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var s = await PairwiseAsync(db, items: 4);
        await using (var ctx = db.Factory.CreateForTenant(s.Tenant.Id))
        {
            // Item 1 (humans: A) gets an AI A, item 2 (humans: B) an AI A, and one unrated item an AI B.
            var unrated = new Item { ProjectId = s.Project.Id, ExternalId = "item-ai", ConversationJson = "[]", ResponseA = "x", ResponseB = "y", CreatedAt = DateTime.UtcNow };
            ctx.Items.Add(unrated);
            ctx.AiLabels.AddRange(
                new AiLabel { ProjectId = s.Project.Id, ItemId = s.Items[0].Id, Choice = PreferenceChoice.A, Model = "m", CreatedAt = DateTime.UtcNow },
                new AiLabel { ProjectId = s.Project.Id, ItemId = s.Items[1].Id, Choice = PreferenceChoice.A, Model = "m", CreatedAt = DateTime.UtcNow },
                new AiLabel { ProjectId = s.Project.Id, ItemId = unrated.Id, Choice = PreferenceChoice.B, Model = "m", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        async Task<string> Sources(string name, LabelMode mode)
        {
            var r = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, name, s.Admin, new ReleaseFilters { Labels = mode });
            return string.Join(",", (await RowsAsync(db, s.Tenant.Id, r.Id)).Select(x => $"{x.ExternalId}:{x.LabelSource}:{x.Choice}"));
        }

        Assert.Equal("item-001:AiConfirmedByHumans:A,item-002:AiOverturnedByHumans:B,item-003:Human:A,item-004:Human:B", await Sources("human", LabelMode.Human));
        Assert.Equal("item-001:AiConfirmedByHumans:A,item-002:AiOverturnedByHumans:B,item-003:Human:A,item-004:Human:B,item-ai:Ai:B",
            await Sources("human and ai", LabelMode.HumanAndAi));
        Assert.Equal("item-001:AiConfirmedByHumans:A,item-002:AiOverturnedByHumans:B", await Sources("corrected", LabelMode.AiCorrectedByHumans));

        var jsonl = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(s.Tenant.Id,
            await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "export", s.Admin, new ReleaseFilters { Labels = LabelMode.HumanAndAi }), "trl-messages"));
        Assert.Contains("\"label_source\":\"ai_overturned_by_humans\"", jsonl, StringComparison.Ordinal);
        Assert.Contains("\"label_source\":\"ai\"", jsonl, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Cut_HumansOnlyCategory_NeverLabelsAnItemWithItsAiLabel(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var s = await PairwiseAsync(db, items: 2);
        await using (var ctx = db.Factory.CreateForTenant(s.Tenant.Id))
        {
            // Two unrated items with AI labels (imported before the route was set): one in math, which goes to humans only.
            var chat = new Item { ProjectId = s.Project.Id, ExternalId = "chat-ai", Category = "chat", ConversationJson = "[]", ResponseA = "x", ResponseB = "y", CreatedAt = DateTime.UtcNow };
            var math = new Item { ProjectId = s.Project.Id, ExternalId = "math-ai", Category = "math", ConversationJson = "[]", ResponseA = "x", ResponseB = "y", CreatedAt = DateTime.UtcNow };
            ctx.Items.AddRange(chat, math);
            ctx.AiLabels.AddRange(
                new AiLabel { ProjectId = s.Project.Id, ItemId = chat.Id, Choice = PreferenceChoice.B, Model = "m", CreatedAt = DateTime.UtcNow },
                new AiLabel { ProjectId = s.Project.Id, ItemId = math.Id, Choice = PreferenceChoice.B, Model = "m", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        await new HybridService(db.Factory, TimeProvider.System).SaveAsync(s.Tenant.Id, s.Project.Id,
            new CategoriesInput([new("chat", CategoryRoutes.Ai), new("math", CategoryRoutes.Humans)], null));
        var release = await db.CutTestReleaseAsync(s.Tenant.Id, s.Project.Id, "routes", s.Admin, new ReleaseFilters { Labels = LabelMode.HumanAndAi });

        Assert.Equal("item-001:Human,item-002:Human,chat-ai:Ai",
            string.Join(",", (await RowsAsync(db, s.Tenant.Id, release.Id)).Select(x => $"{x.ExternalId}:{x.LabelSource}")));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Likert_ReleaseExports_CarryAggregatesAndPseudonymsButNoNamesOrEmails(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Likert");
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 3, settings: Plain, name: "Likert");
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, 2);
        var items = await ItemsAsync(db, tenant.Id, project.Id);
        foreach (var item in items)
        {
            await db.AddTestAnnotationAsync(tenant.Id, item, annotators[0].Id, null, new Dictionary<string, int> { ["helpfulness"] = 6, ["safety"] = 7 });
            await db.AddTestAnnotationAsync(tenant.Id, item, annotators[1].Id, null, new Dictionary<string, int> { ["helpfulness"] = 4 });
        }

        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, "likert v1", tenant.Member(OrgRoles.ProjectAdmin).Id);
        Assert.False(release.Pairwise);
        Assert.Equal((3, 6, 2), (release.Items, release.Ratings, release.Annotators));
        var csv = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(tenant.Id, release, "likert-items-csv"));
        Assert.Contains("helpfulness_mean", csv, StringComparison.Ordinal);
        Assert.Contains(",5,5,1,2,", csv, StringComparison.Ordinal);
        var ratings = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(tenant.Id, release, "likert-ratings-jsonl"));
        Assert.Equal(9, ratings.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (var a in annotators)
        {
            Assert.DoesNotContain(a.Email!, csv + ratings, StringComparison.Ordinal);
            Assert.DoesNotContain(a.DisplayName, csv + ratings, StringComparison.Ordinal);
            Assert.DoesNotContain(a.Id.ToString(), csv + ratings, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Matches("\"annotator\":\"ann-[0-9a-f]{12}\"", ratings);
        await Assert.ThrowsAsync<PortalValidationException>(() => db.ExportTestReleaseAsync(tenant.Id, release, "trl-plain"));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Create_BadNameOrFilters_NamesTheFieldAndStoresNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Bad");
        var service = db.ReleaseService();
        var admin = tenant.Member(OrgRoles.ProjectAdmin).Id;
        var cases = new (string Name, ReleaseFilters Filters, string Field)[]
        {
            ("", new ReleaseFilters(), "name"),
            ("ok", new ReleaseFilters { MinAgreement = 1.5 }, "filters.minAgreement"),
            ("ok", new ReleaseFilters { MinRatings = -1 }, "filters.minRatings"),
            ("ok", new ReleaseFilters { MinGoldAccuracy = double.NaN }, "filters.minGoldAccuracy"),
            ("ok", new ReleaseFilters { GuidelineVersion = 0 }, "filters.guidelineVersion"),
            ("ok", new ReleaseFilters { From = DateTime.UtcNow, To = DateTime.UtcNow.AddDays(-1) }, "filters.to"),
        };
        foreach (var (name, filters, field) in cases)
        {
            var ex = await Assert.ThrowsAsync<PortalValidationException>(() => service.CreateAsync(tenant.Id, tenant.Project.Id, name, filters, admin));
            Assert.Equal(field, ex.Field);
        }

        await db.CutTestReleaseAsync(tenant.Id, tenant.Project.Id, "taken", admin);
        Assert.Equal("name", (await Assert.ThrowsAsync<PortalValidationException>(() => service.CreateAsync(tenant.Id, tenant.Project.Id, "taken", null, admin))).Field);
        Assert.Null(await service.CreateAsync(Guid.NewGuid(), tenant.Project.Id, "x", null, admin));
        await using var ctx = db.Factory.CreateSystem();
        Assert.Equal(1, await ctx.Releases.IgnoreQueryFilters().CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Visibility_ClientsSeeOnlyLiveGrantsOfTheirOwnOrganisation(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        var service = db.ReleaseService();
        var release = await db.CutTestReleaseAsync(a.Id, a.Project.Id, "a1", a.Member(OrgRoles.ProjectAdmin).Id);
        var clientA = a.Member(OrgRoles.Client).Id;
        var clientB = b.Member(OrgRoles.Client).Id;

        Assert.Empty(await service.ListForUserAsync(a.Id, clientA));
        Assert.Null(await service.FindDownloadableAsync(a.Id, clientA, release.Id));
        Assert.Single(await service.ListForUserAsync(a.Id, a.Member(OrgRoles.OrgAdmin).Id));
        Assert.Empty(await service.ListForUserAsync(a.Id, a.Member(OrgRoles.Annotator).Id));

        Assert.True(await service.GrantAsync(a.Id, a.Project.Id, release.Id, clientA, a.Member(OrgRoles.ProjectAdmin).Id));
        Assert.Equal(release.Id, Assert.Single(await service.ListForUserAsync(a.Id, clientA)).Id);
        Assert.NotNull(await service.FindDownloadableAsync(a.Id, clientA, release.Id));

        // Another organisation's client, asking through their own organisation or through A's, sees nothing.
        Assert.Empty(await service.ListForUserAsync(b.Id, clientB));
        Assert.Null(await service.FindDownloadableAsync(b.Id, clientB, release.Id));
        Assert.Null(await service.FindDownloadableAsync(a.Id, clientB, release.Id));
        Assert.Equal("userId", (await Assert.ThrowsAsync<PortalValidationException>(() =>
            service.GrantAsync(a.Id, a.Project.Id, release.Id, clientB, a.Member(OrgRoles.ProjectAdmin).Id))).Field);
        Assert.False(await service.GrantAsync(b.Id, b.Project.Id, release.Id, clientB, b.Member(OrgRoles.ProjectAdmin).Id));

        Assert.True(await service.RevokeAsync(a.Id, a.Project.Id, release.Id, clientA));
        Assert.Empty(await service.ListForUserAsync(a.Id, clientA));
        Assert.Null(await service.FindDownloadableAsync(a.Id, clientA, release.Id));
    }

    private sealed class NoProgress : IJobProgress
    {
        public ValueTask ReportAsync(int percent, string? message = null) => ValueTask.CompletedTask;
    }
}
