using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.App.Tests.Data;

public class JsonColumnsTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SaveChanges_ScoresChangedInPlace_WritesTheChange(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Acme");
        var annotation = await db.AddTestAnnotationAsync(tenant.Organisation.Id, tenant.Item, tenant.Members[OrgRoles.Annotator].Id,
            scores: new() { ["helpfulness"] = 3 });

        await using (var ctx = db.Factory.CreateForTenant(tenant.Organisation.Id))
        {
            var loaded = await ctx.Annotations.SingleAsync(a => a.Id == annotation.Id);
            loaded.Scores!["helpfulness"] = 6;
            loaded.Scores["accuracy"] = 2;
            ctx.ChangeTracker.DetectChanges();
            Assert.Equal(EntityState.Modified, ctx.Entry(loaded).State);
            await ctx.SaveChangesAsync();
        }

        await using var check = db.Factory.CreateForTenant(tenant.Organisation.Id);
        var saved = await check.Annotations.SingleAsync(a => a.Id == annotation.Id);
        Assert.Equal(new Dictionary<string, int> { ["helpfulness"] = 6, ["accuracy"] = 2 }, saved.Scores);
    }
}
