using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;

namespace Portal.TestSupport;

public static class TaskBuilders
{
    /// <summary>A project of the given kind with <paramref name="items"/> items (external ids item-001…), nothing gold.</summary>
    public static async Task<Project> CreateTaskProjectAsync(this TestDatabase db, Guid tenantId, ProjectKind kind = ProjectKind.Pairwise,
        int items = 10, int overlap = 3, ProjectSettings? settings = null, string? name = null)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var project = new Project
        {
            Name = name ?? $"{kind} project {Guid.NewGuid():N}",
            Kind = kind,
            Overlap = overlap,
            Settings = settings ?? ProjectSettings.Default,
            CreatedAt = DateTime.UtcNow,
        };
        ctx.Projects.Add(project);
        for (var i = 1; i <= items; i++)
        {
            ctx.Items.Add(new Item
            {
                ProjectId = project.Id,
                ExternalId = $"item-{i:D3}",
                ConversationJson = $$"""[{"role":"user","content":"Question {{i}}?"}]""",
                ResponseA = $"Answer A{i}",
                ResponseB = kind == ProjectKind.Likert ? null : $"Answer B{i}",
                CreatedAt = DateTime.UtcNow,
            });
        }

        await ctx.SaveChangesAsync();
        return project;
    }

    /// <summary>Annotators of the tenant, created and granted the annotator role.</summary>
    public static async Task<IReadOnlyList<PortalUser>> CreateAnnotatorsAsync(this TestDatabase db, Guid tenantId, int count, string prefix = "ann")
    {
        using var scope = db.Services.CreateScope();
        var organisations = scope.ServiceProvider.GetRequiredService<OrganisationService>();
        var users = new List<PortalUser>();
        for (var i = 0; i < count; i++)
        {
            var user = await organisations.CreateUserAsync($"{prefix}{i}-{Guid.NewGuid():N}@tasks.test", Builders.Password, $"Annotator {prefix}{i}");
            await organisations.GrantAsync(tenantId, user.Id, OrgRoles.Annotator);
            users.Add(user);
        }

        return users;
    }
}
