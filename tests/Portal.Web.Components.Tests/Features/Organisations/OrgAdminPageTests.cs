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

    [Fact]
    public async Task Members_MoreThanAPage_ShowsTheFirstPageFromTheDatabaseAndTheNextOnRequest()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        await db.AddMembersAsync(tenant.Id, 30, "Reader");
        SignIn("orgadmin@acme.test", tenant.Member(OrgRoles.OrgAdmin).Id);
        RenderProviders();

        var cut = Render<OrgAdminPage>(p => p.Add(x => x.OrgId, tenant.Id));

        // By e-mail: the four role holders of the builder, then reader-01 to reader-21 on the first page of 25.
        cut.WaitForAssertion(() => Assert.Equal(25, Emails(cut).Count));
        Assert.Equal("annotator@acme.test", Emails(cut)[0]);
        Assert.Equal("reader-21@lists.test", Emails(cut)[^1]);
        Assert.Contains("1-25 of 34", Pager(cut, "members"), StringComparison.Ordinal);

        cut.Find("[data-testid=members] button[aria-label='Next page']").Click();

        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(22, 9).Select(n => $"reader-{n:00}@lists.test"), Emails(cut)));
        Assert.Contains("26-34 of 34", Pager(cut, "members"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Members_Search_ShowsOnlyTheMatchingPeopleAndSaysSoWhenNobodyMatches()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        await db.AddMembersAsync(tenant.Id, 30, "Reader");
        await db.AddMembersAsync(tenant.Id, 2, "Night Owl");
        SignIn("orgadmin@acme.test", tenant.Member(OrgRoles.OrgAdmin).Id);
        RenderProviders();
        var cut = Render<OrgAdminPage>(p => p.Add(x => x.OrgId, tenant.Id));
        cut.WaitForAssertion(() => Assert.Equal(25, Emails(cut).Count));

        cut.Find("input[data-testid=member-search]").Change("night owl");

        cut.WaitForAssertion(() => Assert.Equal(["night-owl-01@lists.test", "night-owl-02@lists.test"], Emails(cut)));
        Assert.Contains("1-2 of 2", Pager(cut, "members"), StringComparison.Ordinal);

        cut.Find("input[data-testid=member-search]").Change("nobody-at-all");

        cut.WaitForAssertion(() => Assert.Contains("No member matches 'nobody-at-all'", cut.Find("[data-testid=members-empty]").TextContent, StringComparison.Ordinal));
        Assert.Empty(Emails(cut));
    }

    private static List<string> Emails(IRenderedComponent<OrgAdminPage> cut) =>
        [.. cut.FindAll("[data-testid=member-email]").Select(e => e.TextContent.Trim())];

    private static string Pager(IRenderedComponent<OrgAdminPage> cut, string grid) =>
        cut.Find($"[data-testid={grid}] .mud-table-pagination").TextContent;
}
