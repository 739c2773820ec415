using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

/// <summary>
/// A rater outside the portal whose labels came with an imported file (a dataset's crowd, a judge of Chatbot Arena): one per
/// project, source and source rater id. Its annotations are real annotations (<see cref="Annotation.ExternalRaterId"/>), so they
/// count in agreement and aggregation; it has no login, no membership and never gets a task (see docs/decisions/0009).
/// </summary>
public sealed class ExternalRater : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The dataset the labels came from (the import's source option, else the file's name).</summary>
    public string Source { get; set; } = "";

    /// <summary>
    /// SHA-256 (hex) of the rater id the file gave (Chatbot Arena's <c>judge</c>), or empty when the file names none and the whole
    /// source is one rater. Only the hash is kept: a crowd worker's id from a public file is still a person's id.
    /// </summary>
    public string RaterKey { get; set; } = "";

    /// <summary>What pages show: <c>External 3 · stanfordnlp/SHP</c>.</summary>
    public string Name { get; set; } = "";

    public DateTime CreatedAt { get; set; }
}

internal sealed class ExternalRaterConfiguration : IEntityTypeConfiguration<ExternalRater>
{
    public void Configure(EntityTypeBuilder<ExternalRater> b)
    {
        b.HasIndex(r => new { r.ProjectId, r.Source, r.RaterKey }).IsUnique();
        b.Property(r => r.Source).HasMaxLength(200).IsRequired();
        b.Property(r => r.RaterKey).HasMaxLength(64).IsRequired();
        b.Property(r => r.Name).HasMaxLength(300).IsRequired();
        b.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
