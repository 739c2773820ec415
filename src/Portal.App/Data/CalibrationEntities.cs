using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Aggregation;

namespace Portal.App.Data;

public enum CalibrationStatus
{
    /// <summary>Participants rate the items; nobody sees anyone else's answers.</summary>
    Open = 1,

    /// <summary>Answers are final; each participant sees the group's answers, the consensus and the admin's explanations.</summary>
    Closed = 2,
}

/// <summary>
/// A calibration round: the same items rated by every annotator who was active in the project when it opened, then
/// compared. Its answers are kept apart from the project's annotations: they train the annotators, not the dataset.
/// </summary>
public sealed class CalibrationRound : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>1, 2, 3… per project.</summary>
    public int Number { get; set; }

    public string Title { get; set; } = "";
    public CalibrationStatus Status { get; set; } = CalibrationStatus.Open;

    /// <summary>The guideline version current when the round opened (null when the project had none).</summary>
    public int? GuidelineVersion { get; set; }

    public Guid OpenedByUserId { get; set; }
    public DateTime OpenedAt { get; set; }
    public Guid? ClosedByUserId { get; set; }
    public DateTime? ClosedAt { get; set; }
}

/// <summary>An item of a round, in the order shown, with the admin's explanation of the right answer.</summary>
public sealed class CalibrationRoundItem : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid RoundId { get; set; }
    public Guid ItemId { get; set; }
    public int Position { get; set; }

    /// <summary>Untrusted Markdown, rendered only through <c>SafeMarkdown</c>; shown to participants once the round closes.</summary>
    public string Explanation { get; set; } = "";

    /// <summary>When an admin made the item gold from this round's consensus.</summary>
    public DateTime? PromotedAt { get; set; }
}

/// <summary>An annotator asked to rate a round's items: the project's active annotators when it opened.</summary>
public sealed class CalibrationParticipant : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid RoundId { get; set; }
    public Guid AnnotatorId { get; set; }
}

/// <summary>A participant's answer to one item of a round, in the item's own terms (A is response A). Changeable until the round closes.</summary>
public sealed class CalibrationAnswer : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid RoundId { get; set; }
    public Guid ItemId { get; set; }
    public Guid AnnotatorId { get; set; }
    public PreferenceChoice? Choice { get; set; }

    /// <summary>Likert scores of response A by attribute key.</summary>
    public Dictionary<string, int>? Scores { get; set; }

    public string? Rationale { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class CalibrationRoundConfiguration : IEntityTypeConfiguration<CalibrationRound>
{
    public void Configure(EntityTypeBuilder<CalibrationRound> b)
    {
        b.HasIndex(r => new { r.ProjectId, r.Number }).IsUnique();
        b.Property(r => r.Title).HasMaxLength(200).IsRequired();
        b.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CalibrationRoundItemConfiguration : IEntityTypeConfiguration<CalibrationRoundItem>
{
    public void Configure(EntityTypeBuilder<CalibrationRoundItem> b)
    {
        b.HasIndex(i => new { i.RoundId, i.ItemId }).IsUnique();
        b.Property(i => i.Explanation).HasMaxLength(20_000).IsRequired();
        b.HasOne<CalibrationRound>().WithMany().HasForeignKey(i => i.RoundId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Item>().WithMany().HasForeignKey(i => i.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CalibrationParticipantConfiguration : IEntityTypeConfiguration<CalibrationParticipant>
{
    public void Configure(EntityTypeBuilder<CalibrationParticipant> b)
    {
        b.HasIndex(p => new { p.RoundId, p.AnnotatorId }).IsUnique();
        b.HasIndex(p => p.AnnotatorId);
        b.HasOne<CalibrationRound>().WithMany().HasForeignKey(p => p.RoundId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CalibrationAnswerConfiguration : IEntityTypeConfiguration<CalibrationAnswer>
{
    public void Configure(EntityTypeBuilder<CalibrationAnswer> b)
    {
        b.HasIndex(a => new { a.RoundId, a.ItemId, a.AnnotatorId }).IsUnique();
        b.HasIndex(a => new { a.AnnotatorId, a.ItemId });
        b.Property(a => a.Rationale).HasMaxLength(4000);
        b.Property(a => a.Scores).HasConversion(JsonColumns.DictionaryConverter<int>(), JsonColumns.Comparer<Dictionary<string, int>?>());
        b.HasOne<CalibrationRound>().WithMany().HasForeignKey(a => a.RoundId).OnDelete(DeleteBehavior.Cascade);
    }
}
