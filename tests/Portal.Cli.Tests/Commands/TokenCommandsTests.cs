using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Tokens;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

public class TokenCommandsTests
{
    private static async Task<int> TokenCountAsync(TestDatabase db)
    {
        await using var ctx = db.Factory.CreateSystem();
        return await ctx.ApiTokens.CountAsync();
    }

    [Fact]
    public async Task TokenCreate_PrintsAWorkingTokenOnce_ThatExpiresAfterTheDays()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        var owner = a.Member(OrgRoles.Annotator);

        var run = await TestCli.RunAsync(["token", "create", "--org", "Alpha", "--email", owner.Email!, "--name", "provisioning", "--days", "7"], db.Settings);

        Assert.True(run.ExitCode == PortalCli.Ok, run.Error);
        var token = Assert.Single(run.Out.TrimEnd('\n', '\r').Split('\n')).Trim();
        Assert.StartsWith(ApiTokenService.Prefix, token, StringComparison.Ordinal);
        Assert.Equal(owner.Id, await db.Services.GetRequiredService<ApiTokenService>().ValidateAsync(token));
        await using var ctx = db.Factory.CreateSystem();
        var row = await ctx.ApiTokens.SingleAsync();
        Assert.Equal("provisioning", row.Name);
        Assert.InRange(row.ExpiresAt!.Value, DateTime.UtcNow.AddDays(7).AddMinutes(-5), DateTime.UtcNow.AddDays(7).AddMinutes(5));
        Assert.DoesNotContain(token, row.TokenHash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Beta", "annotator", "--email")] // not a member of that organisation
    [InlineData("Nowhere", "annotator", "--org")]
    [InlineData("Alpha", "nobody", "--email")]
    public async Task TokenCreate_WrongOrganisationOrPerson_IsBadInputAndCreatesNothing(string org, string who, string field)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await db.CreateTestTenantAsync("Beta");
        var email = who == "nobody" ? "nobody@nowhere.example" : a.Member(OrgRoles.Annotator).Email!;

        var run = await TestCli.RunAsync(["token", "create", "--org", org, "--email", email, "--name", "x"], db.Settings);

        Assert.StartsWith($"portal: {field}", run.AssertBadInput(), StringComparison.Ordinal);
        Assert.Equal(0, await TokenCountAsync(db));
    }

    [Fact]
    public async Task TokenRevoke_ByNameOrId_StopsTheToken_AndAnUnknownOneIsBadInput()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        var email = a.Member(OrgRoles.OrgAdmin).Email!;
        var tokens = db.Services.GetRequiredService<ApiTokenService>();
        var first = (await TestCli.RunAsync(["token", "create", "--org", "Alpha", "--email", email, "--name", "first"], db.Settings)).Out.Trim();
        var second = (await TestCli.RunAsync(["token", "create", "--org", "Alpha", "--email", email, "--name", "second"], db.Settings)).Out.Trim();
        Guid secondId;
        await using (var ctx = db.Factory.CreateSystem())
        {
            secondId = (await ctx.ApiTokens.SingleAsync(t => t.Name == "second")).Id;
        }

        var byName = await TestCli.RunAsync(["token", "revoke", "--email", email, "--name", "first"], db.Settings);
        Assert.True(byName.ExitCode == PortalCli.Ok, byName.Error);
        Assert.Null(await tokens.ValidateAsync(first));
        Assert.NotNull(await tokens.ValidateAsync(second));

        var byId = await TestCli.RunAsync(["token", "revoke", "--email", email, "--id", secondId.ToString()], db.Settings);
        Assert.True(byId.ExitCode == PortalCli.Ok, byId.Error);
        Assert.Null(await tokens.ValidateAsync(second));

        Assert.StartsWith("portal: --name", (await TestCli.RunAsync(["token", "revoke", "--email", email, "--name", "first"], db.Settings)).AssertBadInput(), StringComparison.Ordinal);
        Assert.StartsWith("portal: token revoke needs", (await TestCli.RunAsync(["token", "revoke", "--email", email], db.Settings)).AssertBadInput(), StringComparison.Ordinal);
    }
}
