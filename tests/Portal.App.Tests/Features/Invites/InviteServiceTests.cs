using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Invites;
using Portal.App.Features.Organisations;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Invites;

public class InviteServiceTests
{
    private static InviteService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<InviteService>();

    private static async Task<PortalUser> NewUser(TestDatabase db, string email) =>
        await db.Services.CreateScope().ServiceProvider.GetRequiredService<OrganisationService>().CreateUserAsync(email, Builders.Password, null);

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Accept_ValidInvite_GrantsRolesOnceAndOnlyOnce(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var invite = await Service(db).CreateAsync(tenant.Id, OrgRoles.Annotator | OrgRoles.Client, TimeSpan.FromHours(2), tenant.Member(OrgRoles.OrgAdmin).Id, "for Bo");
        var bo = await NewUser(db, "bo@example.test");
        var cy = await NewUser(db, "cy@example.test");

        var first = await Service(db).AcceptAsync(invite.Token, bo.Id);
        var second = await Service(db).AcceptAsync(invite.Token, cy.Id);

        Assert.Equal(InviteState.Valid, first.State);
        Assert.Equal(InviteState.Used, second.State);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(OrgRoles.Annotator | OrgRoles.Client, (await ctx.Memberships.SingleAsync(m => m.UserId == bo.Id)).Roles);
        Assert.False(await ctx.Memberships.AnyAsync(m => m.UserId == cy.Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Accept_ExpiredOrRevokedOrUnknown_GrantsNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var admin = tenant.Member(OrgRoles.OrgAdmin).Id;
        var revoked = await Service(db).CreateAsync(tenant.Id, OrgRoles.Annotator, TimeSpan.FromHours(1), admin, null);
        await Service(db).RevokeAsync(tenant.Id, revoked.Id);
        var expiring = await Service(db).CreateAsync(tenant.Id, OrgRoles.Annotator, TimeSpan.FromHours(1), admin, null);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            await ctx.Invites.Where(i => i.Id == expiring.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        var user = await NewUser(db, "late@example.test");

        Assert.Equal(InviteState.Revoked, (await Service(db).AcceptAsync(revoked.Token, user.Id)).State);
        Assert.Equal(InviteState.Expired, (await Service(db).AcceptAsync(expiring.Token, user.Id)).State);
        Assert.Equal(InviteState.Unknown, (await Service(db).AcceptAsync("not-a-token", user.Id)).State);
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        Assert.False(await check.Memberships.AnyAsync(m => m.UserId == user.Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Create_StoresOnlyAHashOfTheToken(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var invite = await Service(db).CreateAsync(tenant.Id, OrgRoles.Annotator, TimeSpan.FromHours(1), tenant.Member(OrgRoles.OrgAdmin).Id, null);

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var stored = await ctx.Invites.SingleAsync(i => i.Id == invite.Id);
        Assert.NotEqual(invite.Token, stored.TokenHash);
        Assert.DoesNotContain(invite.Token, stored.TokenHash, StringComparison.Ordinal);
        Assert.Equal(64, stored.TokenHash.Length);
    }

    [Fact]
    public async Task Create_LifetimeOutOfRange_IsRefusedNamingTheField()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Service(db).CreateAsync(tenant.Id, OrgRoles.Annotator, TimeSpan.FromDays(90), tenant.Member(OrgRoles.OrgAdmin).Id, null));
        Assert.Equal("expiresInHours", ex.Field);
    }
}
