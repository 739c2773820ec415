using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

public enum ReleaseStatus
{
    /// <summary>The cut job is taking the snapshot; nothing can be downloaded yet.</summary>
    Cutting = 1,

    /// <summary>The snapshot and its file hashes are stored; the release never changes again.</summary>
    Ready = 2,

    /// <summary>The cut failed; <see cref="Release.Error"/> says why. Failed releases are never shown to clients.</summary>
    Failed = 3,
}

/// <summary>
/// An immutable, filtered snapshot of a project's curated labels for clients. The rows are frozen in
/// <see cref="ReleaseRow"/> when the cut job runs, so a download next month gives the same bytes whatever happens to the
/// annotations meanwhile; <see cref="FilesJson"/> holds each format's length and SHA-256, computed at the cut.
/// </summary>
public sealed class Release : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public string Name { get; set; } = "";

    /// <summary>The filters (<c>Features.Releases.ReleaseFilters</c>) as JSON.</summary>
    public string FiltersJson { get; set; } = "{}";

    public ReleaseStatus Status { get; set; } = ReleaseStatus.Cutting;

    /// <summary>Pairwise (TRL and HH formats) or Likert (Likert formats): the project's kind at the cut.</summary>
    public bool Pairwise { get; set; }

    /// <summary>Rows in the snapshot (items the filters chose).</summary>
    public int Items { get; set; }

    public int Ties { get; set; }
    public int BothBad { get; set; }

    /// <summary>Human ratings behind the rows.</summary>
    public int Ratings { get; set; }

    /// <summary>Distinct annotators behind the rows.</summary>
    public int Annotators { get; set; }

    /// <summary>Rows per label source, counts and agreement figures, as JSON (<c>Features.Releases.ReleaseStats</c>).</summary>
    public string StatsJson { get; set; } = "{}";

    /// <summary>SHA-256 over the snapshot rows in order (lowercase hex): two releases with the same hash hold the same data.</summary>
    public string? SnapshotSha256 { get; set; }

    /// <summary>Each downloadable file: format, tie option, length and SHA-256, plain and gzipped, as JSON (<c>Features.Releases.ReleaseFile</c>).</summary>
    public string FilesJson { get; set; } = "[]";

    /// <summary>The latest ready release of the project when this one was cut, the base of <see cref="DiffJson"/>.</summary>
    public Guid? PreviousReleaseId { get; set; }

    /// <summary>Items added, removed and relabelled against the previous release, as JSON (<c>Features.Releases.ReleaseDiff</c>).</summary>
    public string? DiffJson { get; set; }

    public Guid CreatedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public Guid? JobRunId { get; set; }
    public string? Error { get; set; }
}

/// <summary>
/// One frozen row of a release: the item's text and its label with provenance as they were at the cut. Annotators appear
/// only as the release's pseudonyms. Nothing here refers back to live rows except <see cref="ItemId"/> (for the diff).
/// </summary>
public sealed class ReleaseRow : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ReleaseId { get; set; }

    /// <summary>1-based position in the release; exports write rows in this order.</summary>
    public int Ordinal { get; set; }

    public Guid ItemId { get; set; }
    public string? ExternalId { get; set; }
    public string ConversationJson { get; set; } = "[]";
    public string ResponseA { get; set; } = "";
    public string? ResponseB { get; set; }
    public string? MetadataJson { get; set; }

    /// <summary>Response A's turns as JSON when it has several (the item's <see cref="Item.ResponseTurnsAJson"/>); null when it is one turn.</summary>
    public string? ResponseTurnsAJson { get; set; }

    /// <summary>Response B's turns as JSON when it has several; null when it is one turn.</summary>
    public string? ResponseTurnsBJson { get; set; }

    /// <summary>Pairwise: the model of the AI label behind an ai, ai_confirmed_by_humans or ai_overturned_by_humans row.</summary>
    public string? AiModel { get; set; }

    /// <summary>Pairwise: the curated choice.</summary>
    public Core.Aggregation.PreferenceChoice? Choice { get; set; }

    public Core.Export.CuratedLabelSource LabelSource { get; set; }
    public double? Strength { get; set; }
    public int Ratings { get; set; }
    public double? Agreement { get; set; }

    /// <summary>majority_vote, trust_weighted_vote, dawid_skene, ai (AI-only rows), mean or median.</summary>
    public string? Aggregation { get; set; }

    public int? GuidelineVersion { get; set; }

    /// <summary>Ratings that showed A on the left, and B on the left.</summary>
    public int ALeft { get; set; }

    public int BLeft { get; set; }

    /// <summary>Sorted pseudonyms, as a JSON array of strings.</summary>
    public string AnnotatorsJson { get; set; } = "[]";

    /// <summary>Likert: <c>[{"attribute","mean","median","sd","n"}]</c> per attribute.</summary>
    public string? ScoresJson { get; set; }

    /// <summary>Likert: every individual rating, <c>[{"annotator","attribute","value"}]</c>.</summary>
    public string? RatingsJson { get; set; }
}

