using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Account;

public class ApiTokenTests
{
    private static HttpClient WithToken(PortalFactory app, string token)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<CreatedToken> CreateTokenAsync(HttpClient signedIn, string name)
    {
        var response = await signedIn.PostAsJsonAsync("/api/v1/me/tokens", new { name, expiresInDays = 30 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedToken>())!;
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Token_ActsAsItsOwnerWithTheSameChecks_UntilRevoked(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        await using var app = new PortalFactory(db, jobs: true);
        var browser = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var created = await CreateTokenAsync(browser, "import bot");
        Assert.StartsWith("ptl_", created.Token, StringComparison.Ordinal);
        var bot = WithToken(app, created.Token);

        Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync($"/api/v1/orgs/{a.Id}/projects")).StatusCode);
        var import = await bot.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items",
            new StringContent("{\"id\": \"t1\", \"prompt\": \"Q\", \"chosen\": \"c\", \"rejected\": \"r\"}\n", Encoding.UTF8, "application/jsonl"));
        Assert.Equal(HttpStatusCode.Accepted, import.StatusCode);
        Assert.Equal("Succeeded", (await PortalFactory.WaitForRunAsync(bot, import.Headers.Location!.OriginalString)).Status);

        // The owner's limits hold: another tenant is invisible, a role the owner lacks is refused.
        Assert.Equal(HttpStatusCode.NotFound, (await bot.GetAsync($"/api/v1/orgs/{b.Id}/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bot.GetAsync($"/api/v1/orgs/{a.Id}/members")).StatusCode);

        var listed = await browser.GetFromJsonAsync<List<TokenRow>>("/api/v1/me/tokens");
        var row = Assert.Single(listed!);
        Assert.Equal(created.Token[..10], row.Prefix);
        Assert.NotNull(row.LastUsedAt);

        Assert.Equal(HttpStatusCode.NoContent, (await browser.DeleteAsync($"/api/v1/me/tokens/{created.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bot.GetAsync($"/api/v1/orgs/{a.Id}/projects")).StatusCode);
        await using var ctx = db.Factory.CreateSystem();
        Assert.DoesNotContain(await ctx.ApiTokens.Select(t => t.TokenHash).ToListAsync(), h => h.Contains(created.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_SomeoneElsesCannotBeListedOrRevoked()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var owner = await app.SignInAsync(a.Member(OrgRoles.Annotator).Email!);
        var other = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);
        var created = await CreateTokenAsync(owner, "mine");

        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/v1/me/tokens/{created.Id}")).StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<List<TokenRow>>("/api/v1/me/tokens"))!);
        Assert.Equal(HttpStatusCode.OK, (await WithToken(app, created.Token).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Token_Unknown_Is401()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var app = new PortalFactory(db);

        Assert.Equal(HttpStatusCode.Unauthorized, (await WithToken(app, "ptl_not-a-real-token").GetAsync("/api/v1/me")).StatusCode);
    }

    private sealed record CreatedToken(Guid Id, string Name, string Token, DateTime? ExpiresAt);

    private sealed record TokenRow(Guid Id, string Name, string Prefix, DateTime? LastUsedAt, DateTime? RevokedAt);
}
