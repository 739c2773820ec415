using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Aggregation;

namespace Portal.App.Data;

public enum FeedbackKind
{
    Thumbs,
    Rating,
    Pick,
    Edit,
}

/// <summary>What an event says about the answer, for the satisfaction rate (docs/deployment-feedback.md).</summary>
public enum FeedbackPolarity
{
    /// <summary>A pick between two answers says nothing about the deployed answer as such.</summary>
    None,
    Positive,
    Negative,

    /// <summary>A rating of 4: counted among the verdicts, not positive.</summary>
    Neutral,
}

public enum FeedbackStatus
{
    Stored,

    /// <summary>Same content as an event stored earlier in the project: only the id, the hash and the time are kept.</summary>
    Duplicate,
}

/// <summary>
/// One event a deployed assistant sent: what its user said about an answer. The text is kept only after PII scrubbing
/// (<see cref="Portal.Core.Text.PiiScrubber"/>); a duplicate keeps no text at all. Unique per project and event id, so a
/// replay stores nothing new.
/// </summary>
public sealed class FeedbackEvent : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The sender's id of the event (idempotency key).</summary>
    public string EventId { get; set; } = "";

    public FeedbackKind Kind { get; set; }
    public FeedbackStatus Status { get; set; }
    public FeedbackPolarity Polarity { get; set; }
    public string ModelVersion { get; set; } = "";
    public string? Category { get; set; }

    /// <summary>When the user gave the feedback (the sender's timestamp, UTC).</summary>
    public DateTime OccurredAt { get; set; }

    /// <summary><see cref="OccurredAt"/>'s day (midnight UTC), what the dashboard groups by.</summary>
    public DateTime OccurredDay { get; set; }

    public DateTime ReceivedAt { get; set; }

    /// <summary>The conversation before the answer, as <c>[{role, content}]</c>, scrubbed; null for a duplicate.</summary>
    public string? ConversationJson { get; set; }

    /// <summary>The answer rated (thumbs, rating, edit) or answer A of a pick; scrubbed.</summary>
    public string? Response { get; set; }

    /// <summary>Answer B of a pick; scrubbed.</summary>
    public string? ResponseB { get; set; }

    /// <summary>The user's edit of <see cref="Response"/>; scrubbed.</summary>
    public string? EditedResponse { get; set; }

    public bool? ThumbUp { get; set; }
    public int? Rating { get; set; }
    public PreferenceChoice? Choice { get; set; }

    /// <summary>SHA-256 (hex) of the scrubbed content (kind, model version, category, texts and verdict; not the id or time).</summary>
    public string ContentHash { get; set; } = "";

    /// <summary>The content hash on stored events only, so a unique index drops duplicates even under concurrent posts.</summary>
    public string? UniqueContentHash { get; set; }

    public Guid? DuplicateOfId { get; set; }

    /// <summary>How many pieces of personal data were replaced, per kind (<c>{"Email": 1}</c>); never what they were.</summary>
    public Dictionary<string, int>? PiiCounts { get; set; }

    /// <summary>The sum of <see cref="PiiCounts"/>.</summary>
    public int PiiTotal { get; set; }

    /// <summary>The item the event became, if the project's settings and sampling made it one.</summary>
    public Guid? ItemId { get; set; }
}

/// <summary>Which deployment events of a project become items, and at which sampling rate. No row: the defaults.</summary>
public sealed class FeedbackSettings : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public bool PicksToItems { get; set; } = true;
    public bool EditsToItems { get; set; } = true;
    public bool RatingsToItems { get; set; } = true;
    public bool ThumbsToItems { get; set; }

    /// <summary>The share of eligible events that become items, 0–1, decided by a hash of the event id (deterministic).</summary>
    public double SamplingRate { get; set; } = 1.0;

    public DateTime UpdatedAt { get; set; }
}

internal sealed class FeedbackEventConfiguration : IEntityTypeConfiguration<FeedbackEvent>
{
    public void Configure(EntityTypeBuilder<FeedbackEvent> b)
    {
        b.Property(e => e.EventId).HasMaxLength(200).IsRequired();
        b.Property(e => e.ModelVersion).HasMaxLength(200).IsRequired();
        b.Property(e => e.Category).HasMaxLength(100);
        b.Property(e => e.ContentHash).HasMaxLength(64).IsRequired();
        b.Property(e => e.UniqueContentHash).HasMaxLength(64);
        b.Property(e => e.Choice).HasConversion<string>().HasMaxLength(16);
        b.Property(e => e.PiiCounts).HasConversion(JsonColumns.DictionaryConverter<int>(), JsonColumns.Comparer<Dictionary<string, int>?>());
        b.HasIndex(e => new { e.TenantId, e.ProjectId, e.EventId }).IsUnique();
        b.HasIndex(e => new { e.TenantId, e.ProjectId, e.UniqueContentHash }).IsUnique();
        b.HasIndex(e => new { e.TenantId, e.ProjectId, e.OccurredDay });
        b.HasOne<Project>().WithMany().HasForeignKey(e => e.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FeedbackSettingsConfiguration : IEntityTypeConfiguration<FeedbackSettings>
{
    public void Configure(EntityTypeBuilder<FeedbackSettings> b)
    {
        b.HasIndex(s => s.ProjectId).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
