using System.Net;
using System.Text.Json;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Organisations;

public class MemberEndpointTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ListMembers_PageAndSearch_AnswerOnePageWithTheTotalAndWithoutThemEveryMember(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        await db.AddMembersAsync(alpha.Id, 60, "Reader");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(alpha.Member(OrgRoles.OrgAdmin).Email!);
        var url = $"/api/v1/orgs/{alpha.Id}/members";

        var unpaged = await admin.GetAsync(url);
        var page2 = await admin.GetAsync($"{url}?page=2&pageSize=20");
        var search = await admin.GetAsync($"{url}?search=reader-5");

        Assert.Equal(64, (await EmailsAsync(unpaged)).Count);
        Assert.Equal("64", unpaged.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(Enumerable.Range(17, 20).Select(n => $"reader-{n:00}@lists.test"), await EmailsAsync(page2));
        Assert.Equal("64", page2.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(Enumerable.Range(50, 10).Select(n => $"reader-{n:00}@lists.test"), await EmailsAsync(search));
        Assert.Equal("10", search.Headers.GetValues("X-Total-Count").Single());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task ListInvites_Search_AnswersTheMatchingInvitesWithTheTotal(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(alpha.Member(OrgRoles.OrgAdmin).Email!);
        var url = $"/api/v1/orgs/{alpha.Id}/invites";
        foreach (var note in new[] { "For Ann", "For Bo", "For Annika" })
        {
            var created = await admin.PostAsync(url, System.Net.Http.Json.JsonContent.Create(new { roles = new[] { "annotator" }, note }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var search = await admin.GetAsync($"{url}?search=ann&pageSize=1");
        var bad = await admin.GetAsync($"{url}?page=-1");

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        using var body = JsonDocument.Parse(await search.Content.ReadAsStringAsync());
        Assert.Equal("For Annika", body.RootElement.EnumerateArray().Single().GetProperty("note").GetString());
        Assert.Equal("2", search.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static async Task<List<string>> EmailsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. body.RootElement.EnumerateArray().Select(r => r.GetProperty("email").GetString()!)];
    }
}
