using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

/// <summary>
/// An imported item waiting for its import to publish: written in short batches while the file streams, copied into
/// <see cref="Item"/> (and its file label into <see cref="AiLabel"/>) in one statement when the whole file has been read,
/// then deleted. No page, API or job reads this table; a failed or abandoned import's rows are deleted, so they never
/// become visible. See docs/decisions/0010-import-staging.md.
/// </summary>
public sealed class ImportStagedItem : ITenantOwned
{
    /// <summary>Order of arrival: the publish keeps the file's order, and the first of two lines with one external id wins.</summary>
    public long Seq { get; set; }

    /// <summary>The import these rows belong to: the job run's id, or a fresh id for an import outside a job.</summary>
    public Guid ImportId { get; set; }

    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The id the item gets when it is published.</summary>
    public Guid ItemId { get; set; }

    public string? ExternalId { get; set; }
    public string ConversationJson { get; set; } = "[]";
    public string ResponseA { get; set; } = "";
    public string? ResponseB { get; set; }
    public string? ResponseTurnsAJson { get; set; }
    public string? ResponseTurnsBJson { get; set; }
    public string? MetadataJson { get; set; }
    public string? Category { get; set; }

    /// <summary>The id of the AI label made from the file's label, when the import keeps labels and the line has one.</summary>
    public Guid? LabelId { get; set; }

    /// <summary>The file's choice for the pair: the AI label's, or the external rater's (<see cref="RaterId"/>).</summary>
    public Core.Aggregation.PreferenceChoice? LabelChoice { get; set; }

    public string? LabelModel { get; set; }

    /// <summary>
    /// When the file's labels become external raters' annotations (decision 0009) and the line has one: the rater, which
    /// the publish adds to the project if it is new.
    /// </summary>
    public Guid? RaterId { get; set; }

    /// <summary>The id and idempotency key of that annotation.</summary>
    public Guid? AnnotationId { get; set; }

    public string? AnnotationKey { get; set; }

    /// <summary>The file's scores for a Likert item, as JSON in the form <see cref="Annotation.Scores"/> is stored in.</summary>
    public string? ScoresJson { get; set; }

    /// <summary>When the batch was written: rows of an import whose last batch is long past were abandoned, and are swept.</summary>
    public DateTime StagedAt { get; set; }
}

internal sealed class ImportStagedItemConfiguration : IEntityTypeConfiguration<ImportStagedItem>
{
    public void Configure(EntityTypeBuilder<ImportStagedItem> b)
    {
        b.HasKey(s => s.Seq);
        b.Property(s => s.Seq).ValueGeneratedOnAdd();
        b.Property(s => s.ExternalId).HasMaxLength(200);
        b.Property(s => s.LabelModel).HasMaxLength(200);
        b.Property(s => s.AnnotationKey).HasMaxLength(100);
        b.Property(s => s.Category).HasMaxLength(ProjectCategory.MaxNameLength);

        // The publish keeps the first line of each external id (and finds the rest of one import) from this index alone.
        b.HasIndex(s => new { s.ImportId, s.ExternalId, s.Seq });
        b.HasIndex(s => new { s.ProjectId, s.StagedAt });
    }
}
