using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Calibration;

public class CalibrationEndpointTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Round_ThroughTheApi_OpenAnswerCloseFeedbackAndPromote(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var project = await db.CreateTaskProjectAsync(a.Id, items: 3, settings: ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } });
        var annotators = await db.CreateAnnotatorsAsync(a.Id, 2);
        List<Guid> items;
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            items = await ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).Select(i => i.Id).ToListAsync();
        }

        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var first = await app.SignInAsync(annotators[0].Email!);
        var second = await app.SignInAsync(annotators[1].Email!);
        var root = $"/api/v1/orgs/{a.Id}/projects/{project.Id}/calibration";

        var bad = await admin.PostAsJsonAsync(root, new { title = "", itemIds = new[] { items[0], Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()))
        {
            var errors = problem.RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty("title", out _));
            Assert.True(errors.TryGetProperty("itemIds[1]", out _));
        }

        var opened = await admin.PostAsJsonAsync(root, new { title = "Week 1", itemIds = new[] { items[0], items[1] } });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        Assert.EndsWith("/calibration/1", opened.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // Someone who joined after the round opened is not a participant.
        var late = (await db.CreateAnnotatorsAsync(a.Id, 1, "late"))[0];
        var lateClient = await app.SignInAsync(late.Email!);
        Assert.Equal(HttpStatusCode.NotFound, (await lateClient.PutAsJsonAsync($"{root}/1/answers/{items[0]}", new { choice = "A" })).StatusCode);

        var answer = $"{root}/1/answers/{items[0]}";
        var stored = await (await first.PutAsJsonAsync(answer, new { choice = "A", rationale = "A is correct" })).Content.ReadFromJsonAsync<JsonElement>();
        var replay = await (await first.PutAsJsonAsync(answer, new { choice = "A", rationale = "A is correct" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(stored.GetProperty("updatedAt").GetString(), replay.GetProperty("updatedAt").GetString());
        var invalid = await second.PutAsJsonAsync(answer, new { scores = new { helpfulness = 3 } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("\"choice\"", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await second.PutAsJsonAsync(answer, new { choice = "B", rationale = "B is shorter" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.PutAsJsonAsync($"{root}/1/answers/{items[1]}", new { choice = "Tie" })).StatusCode);

        using (var open = JsonDocument.Parse(await first.GetStringAsync($"{root}/1/sheet")))
        {
            var sheetItems = open.RootElement.GetProperty("items");
            Assert.Equal(JsonValueKind.Null, sheetItems[0].GetProperty("feedback").ValueKind);
            Assert.Equal("A", sheetItems[0].GetProperty("mine").GetProperty("choice").GetString());
            Assert.DoesNotContain("B is shorter", open.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        var mine = await first.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{a.Id}/annotator/calibration");
        Assert.Equal((1, 1, "Open"), (mine[0].GetProperty("number").GetInt32(), mine[0].GetProperty("answered").GetInt32(), mine[0].GetProperty("status").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync($"{root}/1/items/{items[0]}/explanation", new { explanation = "A *answers* it." })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"{root}/1/items/{items[0]}/promote", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{root}/1/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"{root}/1/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await first.PutAsJsonAsync(answer, new { choice = "B" })).StatusCode);

        // Split 1–1 on the first item; one answer, a tie, on the second.
        using (var report = JsonDocument.Parse(await admin.GetStringAsync($"{root}/1")))
        {
            var reported = report.RootElement.GetProperty("items");
            Assert.True(reported[0].GetProperty("split").GetBoolean());
            Assert.Equal("Tie", reported[1].GetProperty("consensus").GetString());
            Assert.Equal(2, reported[0].GetProperty("answerList").GetArrayLength());
            Assert.Equal(3, report.RootElement.GetProperty("round").GetProperty("answers").GetInt32());
        }

        using (var feedback = JsonDocument.Parse(await first.GetStringAsync($"{root}/1/sheet")))
        {
            var shown = feedback.RootElement.GetProperty("items")[0].GetProperty("feedback");
            Assert.Equal("A *answers* it.", shown.GetProperty("explanation").GetString());
            Assert.Equal(["B is shorter"], shown.GetProperty("rationales").EnumerateArray().Select(r => r.GetString()));
            Assert.DoesNotContain(annotators[1].DisplayName, feedback.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        var split = await admin.PostAsync($"{root}/1/items/{items[0]}/promote", null);
        Assert.Equal(HttpStatusCode.BadRequest, split.StatusCode);
        Assert.Contains("split", await split.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync($"{root}/1/items/{items[1]}/explanation", new { explanation = "They are equally good." })).StatusCode);
        var promoted = await admin.PostAsync($"{root}/1/items/{items[1]}/promote", null);
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        var row = await promoted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(row.GetProperty("isGold").GetBoolean());
        Assert.Equal("Tie", row.GetProperty("gold").GetProperty("choice").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"{root}/1/items/{items[1]}/promote", null)).StatusCode);
    }
}
