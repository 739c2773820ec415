using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Projects;

public class ProjectAdminEndpointsTests
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    private static async Task<string[]> ProblemFieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await JsonAsync(response);
        return [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task CreateThenPutSettings_ThroughTheApi_GetShowsThem(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var projects = $"/api/v1/orgs/{a.Id}/projects";

        var created = await admin.PostAsJsonAsync(projects, new { name = "Summaries", description = "Rate summaries.", kind = "Likert", overlap = 2, leaseMinutes = 20 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var project = await JsonAsync(created);
        var id = project.GetProperty("id").GetGuid();
        Assert.Equal($"{projects}/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(7, project.GetProperty("settings").GetProperty("attributes").GetArrayLength());

        var put = await admin.PutAsJsonAsync($"{projects}/{id}", new
        {
            name = "Summaries v2",
            description = "Rate summaries of news.",
            kind = "LikertAndPairwise",
            overlap = 4,
            leaseMinutes = 60,
            settings = new
            {
                attributes = new object[]
                {
                    new { key = "faithful", name = "Faithfulness", description = "Says only what the article says.", min = 1, max = 5, lowLabel = "Invents", highLabel = "Faithful" },
                    new { key = "concise", name = "Concision", description = "No padding.", min = 1, max = 3, lowLabel = "Wordy", highLabel = "Tight" },
                },
                pairwise = new { allowTie = false, allowBothBad = false, strengthLevels = 5, perAttribute = true, requireRationale = true, rationaleMinLength = 30 },
                gold = new { rate = 0.2, minAnswers = 10, pauseBelow = 0.7, showExplanation = false },
            },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var got = await admin.GetFromJsonAsync<JsonElement>($"{projects}/{id}");
        Assert.Equal(("Summaries v2", "Rate summaries of news.", "LikertAndPairwise", 4, 60),
            (got.GetProperty("name").GetString(), got.GetProperty("description").GetString(), got.GetProperty("kind").GetString(),
                got.GetProperty("overlap").GetInt32(), got.GetProperty("leaseMinutes").GetInt32()));
        var settings = got.GetProperty("settings");
        var attributes = settings.GetProperty("attributes").EnumerateArray().ToList();
        Assert.Equal(["faithful", "concise"], attributes.Select(x => x.GetProperty("key").GetString()));
        Assert.Equal((1, 3, "Wordy", "Tight"), (attributes[1].GetProperty("min").GetInt32(), attributes[1].GetProperty("max").GetInt32(),
            attributes[1].GetProperty("lowLabel").GetString(), attributes[1].GetProperty("highLabel").GetString()));
        var pairwise = settings.GetProperty("pairwise");
        Assert.Equal((false, false, 5, true, true, 30), (pairwise.GetProperty("allowTie").GetBoolean(), pairwise.GetProperty("allowBothBad").GetBoolean(),
            pairwise.GetProperty("strengthLevels").GetInt32(), pairwise.GetProperty("perAttribute").GetBoolean(),
            pairwise.GetProperty("requireRationale").GetBoolean(), pairwise.GetProperty("rationaleMinLength").GetInt32()));
        var gold = settings.GetProperty("gold");
        Assert.Equal((0.2, 10, 0.7, false), (gold.GetProperty("rate").GetDouble(), gold.GetProperty("minAnswers").GetInt32(),
            gold.GetProperty("pauseBelow").GetDouble(), gold.GetProperty("showExplanation").GetBoolean()));

        // A partial update keeps the rest.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"{projects}/{id}", new { overlap = 5 })).StatusCode);
        var partial = await admin.GetFromJsonAsync<JsonElement>($"{projects}/{id}");
        Assert.Equal((5, "Summaries v2", 2), (partial.GetProperty("overlap").GetInt32(), partial.GetProperty("name").GetString(),
            partial.GetProperty("settings").GetProperty("attributes").GetArrayLength()));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task CreateAndPut_BadInput_400NamesEachFieldAndNothingIsSaved(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);
        var projects = $"/api/v1/orgs/{a.Id}/projects";

        var duplicate = await admin.PostAsJsonAsync(projects, new { name = a.Project.Name, kind = "Pairwise" });
        Assert.Equal(["name"], await ProblemFieldsAsync(duplicate));
        var noKind = await admin.PostAsJsonAsync(projects, new { name = "Fresh" });
        Assert.Equal(["kind"], await ProblemFieldsAsync(noKind));

        var bad = await admin.PutAsJsonAsync($"{projects}/{a.Project.Id}", new
        {
            name = "Renamed",
            overlap = 51,
            leaseMinutes = 0,
            settings = new
            {
                attributes = new object[] { new { key = "ok", name = "Ok", description = "", min = 1, max = 7 }, new { key = "ok", name = "Again", description = "", min = 3, max = 2 } },
                pairwise = new { strengthLevels = 6 },
                gold = new { rate = 1.5, minAnswers = 5, pauseBelow = 0.6 },
            },
        });
        Assert.Equal(
            ["leaseMinutes", "overlap", "settings.attributes[1].key", "settings.attributes[1].max", "settings.gold.rate", "settings.pairwise.strengthLevels"],
            await ProblemFieldsAsync(bad));

        await using var ctx = db.Factory.CreateForTenant(a.Id);
        var stored = await ctx.Projects.AsNoTracking().SingleAsync();
        Assert.Equal((a.Project.Name, 3, 30, ProjectSettings.Default), (stored.Name, stored.Overlap, stored.LeaseMinutes, stored.Settings));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Gold_PutThenDelete_ThroughTheApi_MarksAndUnmarksTheItem(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var items = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items";
        var gold = $"{items}/{a.Item.Id}/gold";

        Assert.Equal(["explanation", "scores"], await ProblemFieldsAsync(
            await admin.PutAsJsonAsync(gold, new { choice = "A", scores = new Dictionary<string, int> { ["helpfulness"] = 6 } })));
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>(items + "?gold=true")).GetProperty("total").GetInt32());

        var put = await admin.PutAsJsonAsync(gold, new { choice = "BothBad", explanation = "Both answers are wrong: 7 is prime." });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var listed = await admin.GetFromJsonAsync<JsonElement>(items + "?gold=true&skip=0&take=10");
        Assert.Equal(1, listed.GetProperty("total").GetInt32());
        var row = listed.GetProperty("items")[0];
        Assert.Equal((a.Item.Id, true, "item-1", "BothBad", "Both answers are wrong: 7 is prime."),
            (row.GetProperty("id").GetGuid(), row.GetProperty("isGold").GetBoolean(), row.GetProperty("externalId").GetString(),
                row.GetProperty("gold").GetProperty("choice").GetString(), row.GetProperty("gold").GetProperty("explanation").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(gold)).StatusCode);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>(items + "?gold=true")).GetProperty("total").GetInt32());
        var all = await admin.GetFromJsonAsync<JsonElement>(items);
        Assert.Equal((1, false), (all.GetProperty("total").GetInt32(), all.GetProperty("items")[0].GetProperty("isGold").GetBoolean()));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"{items}/{Guid.NewGuid()}/gold")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task PauseReinstateAndNotices_ThroughTheApi_ChangeTheStandingAndCounters(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var ann = a.Member(OrgRoles.Annotator);
        Guid noticeId;
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            ctx.ProjectAnnotators.Add(new ProjectAnnotator { ProjectId = a.Project.Id, AnnotatorId = ann.Id, TasksServed = 12, GoldAnswered = 6, GoldCorrect = 3, CreatedAt = DateTime.UtcNow });
            var notice = new ProjectNotice { ProjectId = a.Project.Id, AnnotatorId = ann.Id, Message = "Ann was paused: gold accuracy 50% over 6 answers", CreatedAt = DateTime.UtcNow };
            ctx.ProjectNotices.Add(notice);
            await ctx.SaveChangesAsync();
            noticeId = notice.Id;
        }

        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var project = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}";

        var list = await admin.GetFromJsonAsync<JsonElement>($"{project}/annotators");
        var standing = Assert.Single(list.EnumerateArray());
        Assert.Equal((ann.Id, 12, 6, 0.5, false), (standing.GetProperty("userId").GetGuid(), standing.GetProperty("tasksServed").GetInt32(),
            standing.GetProperty("goldAnswered").GetInt32(), standing.GetProperty("goldAccuracy").GetDouble(), standing.GetProperty("paused").GetBoolean()));

        Assert.Equal(["reason"], await ProblemFieldsAsync(await admin.PostAsJsonAsync($"{project}/annotators/{ann.Id}/pause", new { reason = "" })));
        var paused = await JsonAsync(await admin.PostAsJsonAsync($"{project}/annotators/{ann.Id}/pause", new { reason = "Copying answers" }));
        Assert.Equal((true, "Copying answers", a.Member(OrgRoles.ProjectAdmin).DisplayName),
            (paused.GetProperty("paused").GetBoolean(), paused.GetProperty("pauseReason").GetString(), paused.GetProperty("pausedByName").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"{project}/annotators/{a.Member(OrgRoles.Client).Id}/pause", new { reason = "x" })).StatusCode);

        var reinstated = await admin.PostAsync($"{project}/annotators/{ann.Id}/reinstate", null);
        Assert.Equal(HttpStatusCode.OK, reinstated.StatusCode);
        var after = await JsonAsync(reinstated);
        Assert.Equal((false, 0, 6), (after.GetProperty("paused").GetBoolean(), after.GetProperty("goldAnsweredSinceReinstate").GetInt32(), after.GetProperty("goldAnswered").GetInt32()));
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            var row = await ctx.ProjectAnnotators.AsNoTracking().SingleAsync();
            Assert.Equal((6, 3, null), (row.GoldAnsweredAtReinstate, row.GoldCorrectAtReinstate, row.PausedAt));
        }

        var notices = await admin.GetFromJsonAsync<JsonElement>($"{project}/notices");
        Assert.Equal(noticeId, Assert.Single(notices.EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"{project}/notices/{noticeId}/dismiss", null)).StatusCode);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>($"{project}/notices")).EnumerateArray());
    }
}
