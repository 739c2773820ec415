using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Feedback;
using Portal.App.Features.Tokens;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Feedback;

public class FeedbackEndpointTests
{
    private static readonly object[] Conversation = [new { role = "user", content = "How do I reset my password?" }];

    public static object Thumbs(string id, bool up = true, string? category = null, string model = "assistant-v1", string response = "Open Settings, then Security.") =>
        new { id, kind = "thumbs", conversation = Conversation, response, thumb = up ? "up" : "down", modelVersion = model, timestamp = "2026-12-05T09:00:00Z", category };

    public static object Rating(string id, int rating, string model = "assistant-v1") =>
        new { id, kind = "rating", conversation = Conversation, response = $"Answer rated {rating} ({id}).", rating, modelVersion = model, timestamp = "2026-12-05T09:05:00Z" };

    public static object Pick(string id, string choice = "B") =>
        new { id, kind = "pick", conversation = Conversation, responseA = "Use the reset link.", responseB = $"Open Settings ({id}).", choice, modelVersion = "assistant-v2", timestamp = "2026-12-05T09:10:00Z" };

    public static object Edit(string id) =>
        new { id, kind = "edit", conversation = Conversation, response = "Call support.", editedResponse = $"Open Settings → Security → Reset ({id}).", modelVersion = "assistant-v2", timestamp = "2026-12-05T09:15:00Z", category = "wrong-steps" };

