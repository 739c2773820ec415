using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

/// <summary>
/// A category of a project's items and its route: who labels the items of that category. A category an item carries but
/// that has no row here is listed all the same, with the route <see cref="CategoryRoutes.Ai"/>.
/// </summary>
public sealed class ProjectCategory : ITenantOwned
{
    public const int MaxNameLength = 100;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public string Name { get; set; } = "";

    /// <summary>One of <see cref="CategoryRoutes.All"/>.</summary>
    public string Route { get; set; } = CategoryRoutes.Ai;

    public DateTime UpdatedAt { get; set; }
}

/// <summary>The routes a category can take (HRLAIF, Li et al. 2024).</summary>
public static class CategoryRoutes
{
    /// <summary>The LLM labeler's preference stands (the targeted-feedback loop may still send an item to humans).</summary>
    public const string Ai = "ai";

    /// <summary>The labeler checks each response's correctness first; a wrong response loses to a right one whatever its style.</summary>
    public const string AiChecked = "ai-checked";

    /// <summary>Only humans label these items: the labeler skips them and the loop never takes an AI label for them.</summary>
    public const string Humans = "humans";

    public static IReadOnlyList<string> All { get; } = [Ai, AiChecked, Humans];

    public static bool IsValid(string? route) => route is Ai or AiChecked or Humans;
}

internal sealed class ProjectCategoryConfiguration : IEntityTypeConfiguration<ProjectCategory>
{
    public void Configure(EntityTypeBuilder<ProjectCategory> b)
    {
        b.HasIndex(c => new { c.TenantId, c.ProjectId, c.Name }).IsUnique();
        b.Property(c => c.Name).HasMaxLength(ProjectCategory.MaxNameLength).IsRequired();
        b.Property(c => c.Route).HasMaxLength(20).IsRequired();
        b.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
