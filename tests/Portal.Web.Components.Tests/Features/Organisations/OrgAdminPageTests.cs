using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;
using Portal.Web.Features.Organisations;

namespace Portal.Web.Components.Tests.Features.Organisations;

public class OrgAdminPageTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant, IRenderedComponent<MudProviders> Providers, IRenderedComponent<OrgAdminPage> Cut)> RenderAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        SignIn("orgadmin@acme.test", tenant.Member(OrgRoles.OrgAdmin).Id);
        var providers = RenderProviders();
        var cut = Render<OrgAdminPage>(p => p.Add(x => x.OrgId, tenant.Id));
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=remove-member]").Count));
        return (db, tenant, providers, cut);
    }

    [Fact]
    public async Task CreateInvite_ShowsTheLinkOnceWithACopyButtonAndListsTheInvite()
    {
        var (db, tenant, _, cut) = await RenderAsync();

        cut.Find("[data-testid=create-invite]").Click();

        cut.WaitForAssertion(() => Assert.Contains("/invite/", cut.Find("[data-testid=invite-link]").TextContent, StringComparison.Ordinal));
        Assert.NotNull(cut.Find("[data-testid=copy-invite-link]"));
        Assert.Contains("Annotator", cut.Find("[data-testid=invites]").TextContent, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(1, await ctx.Invites.CountAsync());
    }

    [Fact]
    public async Task CreateInvite_NoRole_SaysChooseOneAndCreatesNothing()
    {
        var (db, tenant, _, cut) = await RenderAsync();

        cut.Find($"input[data-testid=invite-role-{OrgRoles.Annotator}]").Change(false);
        cut.Find("[data-testid=create-invite]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Choose at least one role.", cut.Markup, StringComparison.Ordinal));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.Invites.CountAsync());
    }

    [Fact]
    public async Task Remove_AsksFirst_CancelKeepsTheMemberAndConfirmRemovesThem()
    {
        var (db, tenant, providers, cut) = await RenderAsync();

        cut.FindAll("[data-testid=remove-member]")[0].Click();
        providers.WaitForAssertion(() => Assert.Contains("loses access to this organisation", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").First(b => b.TextContent.Trim() == "Cancel").Click();
        Assert.Equal(3, cut.FindAll("[data-testid=remove-member]").Count);

        cut.FindAll("[data-testid=remove-member]")[0].Click();
        providers.WaitForAssertion(() => providers.FindAll("button").First(b => b.TextContent.Trim() == "Remove member").Click());

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=remove-member]").Count));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(3, await ctx.Memberships.CountAsync());
    }

    [Fact]
    public async Task Revoke_AsksFirst_ThenTheInviteIsRevoked()
    {
        var (db, tenant, providers, cut) = await RenderAsync();
        cut.Find("[data-testid=create-invite]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=revoke-invite]"));

        cut.Find("[data-testid=revoke-invite]").Click();
        providers.WaitForAssertion(() => providers.FindAll("button").First(b => b.TextContent.Trim() == "Revoke invite").Click());

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=revoke-invite]")));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.NotNull((await ctx.Invites.SingleAsync()).RevokedAt);
    }
}