    internal static async Task<HttpClient> FeedbackBotAsync(PortalFactory app, HttpClient admin, Guid orgId, Guid projectId)
    {
        var minted = await admin.PostAsJsonAsync($"/api/v1/orgs/{orgId}/projects/{projectId}/feedback/tokens", new { name = "assistant" });
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
        var bot = app.Anonymous();
        bot.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await minted.Content.ReadFromJsonAsync<CreatedToken>())!.Token);
        return bot;
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Post_EveryKindInOneBatch_StoresEachAndTurnsPickAndEditIntoLabelledPairs(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var bot = await FeedbackBotAsync(app, admin, a.Id, a.Project.Id);

        var response = await bot.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback",
            new { events = new[] { Thumbs("t1"), Rating("r1", 6), Pick("p1", "B"), Edit("e1") } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<FeedbackIngestResult>())!;
        Assert.Equal((4, 4, 0, 0, 2), (result.Received, result.Stored, result.Duplicates, result.Replayed, result.Items));
        Assert.Equal(["stored", "stored", "stored", "stored"], result.Results.Select(r => r.Status));
        Assert.Null(result.Results[0].ItemId); // thumbs: dashboard data only by default
        Assert.Null(result.Results[1].ItemId); // a rating cannot be an item of a pairwise project

        await using var ctx = db.Factory.CreateForTenant(a.Id);
        var pick = await ctx.Items.SingleAsync(i => i.Id == result.Results[2].ItemId);
        Assert.Equal(("Use the reset link.", "Open Settings (p1)."), (pick.ResponseA, pick.ResponseB));
        var edit = await ctx.Items.SingleAsync(i => i.Id == result.Results[3].ItemId);
        Assert.Equal(("Open Settings → Security → Reset (e1).", "Call support."), (edit.ResponseA, edit.ResponseB));
        var labels = await ctx.Annotations.Where(x => x.ExternalRaterId != null).ToListAsync();
        Assert.Equal(Portal.Core.Aggregation.PreferenceChoice.B, labels.Single(l => l.ItemId == pick.Id).Choice);
        Assert.Equal(Portal.Core.Aggregation.PreferenceChoice.A, labels.Single(l => l.ItemId == edit.Id).Choice);
        var rater = await ctx.ExternalRaters.SingleAsync();
        Assert.Equal((FeedbackService.RaterSource, "External 1 · deployment"), (rater.Source, rater.Name));

        var events = await ctx.FeedbackEvents.OrderBy(e => e.EventId).ToListAsync();
        Assert.Equal([FeedbackPolarity.Negative, FeedbackPolarity.None, FeedbackPolarity.Positive, FeedbackPolarity.Positive], events.Select(e => e.Polarity));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Post_RatingsAndThumbsInALikertProject_BecomeLikertItemsWithAnExternalRating(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            (await ctx.Projects.SingleAsync(p => p.Id == a.Project.Id)).Kind = ProjectKind.Likert;
            await ctx.SaveChangesAsync();
        }

        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback";
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(url + "/settings", new FeedbackSettingsDto(true, true, true, true, 1.0))).StatusCode);
        var bot = await FeedbackBotAsync(app, admin, a.Id, a.Project.Id);

        var result = (await (await bot.PostAsJsonAsync(url, new { events = new[] { Rating("r7", 7), Rating("r1", 1), Rating("r4", 4), Thumbs("down", up: false), Pick("p") } }))
            .Content.ReadFromJsonAsync<FeedbackIngestResult>())!;

        Assert.Equal(4, result.Items);
        Assert.Null(result.Results[4].ItemId); // a pick cannot be an item of a Likert project
        await using var check = db.Factory.CreateForTenant(a.Id);
        var scores = await check.Annotations.Where(x => x.ExternalRaterId != null).ToDictionaryAsync(x => x.ItemId, x => x.Scores!["helpfulness"]);
        Assert.Equal([7, 1, 4, 1], result.Results.Take(4).Select(r => scores[r.ItemId!.Value]));
        Assert.Null((await check.Items.SingleAsync(i => i.Id == result.Results[0].ItemId)).ResponseB);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Post_ReplayedSequentiallyAndConcurrently_StoresEachEventOnceAndAnswersTheSame(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var bot = await FeedbackBotAsync(app, admin, a.Id, a.Project.Id);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback";
        var batch = new { events = new[] { Pick("p1"), Thumbs("t1", up: false, category: "slow") } };

        var first = (await (await bot.PostAsJsonAsync(url, batch)).Content.ReadFromJsonAsync<FeedbackIngestResult>())!;
        var replay = (await (await bot.PostAsJsonAsync(url, batch)).Content.ReadFromJsonAsync<FeedbackIngestResult>())!;

        Assert.Equal((2, 0), (first.Stored, first.Replayed));
        Assert.Equal((0, 2), (replay.Stored, replay.Replayed));
        Assert.Equal(JsonSerializer.Serialize(first.Results), JsonSerializer.Serialize(replay.Results));

        // Eight senders post the same new event at once: one row, one item, every answer the same.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => bot.PostAsJsonAsync(url, Pick("p-race"))));
        Assert.All(concurrent, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var answers = await Task.WhenAll(concurrent.Select(r => r.Content.ReadFromJsonAsync<FeedbackIngestResult>()));
        Assert.Single(answers.Select(x => JsonSerializer.Serialize(x!.Results)).Distinct());
        Assert.Equal(1, answers.Sum(x => x!.Stored));

        await using var ctx = db.Factory.CreateForTenant(a.Id);
        Assert.Equal(3, await ctx.FeedbackEvents.CountAsync());
        Assert.Equal(2, await ctx.Items.CountAsync(i => i.ExternalId!.StartsWith("feedback:")));

        // The same id with other content is refused, naming the field, and changes nothing.
        var changed = await bot.PostAsJsonAsync(url, Pick("p1", "A"));
        Assert.Equal(HttpStatusCode.BadRequest, changed.StatusCode);
        Assert.Contains("\"id\"", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, await ctx.FeedbackEvents.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Post_PickWhoseItemIdAnImportedItemHas_IsStoredAndMakesNoSecondItem(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            ctx.Items.Add(new Item { ProjectId = a.Project.Id, ExternalId = "feedback:p-clash", ConversationJson = "[]", ResponseA = "x", ResponseB = "y", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var bot = await FeedbackBotAsync(app, admin, a.Id, a.Project.Id);

        var response = await bot.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback", new { events = new[] { Pick("p-clash"), Pick("p-fresh") } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<FeedbackIngestResult>())!;
        Assert.Equal((2, 1), (result.Stored, result.Items));
        Assert.Null(result.Results[0].ItemId);
        Assert.NotNull(result.Results[1].ItemId);
        await using var check = db.Factory.CreateForTenant(a.Id);
        var clash = await check.Items.SingleAsync(i => i.ExternalId == "feedback:p-clash");
        Assert.Equal(("x", "y"), (clash.ResponseA, clash.ResponseB));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Post_BatchWithOneBadEvent_NamesIndexAndFieldAndStoresNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback";

        var bad = await admin.PostAsJsonAsync(url, new { events = new object[] { Thumbs("ok"), Rating("r", 9), new { id = "x", kind = "pick", conversation = Conversation, responseA = "a", modelVersion = "m", timestamp = "2026-12-05T09:00:00Z", choice = "C" } } });
        var tooMany = await admin.PostAsJsonAsync(url, new { events = Enumerable.Range(0, FeedbackInput.MaxBatch + 1).Select(i => Thumbs($"t{i}")).ToArray() });
        var wrongType = await admin.PostAsJsonAsync(url, new { events = new object[] { new { id = "w", kind = "rating", rating = "seven" } } });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["events[1].rating", "events[2].choice", "events[2].responseB"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("1 to 500 events", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await wrongType.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("events[0].rating", out _));
        await using var ctx = db.Factory.CreateForTenant(a.Id);
        Assert.Equal(0, await ctx.FeedbackEvents.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Post_PersonalDataAndDuplicates_OriginalsNeverStoredDuplicatesDroppedAndCounted(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback";
        const string Leaky = "I'm jane@example.com, card 4111 1111 1111 1111, from 192.168.10.24";
        object Event(string id) => new
        {
            id,
            kind = "thumbs",
            conversation = new[] { new { role = "user", content = Leaky } },
            response = "Call +44 20 7946 0958.",
            thumb = "down",
            modelVersion = "assistant-v1",
            timestamp = DateTime.UtcNow.AddMinutes(-5),
            category = "privacy",
        };

        var result = (await (await admin.PostAsJsonAsync(url, new { events = new[] { Event("a"), Event("b") } })).Content.ReadFromJsonAsync<FeedbackIngestResult>())!;
        var later = (await (await admin.PostAsJsonAsync(url, Event("c"))).Content.ReadFromJsonAsync<FeedbackIngestResult>())!;

        Assert.Equal(new Dictionary<string, int> { ["Email"] = 1, ["Card"] = 1, ["Ip"] = 1, ["Phone"] = 1 }, result.Results[0].Pii);
        Assert.Equal(["stored", "duplicate"], result.Results.Select(r => r.Status));
        Assert.Equal(("duplicate", 1), (later.Results[0].Status, later.Duplicates));
        await using var ctx = db.Factory.CreateForTenant(a.Id);
        var rows = await ctx.FeedbackEvents.OrderBy(e => e.EventId).ToListAsync();
        Assert.Equal([FeedbackStatus.Stored, FeedbackStatus.Duplicate, FeedbackStatus.Duplicate], rows.Select(r => r.Status));
        Assert.All(rows.Skip(1), r => Assert.Equal((rows[0].Id, (string?)null), (r.DuplicateOfId!.Value, r.ConversationJson)));
        var stored = JsonSerializer.Serialize(rows);
        foreach (var original in new[] { "jane@example.com", "4111 1111 1111 1111", "192.168.10.24", "7946" })
        {
            Assert.DoesNotContain(original, stored, StringComparison.Ordinal);
        }

        var turn = JsonDocument.Parse(rows[0].ConversationJson!).RootElement[0];
        Assert.Equal("I'm [EMAIL], card [CARD], from [IP]", turn.GetProperty("content").GetString());
        Assert.Equal("Call [PHONE].", rows[0].Response);

        var summary = (await admin.GetFromJsonAsync<FeedbackSummary>(url + "/summary?days=2"))!;
        Assert.Equal((1, 2, 4), (summary.Volume, summary.Duplicates, summary.PiiReplaced));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Post_HalfSampling_MakesItemsOfExactlyTheEventsTheEventIdHashPicks(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback";
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(url + "/settings", new FeedbackSettingsDto(true, false, true, false, 0.5))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync(url + "/settings", new FeedbackSettingsDto(true, true, true, true, 1.5))).StatusCode);
        var ids = Enumerable.Range(0, 200).Select(i => $"evt-{i}").ToList();

        var result = (await (await admin.PostAsJsonAsync(url, new { events = ids.Select(id => Pick(id)).Concat([Edit("edit-1")]).ToArray() })).Content.ReadFromJsonAsync<FeedbackIngestResult>())!;

        var expected = ids.Where(id => FeedbackService.SampleValue(a.Project.Id, id) < 0.5).ToHashSet();
        Assert.Equal(expected, result.Results.Where(r => r.ItemId is not null).Select(r => r.Id).ToHashSet());
        Assert.InRange(expected.Count, 70, 130); // a fair coin over 200 ids
        Assert.Null(result.Results[^1].ItemId); // edits are switched off
        Assert.Equal(0.5, (await admin.GetFromJsonAsync<FeedbackSettingsDto>(url + "/settings"))!.SamplingRate);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Summary_TwoModelVersions_VolumeSatisfactionAndTopNegativeCategoriesPerVersion(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/feedback";
        var today = DateTime.UtcNow.Date.AddHours(1).ToString("O");
        object T(string id, bool up, string model, string? category) =>
            new { id, kind = "thumbs", conversation = Conversation, response = $"answer {id}", thumb = up ? "up" : "down", modelVersion = model, timestamp = today, category };
        object R(string id, int rating, string model) =>
            new { id, kind = "rating", conversation = Conversation, response = $"answer {id}", rating, modelVersion = model, timestamp = today };

        await admin.PostAsJsonAsync(url, new
        {
            events = new[]
            {
                T("1", true, "v1", null), T("2", false, "v1", "slow"), T("3", false, "v1", "slow"), T("4", false, "v1", "wrong"), R("5", 4, "v1"),
                T("6", true, "v2", null), R("7", 6, "v2"), R("8", 2, "v2"),
            },
        });
        var summary = (await admin.GetFromJsonAsync<FeedbackSummary>(url + "/summary?days=7"))!;

        Assert.Equal(8, summary.Volume);
        var v1 = summary.Models.Single(m => m.ModelVersion == "v1");
        var v2 = summary.Models.Single(m => m.ModelVersion == "v2");
        Assert.Equal((5, 1, 3, 0.2), (v1.Volume, v1.Positive, v1.Negative, v1.Satisfaction!.Value));
        Assert.Equal((3, 2, 1), (v2.Volume, v2.Positive, v2.Negative));
        Assert.Equal(3.0 / 8, summary.Satisfaction!.Value, 9);
        Assert.Equal([("v1", "slow", 2), ("v1", "wrong", 1), ("v2", FeedbackDashboard.NoCategory, 1)],
            summary.TopNegativeCategories.Select(c => (c.ModelVersion, c.Category, c.Count)));
        Assert.Equal(2, summary.Series.Count);
        Assert.All(summary.Series, d => Assert.Equal(DateTime.UtcNow.Date, d.Day.ToUniversalTime().Date));
    }
}
