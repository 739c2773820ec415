using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Hybrid;

public class HybridEndpointTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task CategoriesRoutesAgreementAndSuggestions_ThroughTheApi(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var itemIds = new List<Guid>();
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            // Four math items: the AI agrees with the humans on one (25%).
            foreach (var (ai, human) in new[] { (PreferenceChoice.A, PreferenceChoice.A), (PreferenceChoice.A, PreferenceChoice.B), (PreferenceChoice.B, PreferenceChoice.A), (PreferenceChoice.Tie, PreferenceChoice.A) })
            {
                var item = new Item { ProjectId = tenant.Project.Id, ResponseA = "a", ResponseB = "b", CreatedAt = DateTime.UtcNow };
                ctx.Items.Add(item);
                ctx.AiLabels.Add(new AiLabel { ProjectId = tenant.Project.Id, ItemId = item.Id, Choice = ai, Model = "m", CreatedAt = DateTime.UtcNow });
                ctx.CuratedLabels.Add(new CuratedLabel { ProjectId = tenant.Project.Id, ItemId = item.Id, Choice = human, Method = "majority", Ratings = 3, ComputedAt = DateTime.UtcNow });
                itemIds.Add(item.Id);
            }

            await ctx.SaveChangesAsync();
        }

        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(tenant.Member(OrgRoles.ProjectAdmin).Email!);
        var project = $"/api/v1/orgs/{tenant.Id}/projects/{tenant.Project.Id}";

        var bad = await admin.PutAsJsonAsync(project + "/categories", new { categories = new[] { new { name = "math", route = "robots" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("categories[0].route", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var saved = await admin.PutAsJsonAsync(project + "/categories", new { categories = new[] { new { name = "math", route = "ai-checked" }, new { name = "chat", route = "ai" } } });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        foreach (var id in itemIds)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync($"{project}/items/{id}/category", new { category = "math" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"{project}/items/{Guid.NewGuid()}/category", new { category = "math" })).StatusCode);
        using (var categories = JsonDocument.Parse(await admin.GetStringAsync(project + "/categories")))
        {
            var math = categories.RootElement.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "math");
            Assert.Equal(("ai-checked", 4), (math.GetProperty("route").GetString(), math.GetProperty("items").GetInt32()));
        }

        using (var agreement = JsonDocument.Parse(await admin.GetStringAsync(project + "/quality/categories")))
        {
            var math = agreement.RootElement.EnumerateArray().Single(c => c.GetProperty("category").GetString() == "math");
            Assert.Equal((4, 1, 0.25), (math.GetProperty("items").GetInt32(), math.GetProperty("agreements").GetInt32(), math.GetProperty("agreement").GetDouble()));
        }

        var suggest = await admin.PostAsJsonAsync(project + "/quality/suggest-routes", new { threshold = 0.7, minItems = 4 });
        using (var body = JsonDocument.Parse(await suggest.Content.ReadAsStringAsync()))
        {
            var math = body.RootElement.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("category").GetString() == "math");
            Assert.Equal(("humans", true), (math.GetProperty("proposed").GetString(), math.GetProperty("change").GetBoolean()));
            Assert.Equal((0.7, 4), (body.RootElement.GetProperty("threshold").GetDouble(), body.RootElement.GetProperty("minItems").GetInt32()));
        }

        var refused = await admin.PostAsJsonAsync(project + "/quality/suggest-routes", new { threshold = 1.5 });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var applied = await admin.PostAsJsonAsync(project + "/categories/routes", new { routes = new Dictionary<string, string> { ["math"] = "humans" } });
        using (var body = JsonDocument.Parse(await applied.Content.ReadAsStringAsync()))
        {
            Assert.Equal([("chat", "ai"), ("math", "humans")], body.RootElement.GetProperty("categories").EnumerateArray()
                .Select(c => (c.GetProperty("name").GetString(), c.GetProperty("route").GetString())));
        }

        var unknown = await admin.PostAsJsonAsync(project + "/categories/routes", new { routes = new Dictionary<string, string> { ["poetry"] = "humans" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("routes.poetry", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
