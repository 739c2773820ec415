using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Gold;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Gold;

public class ItemBrowserTests
{
    private static ItemBrowser Browser(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<ItemBrowser>();

    /// <summary>
    /// The tenant's project with its one built-in item plus 29 more: priorities 0–2, one gold in ten, item k rated k % 4 times
    /// (by distinct annotators), and "Needle" in the prompt of items 7, 17 and 27.
    /// </summary>
    private static async Task<(TestTenant Tenant, List<Item> Items)> ProjectAsync(TestDatabase db)
    {
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var items = new List<Item>();
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            for (var k = 1; k <= 29; k++)
            {
                var item = new Item
                {
                    ProjectId = tenant.Project.Id,
                    ExternalId = $"item-{k:D2}",
                    ConversationJson = $"[{{\"role\":\"user\",\"content\":\"{(k % 10 == 7 ? "A Needle question" : "Question")} {k}\"}}]",
                    ResponseA = "A",
                    ResponseB = "B",
                    Priority = k % 3,
                    IsGold = k % 10 == 0,
                    CreatedAt = tenant.Item.CreatedAt.AddSeconds(k),
                };
                ctx.Items.Add(item);
                items.Add(item);
            }

            await ctx.SaveChangesAsync();
        }

        foreach (var (k, item) in items.Select((item, i) => (i + 1, item)))
        {
            for (var r = 0; r < k % 4; r++)
            {
                await db.AddTestAnnotationAsync(tenant.Id, item, Guid.NewGuid());
            }
        }

        return (tenant, items);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Search_EverySortPagedInPages_ReadsTheSameOrderAsOnePage(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var (tenant, _) = await ProjectAsync(db);

        foreach (var sort in Enum.GetValues<ItemSort>())
        {
            foreach (var descending in new[] { false, true })
            {
                var whole = await Browser(db).SearchAsync(tenant.Id, tenant.Project.Id, new ItemQuery(Sort: sort, Descending: descending, Take: 100));
                var paged = new List<ItemRow>();
                for (var skip = 0; skip < 30; skip += 7)
                {
                    var page = await Browser(db).SearchAsync(tenant.Id, tenant.Project.Id, new ItemQuery(Sort: sort, Descending: descending, Skip: skip, Take: 7));
                    Assert.Equal(30, page!.Total);
                    paged.AddRange(page.Items);
                }

                Assert.Equal(30, whole!.Items.Count);
                Assert.Equal(whole.Items.Select(r => r.Id), paged.Select(r => r.Id));
                // Every key as a sortable string: ids share their prefix, numbers are padded, so ordinal order is the sort's order.
                var keys = whole.Items.Select(r => sort switch
                {
                    ItemSort.ExternalId => r.ExternalId!,
                    ItemSort.Created => r.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ItemSort.Annotations => r.Annotations.ToString("D3", System.Globalization.CultureInfo.InvariantCulture),
                    _ => (9 - r.Priority).ToString(System.Globalization.CultureInfo.InvariantCulture),
                }).ToList();
                var expected = keys.Order(StringComparer.Ordinal).ToList();
                if (descending)
                {
                    expected.Reverse();
                }

                Assert.True(expected.SequenceEqual(keys), $"{sort} {(descending ? "descending" : "ascending")}: {string.Join(", ", keys)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Search_FiltersAndText_CountWhatMatchesAndShowRatings(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var (tenant, items) = await ProjectAsync(db);
        var browser = Browser(db);

        var gold = await browser.SearchAsync(tenant.Id, tenant.Project.Id, new ItemQuery(Gold: true));
        var unrated = await browser.SearchAsync(tenant.Id, tenant.Project.Id, new ItemQuery(Rated: false, Take: 100));
        var needle = await browser.SearchAsync(tenant.Id, tenant.Project.Id, new ItemQuery(Search: "  nEEDLE "));
        var byId = await browser.SearchAsync(tenant.Id, tenant.Project.Id, new ItemQuery(Search: "ITEM-1"));

        Assert.Equal(["item-10", "item-20"], gold!.Items.Select(r => r.ExternalId).Order());
        Assert.Equal(2, gold.Total);

        // Items 4, 8, …, 28 and the tenant's own item have no rating.
        Assert.Equal(8, unrated!.Total);
        Assert.All(unrated.Items, r => Assert.Equal(0, r.Annotations));
        Assert.Equal(["item-07", "item-17", "item-27"], needle!.Items.Select(r => r.ExternalId).Order());
        Assert.Equal(11, byId!.Total); // item-1 (the tenant's own) and item-10 … item-19
        var row = (await browser.SearchAsync(tenant.Id, tenant.Project.Id, new ItemQuery(Search: "item-07")))!.Items.Single();
        Assert.Equal((items[6].Id, 3), (row.Id, row.Annotations));
        Assert.Null(await browser.SearchAsync(Guid.NewGuid(), tenant.Project.Id, new ItemQuery()));
    }
}
