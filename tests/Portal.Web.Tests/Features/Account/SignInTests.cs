using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Account;

public partial class SignInTests
{
    [Fact]
    public async Task SignIn_EachRole_LandsOnItsOwnHomePage()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var expected = new Dictionary<OrgRoles, string>
        {
            [OrgRoles.OrgAdmin] = $"/orgs/{a.Id}/admin",
            [OrgRoles.ProjectAdmin] = $"/orgs/{a.Id}/projects",
            [OrgRoles.Annotator] = $"/orgs/{a.Id}/annotate",
            [OrgRoles.Client] = $"/orgs/{a.Id}/client",
        };

        foreach (var (role, home) in expected)
        {
            var client = await app.SignInAsync(a.Member(role).Email!);
            var landing = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.Redirect, landing.StatusCode);
            Assert.Equal(home, PortalFactory.RedirectPath(landing));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(home)).StatusCode);
        }
    }

    [Fact]
    public async Task SignIn_WrongPassword_FiveTimes_LocksTheAccountEvenForTheRightPassword()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var email = a.Member(OrgRoles.Annotator).Email!;
        var client = app.Anonymous();

        for (var i = 0; i < 4; i++)
        {
            var wrong = await PortalFactory.PostLoginAsync(client, email, "Wrong!Pass2026");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("Wrong e-mail or password", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var fifth = await PortalFactory.PostLoginAsync(client, email, "Wrong!Pass2026");
        Assert.Contains("locked", await fifth.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var right = await PortalFactory.PostLoginAsync(client, email, Builders.Password);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task SignIn_ReturnUrlToAnotherSite_IsIgnored()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var client = app.Anonymous();
        var form = await client.GetStringAsync("/account/login?returnUrl=https://evil.example/");

        var response = await client.PostAsync("/account/login?returnUrl=https://evil.example/", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalFactory.AntiforgeryToken(form),
            ["_handler"] = "login",
            ["Input.Email"] = a.Member(OrgRoles.Client).Email!,
            ["Input.Password"] = Builders.Password,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", PortalFactory.RedirectPath(response));
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var client = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);
        var page = await client.GetStringAsync($"/orgs/{a.Id}/admin");

        var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalFactory.AntiforgeryToken(page),
            ["returnUrl"] = "/account/login",
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Invite_CreatedThroughApi_NewPersonRegistersJoinsAndLinkThenStopsWorking(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);

        var created = await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/invites", new { roles = new[] { "annotator" }, expiresInHours = 48, note = "Dee" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var url = new Uri((await created.Content.ReadFromJsonAsync<CreatedInvite>())!.Url);

        var newcomer = app.Anonymous();
        var invitePage = await newcomer.GetStringAsync(url.PathAndQuery);
        Assert.Contains("Join Alpha", invitePage, StringComparison.Ordinal);
        var joined = await newcomer.PostAsync(url.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalFactory.AntiforgeryToken(invitePage),
            ["_handler"] = "register",
            ["Input.DisplayName"] = "Dee Newcomer",
            ["Input.Email"] = "dee@example.test",
            ["Input.Password"] = "Dee!Pass20261",
        }));

        Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
        Assert.Equal($"/orgs/{a.Id}/annotate", PortalFactory.RedirectPath(joined));
        Assert.Equal(HttpStatusCode.OK, (await newcomer.GetAsync($"/orgs/{a.Id}/annotate")).StatusCode);
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            var membership = await ctx.Memberships.Include(m => m.User).SingleAsync(m => m.User!.Email == "dee@example.test");
            Assert.Equal(OrgRoles.Annotator, membership.Roles);
        }

        var again = await app.Anonymous().GetStringAsync(url.PathAndQuery);
        Assert.Contains("already been used", again, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invite_WeakPassword_ShowsTheRuleAndCreatesNoAccount()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);
        var created = await (await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/invites", new { roles = new[] { "client" } })).Content.ReadFromJsonAsync<CreatedInvite>();
        var path = new Uri(created!.Url).PathAndQuery;
        var newcomer = app.Anonymous();
        var page = await newcomer.GetStringAsync(path);

        var response = await newcomer.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalFactory.AntiforgeryToken(page),
            ["_handler"] = "register",
            ["Input.DisplayName"] = "Weak",
            ["Input.Email"] = "weak@example.test",
            ["Input.Password"] = "alllowercase",
        }));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(UppercaseRule(), body);
        await using var ctx = db.Factory.CreateSystem();
        Assert.False(await ctx.Users.AnyAsync(u => u.Email == "weak@example.test"));
        Assert.Equal("open", (await (await admin.GetAsync($"/api/v1/orgs/{a.Id}/invites")).Content.ReadFromJsonAsync<List<InviteState>>())!.Single(i => i.Id == created.Id).State);
    }

    [GeneratedRegex("uppercase")]
    private static partial Regex UppercaseRule();

    private sealed record CreatedInvite(Guid Id, string Url, DateTime ExpiresAt);

    private sealed record InviteState(Guid Id, string State);
}
