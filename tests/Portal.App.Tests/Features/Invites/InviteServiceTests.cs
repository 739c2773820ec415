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
    [SqlServerData]
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
    [SqlServerData]
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
    [SqlServerData]
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

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Register_EightAtOnceOnOneInvite_ExactlyOneAccountWithItsMembershipAndNoOrphan(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var invite = await Service(db).CreateAsync(tenant.Id, OrgRoles.Annotator, TimeSpan.FromHours(2), tenant.Member(OrgRoles.OrgAdmin).Id, null);
        await using (var before = db.Factory.CreateSystem())
        {
            Assert.Equal(4, await before.Users.CountAsync());
        }

        using var start = new SemaphoreSlim(0);
        var racers = Enumerable.Range(1, 8).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await Service(db).RegisterAsync(invite.Token, $"racer{i}@example.test", Builders.Password, $"Racer {i}");
        })).ToList();
        start.Release(8);
        var results = await Task.WhenAll(racers);

        var winner = Assert.Single(results, r => r.User is not null);
        Assert.Equal(InviteState.Valid, winner.Lookup.State);
        Assert.All(results.Where(r => r.User is null), r => Assert.Equal(InviteState.Used, r.Lookup.State));
        await using var system = db.Factory.CreateSystem();
        var racers8 = await system.Users.Where(u => u.Email!.StartsWith("racer")).Select(u => u.Id).ToListAsync();
        Assert.Equal([winner.User!.Id], racers8);
        var membership = await system.Memberships.IgnoreQueryFilters().SingleAsync(m => m.UserId == winner.User.Id);
        Assert.Equal((tenant.Id, OrgRoles.Annotator), (membership.TenantId, membership.Roles));
        Assert.Equal(winner.User.Id, (await system.Invites.IgnoreQueryFilters().SingleAsync(i => i.Id == invite.Id)).UsedByUserId);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Register_PasswordRefused_NoAccountAndTheInviteStaysOpen(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var invite = await Service(db).CreateAsync(tenant.Id, OrgRoles.Annotator, TimeSpan.FromHours(2), tenant.Member(OrgRoles.OrgAdmin).Id, null);

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => Service(db).RegisterAsync(invite.Token, "weak@example.test", "short", "Weak"));

        Assert.Equal("password", ex.Field);
        await using var system = db.Factory.CreateSystem();
        Assert.False(await system.Users.AnyAsync(u => u.Email == "weak@example.test"));
        Assert.Equal(InviteState.Valid, (await Service(db).LookupAsync(invite.Token)).State);
        var (lookup, user) = await Service(db).RegisterAsync(invite.Token, "strong@example.test", Builders.Password, "Strong");
        Assert.Equal(InviteState.Valid, lookup.State);
        Assert.True(await system.Memberships.IgnoreQueryFilters().AnyAsync(m => m.UserId == user!.Id && m.TenantId == tenant.Id));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Create_NoteLongerThanTheLimit_RefusedNamingTheNote(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => Service(db).CreateAsync(
            tenant.Id, OrgRoles.Annotator, TimeSpan.FromHours(2), tenant.Member(OrgRoles.OrgAdmin).Id, new string('n', InviteService.MaxNoteLength + 1)));

        Assert.Equal("note", ex.Field);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.False(await ctx.Invites.AnyAsync());
    }
}