/// <summary>A release made visible to one client user of the organisation; revoking keeps the row for the record.</summary>
public sealed class ReleaseGrant : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ReleaseId { get; set; }
    public Guid UserId { get; set; }
    public Guid GrantedByUserId { get; set; }
    public DateTime GrantedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>One download of a release file (a range request counts as one): who, when, which release and format, how much.</summary>
public sealed class DownloadLog : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ReleaseId { get; set; }

    /// <summary>Who downloaded; null for <c>portal export</c> at the server's console, which acts as no user.</summary>
    public Guid? UserId { get; set; }

    /// <summary>The format's name (trl-plain, …, card).</summary>
    public string Format { get; set; } = "";

    /// <summary>page, api or cli.</summary>
    public string Via { get; set; } = "";

    public bool Gzip { get; set; }

    /// <summary>The first byte asked for, when it was a range request.</summary>
    public long? RangeStart { get; set; }

    /// <summary>Bytes sent (less than asked for when the client went away).</summary>
    public long Bytes { get; set; }

    public DateTime At { get; set; }
}

internal sealed class ReleaseConfiguration : IEntityTypeConfiguration<Release>
{
    public void Configure(EntityTypeBuilder<Release> b)
    {
        b.Property(r => r.Name).HasMaxLength(200).IsRequired();
        b.HasIndex(r => new { r.TenantId, r.ProjectId, r.Name }).IsUnique();
        b.HasIndex(r => new { r.ProjectId, r.CreatedAt });
        b.Property(r => r.SnapshotSha256).HasMaxLength(64);
        b.Property(r => r.Error).HasMaxLength(2000);
        b.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReleaseRowConfiguration : IEntityTypeConfiguration<ReleaseRow>
{
    public void Configure(EntityTypeBuilder<ReleaseRow> b)
    {
        b.HasIndex(r => new { r.ReleaseId, r.Ordinal }).IsUnique();
        b.Property(r => r.ExternalId).HasMaxLength(200);
        b.Property(r => r.Aggregation).HasMaxLength(40);
        b.Property(r => r.AiModel).HasMaxLength(200);
        b.HasOne<Release>().WithMany().HasForeignKey(r => r.ReleaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReleaseGrantConfiguration : IEntityTypeConfiguration<ReleaseGrant>
{
    public void Configure(EntityTypeBuilder<ReleaseGrant> b)
    {
        b.HasIndex(g => new { g.ReleaseId, g.UserId }).IsUnique();
        b.HasIndex(g => new { g.TenantId, g.UserId });
        b.HasOne<Release>().WithMany().HasForeignKey(g => g.ReleaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<PortalUser>().WithMany().HasForeignKey(g => g.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DownloadLogConfiguration : IEntityTypeConfiguration<DownloadLog>
{
    public void Configure(EntityTypeBuilder<DownloadLog> b)
    {
        b.HasIndex(d => new { d.ReleaseId, d.At });
        b.Property(d => d.Format).HasMaxLength(40).IsRequired();
        b.Property(d => d.Via).HasMaxLength(10).IsRequired();
        b.HasOne<Release>().WithMany().HasForeignKey(d => d.ReleaseId).OnDelete(DeleteBehavior.Cascade);
    }
}
