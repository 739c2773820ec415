using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Platform;

public class HangfireDashboardTests
{
    [Theory]
    [InlineData("/hangfire")]
    [InlineData("/hangfire/jobs/enqueued")]
    [InlineData("/hangfire/recurring")]
    public async Task Dashboard_PlatformAdmin_Answers200(string path)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInPlatformAdminAsync();

        var response = await admin.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Portal jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OrgRoles.OrgAdmin, "/hangfire")]
    [InlineData(OrgRoles.Annotator, "/hangfire")]
    [InlineData(OrgRoles.OrgAdmin, "/hangfire/recurring")]
    [InlineData(null, "/hangfire")]
    [InlineData(null, "/hangfire/jobs/enqueued")]
    public async Task Dashboard_AnyoneButAPlatformAdmin_Answers404(OrgRoles? role, string path)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true);
        var client = role is null ? app.Anonymous() : await app.SignInAsync(tenant.Member(role.Value).Email!);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("Portal jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DashboardAction_SignedOutPost_Answers404AndDoesNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var app = new PortalFactory(db, jobs: true);

        var response = await app.Anonymous().PostAsync("/hangfire/recurring/trigger", new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = "expire-leases" }));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

}
