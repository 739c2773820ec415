using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

/// <summary>How a published guideline change binds annotators: minor asks for an acknowledgement, major for a new qualification too.</summary>
public enum GuidelineChange
{
    Minor = 1,
    Major = 2,
}

/// <summary>One published version of a project's guidelines. Immutable: a change is a new version with a higher number.</summary>
public sealed class GuidelineVersion : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>1, 2, 3… per project; <see cref="Annotation.GuidelineVersion"/> refers to it.</summary>
    public int Version { get; set; }

    /// <summary>Untrusted Markdown, rendered only through <c>SafeMarkdown</c>.</summary>
    public string Markdown { get; set; } = "";

    public string ChangeNote { get; set; } = "";
    public GuidelineChange Change { get; set; } = GuidelineChange.Minor;
    public Guid PublishedByUserId { get; set; }
    public DateTime PublishedAt { get; set; }
}

/// <summary>An annotator's acknowledgement of one guideline version in one project.</summary>
public sealed class GuidelineAcknowledgement : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid AnnotatorId { get; set; }
    public int Version { get; set; }
    public DateTime AcknowledgedAt { get; set; }
}

/// <summary>A project's qualification test: a set of its gold items, a pass mark, how many tries and the wait between them.</summary>
public sealed class QualificationTest : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }

    /// <summary>The gold items of the test, in the order they are shown, as JSON.</summary>
    public List<Guid> ItemIds { get; set; } = [];

    /// <summary>The share of correct answers needed to pass, 0…1.</summary>
    public double PassMark { get; set; } = 0.8;

    /// <summary>Tries per qualification (since the last major guideline change); 0 is unlimited.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Minutes an annotator waits after a failed try before the next.</summary>
    public int CooldownMinutes { get; set; } = 60;

    /// <summary>
    /// When the test was created; set once (edits change only <see cref="UpdatedAt"/>). Annotators who annotated in the
    /// project before it are not required to take it until a major guideline change published after it.
    /// </summary>
    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>One try of a qualification test, with every answer and whether it was right.</summary>
public sealed class QualificationAttempt : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid AnnotatorId { get; set; }

    /// <summary>The guideline version current when the test was taken (null when the project had none).</summary>
    public int? GuidelineVersion { get; set; }

    public int Correct { get; set; }
    public int Total { get; set; }
    public double PassMark { get; set; }
    public bool Passed { get; set; }

    /// <summary>The answers (<c>Features.Guidelines.QualificationAnswerRecord</c>) as JSON.</summary>
    public string AnswersJson { get; set; } = "[]";

    public DateTime CreatedAt { get; set; }

    /// <summary>Set when an admin reset the annotator's tries: the attempt is kept but no longer counts against them.</summary>
    public DateTime? VoidedAt { get; set; }
}

/// <summary>
/// One version of a project's attribute set (keys and scales). Recorded when the attributes change after annotations
/// exist: version 1 is the set before the first such change. Each annotation records the version it was rated under.
/// </summary>
public sealed class AttributeSetVersion : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid ProjectId { get; set; }
    public int Version { get; set; }
    public List<AttributeDefinition> Attributes { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}

internal sealed class AttributeSetVersionConfiguration : IEntityTypeConfiguration<AttributeSetVersion>
{
    public void Configure(EntityTypeBuilder<AttributeSetVersion> b)
    {
        b.HasIndex(v => new { v.ProjectId, v.Version }).IsUnique();
        b.Property(v => v.Attributes).HasConversion(JsonColumns.Converter(
            json => System.Text.Json.JsonSerializer.Deserialize<List<AttributeDefinition>>(json, ProjectSettings.Json) ?? [],
            list => System.Text.Json.JsonSerializer.Serialize(list, ProjectSettings.Json)), JsonColumns.Comparer<List<AttributeDefinition>>());
        b.HasOne<Project>().WithMany().HasForeignKey(v => v.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GuidelineVersionConfiguration : IEntityTypeConfiguration<GuidelineVersion>
{
    public void Configure(EntityTypeBuilder<GuidelineVersion> b)
    {
        b.HasIndex(v => new { v.ProjectId, v.Version }).IsUnique();
        b.Property(v => v.Markdown).HasMaxLength(200_000).IsRequired();
        b.Property(v => v.ChangeNote).HasMaxLength(1000).IsRequired();
        b.HasOne<Project>().WithMany().HasForeignKey(v => v.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GuidelineAcknowledgementConfiguration : IEntityTypeConfiguration<GuidelineAcknowledgement>
{
    public void Configure(EntityTypeBuilder<GuidelineAcknowledgement> b)
    {
        b.HasIndex(a => new { a.ProjectId, a.AnnotatorId, a.Version }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class QualificationTestConfiguration : IEntityTypeConfiguration<QualificationTest>
{
    public void Configure(EntityTypeBuilder<QualificationTest> b)
    {
        b.HasIndex(t => t.ProjectId).IsUnique();
        b.Property(t => t.ItemIds).HasConversion(JsonColumns.Converter(
            json => System.Text.Json.JsonSerializer.Deserialize<List<Guid>>(json) ?? [],
            ids => System.Text.Json.JsonSerializer.Serialize(ids)), JsonColumns.Comparer<List<Guid>>());
        b.HasOne<Project>().WithMany().HasForeignKey(t => t.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class QualificationAttemptConfiguration : IEntityTypeConfiguration<QualificationAttempt>
{
    public void Configure(EntityTypeBuilder<QualificationAttempt> b)
    {
        b.HasIndex(a => new { a.ProjectId, a.AnnotatorId, a.CreatedAt });
        b.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
