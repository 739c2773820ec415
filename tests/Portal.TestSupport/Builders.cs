using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;

namespace Portal.TestSupport;

/// <summary>A tenant with one person in each role, for tests that need "another organisation".</summary>
public sealed record TestTenant(Organisation Organisation, IReadOnlyDictionary<OrgRoles, PortalUser> Members, Project Project, Item Item)
{
    public Guid Id => Organisation.Id;

    public PortalUser Member(OrgRoles role) => Members[role];
}

public static class Builders
{
    public const string Password = "Test!Pass2026";

    public static readonly OrgRoles[] SingleRoles = [OrgRoles.OrgAdmin, OrgRoles.ProjectAdmin, OrgRoles.Annotator, OrgRoles.Client];

    /// <summary>An organisation with an org admin, a project admin, an annotator and a client, and one project with one item.</summary>
    public static async Task<TestTenant> CreateTestTenantAsync(this TestDatabase db, string name)
    {
        var organisations = db.Services.CreateScope().ServiceProvider.GetRequiredService<OrganisationService>();
        var org = await organisations.CreateOrganisationAsync(name);
        var members = new Dictionary<OrgRoles, PortalUser>();
        foreach (var role in SingleRoles)
        {
            var user = await organisations.CreateUserAsync($"{role.ToString().ToLowerInvariant()}@{name.ToLowerInvariant().Replace(' ', '-')}.test", Password, $"{role} of {name}");
            await organisations.GrantAsync(org.Id, user.Id, role);
            members[role] = user;
        }

        var (project, item) = await db.CreateTestProjectAsync(org.Id);
        return new TestTenant(org, members, project, item);
    }

    public static async Task<(Project Project, Item Item)> CreateTestProjectAsync(this TestDatabase db, Guid tenantId, string name = "Test project", int overlap = 3)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var project = new Project { Name = name, Kind = ProjectKind.Pairwise, Overlap = overlap, CreatedAt = DateTime.UtcNow };
        var item = new Item { ProjectId = project.Id, ExternalId = "item-1", ConversationJson = "[]", ResponseA = "A", ResponseB = "B", CreatedAt = DateTime.UtcNow };
        ctx.Projects.Add(project);
        ctx.Items.Add(item);
        await ctx.SaveChangesAsync();
        return (project, item);
    }
}
