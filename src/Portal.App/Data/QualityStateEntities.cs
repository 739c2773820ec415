using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

/// <summary>
/// The counters a project's quality report is computed from (<c>Features.Quality.QualityAccumulator</c> as JSON), and the
/// watermark up to which annotations were counted: an incremental recompute reads only the items touched since.
/// </summary>
public sealed class QualityState : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The newest annotation time (created or revised) that was counted.</summary>
    public DateTime Watermark { get; set; }

    /// <summary>The attribute-set version whose scores were counted; another one means a full recompute.</summary>
    public int AttributeVersion { get; set; }

    /// <summary>What the counters depend on besides the annotations (aggregation, settings, gold standings), as one string: a change means a full recompute.</summary>
    public string Fingerprint { get; set; } = "";

    /// <summary>How many annotations the project had (gold and repeats included): fewer now means some were deleted, and a full recompute.</summary>
    public int AnnotationCount { get; set; }

    public string StateJson { get; set; } = "{}";
}

/// <summary>One item's ratings as the quality counters last counted them, so a recompute can take them out again when the item changes.</summary>
public sealed class QualityItemSnapshot : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ItemId { get; set; }
    public string RowsJson { get; set; } = "[]";
}

internal sealed class QualityStateConfiguration : IEntityTypeConfiguration<QualityState>
{
    public void Configure(EntityTypeBuilder<QualityState> b)
    {
        b.HasIndex(s => s.ProjectId).IsUnique();
        b.Property(s => s.Fingerprint).HasMaxLength(200).IsRequired();
        b.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class QualityItemSnapshotConfiguration : IEntityTypeConfiguration<QualityItemSnapshot>
{
    public void Configure(EntityTypeBuilder<QualityItemSnapshot> b)
    {
        b.HasIndex(s => new { s.ProjectId, s.ItemId }).IsUnique();
        b.HasIndex(s => s.ItemId);
        b.HasOne<Item>().WithMany().HasForeignKey(s => s.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
