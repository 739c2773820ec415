using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features;
using Portal.App.Features.Invites;
using Portal.App.Features.Organisations;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Organisations;

public class OrganisationServiceTests
{
    private static T Service<T>(TestDatabase db) where T : notnull => db.Services.CreateScope().ServiceProvider.GetRequiredService<T>();

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task PageMembers_MoreThanAPage_ReadsOnePageByEmailWithTheTotalAndNoOtherOrganisation(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        await db.AddMembersAsync(alpha.Id, 30, "Reader");
        await db.AddMembersAsync(beta.Id, 5, "Outsider");
        var service = Service<OrganisationService>(db);

        var page2 = await service.PageMembersAsync(alpha.Id, new ListQuery(Skip: 10, Take: 10));
        var byNameDescending = await service.PageMembersAsync(alpha.Id, new ListQuery(Take: 2, SortBy: nameof(MemberRow.DisplayName), Descending: true));

        // Four role holders of the tenant builder sort before "reader-…": page 2 starts at the 7th reader.
        Assert.Equal(34, page2.Total);
        Assert.Equal(Enumerable.Range(7, 10).Select(n => $"reader-{n:00}@lists.test"), page2.Items.Select(m => m.Email));
        Assert.Equal(["Reader 30", "Reader 29"], byNameDescending.Items.Select(m => m.DisplayName));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task PageMembers_Search_MatchesNameOrEmailIgnoringCase(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        await db.AddMembersAsync(alpha.Id, 12, "Reader");
        await db.AddMembersAsync(alpha.Id, 3, "Night Owl");
        var service = Service<OrganisationService>(db);

        var byName = await service.PageMembersAsync(alpha.Id, new ListQuery(Search: "night OWL"));
        var byEmail = await service.PageMembersAsync(alpha.Id, new ListQuery(Search: "READER-1"));
        var none = await service.PageMembersAsync(alpha.Id, new ListQuery(Search: "nobody"));

        Assert.Equal(["Night Owl 01", "Night Owl 02", "Night Owl 03"], byName.Items.Select(m => m.DisplayName));
        Assert.Equal(["reader-10@lists.test", "reader-11@lists.test", "reader-12@lists.test"], byEmail.Items.Select(m => m.Email));
        Assert.Equal(3, byEmail.Total);
        Assert.Empty(none.Items);
        Assert.Equal(0, none.Total);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task PageInvites_MoreThanAPage_ReadsNewestFirstAndSearchesTheNote(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        var invites = Service<InviteService>(db);
        var admin = alpha.Member(OrgRoles.OrgAdmin).Id;
        for (var i = 1; i <= 12; i++)
        {
            await invites.CreateAsync(alpha.Id, OrgRoles.Annotator, TimeSpan.FromHours(i), admin, $"Annotator {i:00}");
        }

        await invites.CreateAsync(beta.Id, OrgRoles.Annotator, TimeSpan.FromHours(1), beta.Member(OrgRoles.OrgAdmin).Id, "Annotator of Beta");

        var first = await invites.PageAsync(alpha.Id, new ListQuery(Take: 5, SortBy: nameof(InviteRow.ExpiresAt), Descending: true));
        var search = await invites.PageAsync(alpha.Id, new ListQuery(Search: "ANNOTATOR 1"));

        Assert.Equal(12, first.Total);
        Assert.Equal(["Annotator 12", "Annotator 11", "Annotator 10", "Annotator 09", "Annotator 08"], first.Items.Select(i => i.Note));
        Assert.Equal(new[] { "Annotator 10", "Annotator 11", "Annotator 12" }, search.Items.Select(i => i.Note!).Order());
    }
}
