using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.Web.Components.Tests.Features.Releases;

/// <summary>A tenant with a pairwise release cut from real annotations and granted to its client.</summary>
public sealed record GrantedRelease(TestTenant Tenant, Project Project, Release Release)
{
    public PortalUser Client => Tenant.Member(OrgRoles.Client);

    public PortalUser Admin => Tenant.Member(OrgRoles.ProjectAdmin);
}

public static class DeliveryFixtures
{
    /// <summary>Six pairwise items, each rated once (A on most, B on every third), cut as <paramref name="name"/> and granted to the client.</summary>
    public static async Task<GrantedRelease> GrantedReleaseAsync(this TestDatabase db, string name = "Pairs v1", bool grant = true)
    {
        var tenant = await db.CreateTestTenantAsync("Delivery");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 6, overlap: 1, name: "Pairs");
        var annotator = tenant.Member(OrgRoles.Annotator);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var items = await ctx.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).ToListAsync();
            foreach (var (item, n) in items.Select((item, n) => (item, n)))
            {
                await db.AddTestAnnotationAsync(tenant.Id, item, annotator.Id, n % 3 == 0 ? PreferenceChoice.B : PreferenceChoice.A);
            }
        }

        var admin = tenant.Member(OrgRoles.ProjectAdmin).Id;
        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, name, admin);
        if (grant)
        {
            await db.ReleaseService().GrantAsync(tenant.Id, project.Id, release.Id, tenant.Member(OrgRoles.Client).Id, admin);
        }

        return new GrantedRelease(tenant, project, release);
    }
}
