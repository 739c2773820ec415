using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.App.Data;

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> b)
    {
        b.Property(o => o.Name).HasMaxLength(200).IsRequired();
        b.HasIndex(o => o.Name).IsUnique();
    }
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> b)
    {
        b.HasIndex(m => new { m.TenantId, m.UserId }).IsUnique();
        b.HasIndex(m => m.UserId);
        b.HasOne<Organisation>().WithMany().HasForeignKey(m => m.TenantId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InviteConfiguration : IEntityTypeConfiguration<Invite>
{
    public void Configure(EntityTypeBuilder<Invite> b)
    {
        b.Property(i => i.TokenHash).HasMaxLength(64).IsRequired();
        b.HasIndex(i => i.TokenHash).IsUnique();
        b.HasIndex(i => i.TenantId);
        b.Property(i => i.Note).HasMaxLength(200);
        b.HasOne<Organisation>().WithMany().HasForeignKey(i => i.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> b)
    {
        b.Property(p => p.Name).HasMaxLength(200).IsRequired();
        b.Property(p => p.Description).HasMaxLength(4000);
        b.HasIndex(p => new { p.TenantId, p.Name }).IsUnique();
        b.HasOne<Organisation>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Cascade);
        b.Property(p => p.Settings).HasConversion(JsonColumns.Converter(ProjectSettings.Parse, s => s.ToJson()));
        b.Property(p => p.CategoryPrompt).HasMaxLength(20000);
    }
}

internal sealed class ItemConfiguration : IEntityTypeConfiguration<Item>
{
    public void Configure(EntityTypeBuilder<Item> b)
    {
        b.Property(i => i.ExternalId).HasMaxLength(200);
        b.HasIndex(i => new { i.TenantId, i.ProjectId, i.ExternalId }).IsUnique();

        // The full quality recompute pages through a project's items in id order.
        b.HasIndex(i => new { i.ProjectId, i.Id });
        // The items grid's order (highest priority first, then import order) read straight from an index, so no page sorts
        // the whole project; the tenant is in it so that a deep page is counted off the index without reading the rows.
        // The same order within gold or non-gold items serves the grid's gold filter and the assignment engine.
        b.HasIndex(i => new { i.TenantId, i.ProjectId, i.Priority, i.CreatedAt, i.Id }).IsDescending(false, false, true, false, false);
        b.HasIndex(i => new { i.TenantId, i.ProjectId, i.IsGold, i.Priority, i.CreatedAt, i.Id }).IsDescending(false, false, false, true, false, false);
        b.HasOne<Project>().WithMany().HasForeignKey(i => i.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.Property(i => i.Gold).HasConversion(JsonColumns.NullableConverter(GoldAnswer.Parse, g => g.ToJson()));
        b.Property(i => i.Category).HasMaxLength(ProjectCategory.MaxNameLength);
        b.HasIndex(i => new { i.ProjectId, i.Category });
    }
}

internal sealed class AssignmentConfiguration : IEntityTypeConfiguration<Assignment>
{
    public void Configure(EntityTypeBuilder<Assignment> b)
    {
        b.HasIndex(a => new { a.Status, a.LeaseExpiresAt });
        b.HasIndex(a => new { a.ItemId, a.Status });
        b.HasIndex(a => new { a.TenantId, a.AnnotatorId });
        b.HasIndex(a => new { a.ProjectId, a.AnnotatorId, a.Status });

        // The progress page's skips per annotator and the project's live leases, counted off the index; and its flag
        // counts, from an index of the few flagged tasks. The tenant is in both because every query carries its filter.
        b.HasIndex(a => new { a.TenantId, a.ProjectId, a.Status, a.AnnotatorId }).HasDatabaseName("IX_Assignments_Project_Status");
        b.HasIndex(a => new { a.TenantId, a.ProjectId, a.Flags }).HasFilter("\"Flags\" <> 0").HasDatabaseName("IX_Assignments_Project_Flagged");

        // One live, submitted or skipped assignment per annotator and item: the same person never rates an item twice.
        b.HasIndex(a => new { a.ItemId, a.AnnotatorId }).IsUnique().HasFilter("\"Status\" IN (1, 2, 4) AND \"RepeatOf\" IS NULL");

        // One self-consistency check per annotation.
        b.HasIndex(a => a.RepeatOf).IsUnique().HasFilter("\"Status\" IN (1, 2, 4) AND \"RepeatOf\" IS NOT NULL");
        b.Property(a => a.DraftJson).HasMaxLength(65536);
        b.Property(a => a.SkipReason).HasMaxLength(500);
        b.HasOne<Item>().WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AnnotationConfiguration : IEntityTypeConfiguration<Annotation>
{
    public void Configure(EntityTypeBuilder<Annotation> b)
    {
        b.HasIndex(a => a.AssignmentId).IsUnique();
        b.HasIndex(a => new { a.ProjectId, a.CreatedAt });
        b.HasIndex(a => new { a.ItemId, a.AnnotatorId });

        // The quality recompute's catch-up: annotations revised since its watermark. (Its per-annotator median window reads
        // IX_Annotations_Project_Annotator below.)
        b.HasIndex(a => new { a.ProjectId, a.RevisedAt });

        // Counts an item's ratings (self-consistency repeats left out) from the index alone: the items grid's rating column,
        // its sort and its rated/unrated filter.
        // The tenant is in it because every query carries the tenant filter.
        // The external rater is in it for the progress page, which counts the portal's own ratings only.
        b.HasIndex(a => new { a.ItemId, a.TenantId, a.ExternalRaterId }).HasFilter("\"RepeatOf\" IS NULL").HasDatabaseName("IX_Annotations_ItemId_Rating");

        // A project's annotations by annotator, with the time on task in order for the progress page's medians: the
        // annotators page's counts and sort, and the progress page's per-annotator counts, read from the index alone.
        b.HasIndex(a => new { a.TenantId, a.ProjectId, a.AnnotatorId, a.TimeOnTaskMs, a.ExternalRaterId }).HasDatabaseName("IX_Annotations_Project_Annotator");

        // The same by day: the progress page's last 30 days.
        b.HasIndex(a => new { a.TenantId, a.ProjectId, a.CreatedAt, a.AnnotatorId, a.ExternalRaterId }).HasDatabaseName("IX_Annotations_Project_Created");

        // The progress page's whole-project median time on task: the portal's own annotations in time order, walked to the
        // middle instead of sorted. Filtered, because PostgreSQL does not take "ExternalRaterId" IS NULL on a leading column as
        // an equality that keeps the next column in order (it sorted a million rows); the external rater is still a column so
        // that SQLite, which does not count a filter's column as covered, reads the index alone.
        b.HasIndex(a => new { a.TenantId, a.ProjectId, a.TimeOnTaskMs, a.ExternalRaterId }).HasFilter("\"ExternalRaterId\" IS NULL")
            .HasDatabaseName("IX_Annotations_Project_Time");

        // The progress page's item states: each item's own annotations and ratings counted in one pass in item order. The
        // project leads, not the tenant: SQLite without statistics for this index took it, as it covers, for every per-item
        // lookup (tenant and item, no project) and walked all of the tenant's annotations each time instead of
        // IX_Annotations_ItemId_Rating's few rows. Led by the project, a query must name the project to use it.
        b.HasIndex(a => new { a.ProjectId, a.ItemId, a.TenantId, a.ExternalRaterId, a.RepeatOf }).HasDatabaseName("IX_Annotations_Project_Item");

        b.Property(a => a.IdempotencyKey).HasMaxLength(100).IsRequired();
        b.Property(a => a.Rationale).HasMaxLength(10000);
        b.Property(a => a.Comment).HasMaxLength(10000);
        b.Property(a => a.Scores).HasConversion(JsonColumns.DictionaryConverter<int>(), JsonColumns.Comparer<Dictionary<string, int>?>());
        b.Property(a => a.ScoresB).HasConversion(JsonColumns.DictionaryConverter<int>(), JsonColumns.Comparer<Dictionary<string, int>?>());
        b.Property(a => a.AttributeChoices).HasConversion(JsonColumns.DictionaryConverter<Portal.Core.Aggregation.PreferenceChoice>(),
            JsonColumns.Comparer<Dictionary<string, Portal.Core.Aggregation.PreferenceChoice>?>());
        b.HasOne<Assignment>().WithMany().HasForeignKey(a => a.AssignmentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<ExternalRater>().WithMany().HasForeignKey(a => a.ExternalRaterId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AnnotationRevisionConfiguration : IEntityTypeConfiguration<AnnotationRevision>
{
    public void Configure(EntityTypeBuilder<AnnotationRevision> b)
    {
        b.HasIndex(r => new { r.AnnotationId, r.IdempotencyKey }).IsUnique();
        b.Property(r => r.IdempotencyKey).HasMaxLength(100).IsRequired();
        b.HasOne<Annotation>().WithMany().HasForeignKey(r => r.AnnotationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectAnnotatorConfiguration : IEntityTypeConfiguration<ProjectAnnotator>
{
    public void Configure(EntityTypeBuilder<ProjectAnnotator> b)
    {
        b.HasIndex(a => new { a.ProjectId, a.AnnotatorId }).IsUnique();
        b.Property(a => a.PauseReason).HasMaxLength(500);
        b.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectNoticeConfiguration : IEntityTypeConfiguration<ProjectNotice>
{
    public void Configure(EntityTypeBuilder<ProjectNotice> b)
    {
        b.HasIndex(n => new { n.ProjectId, n.CreatedAt });
        b.Property(n => n.Message).HasMaxLength(1000).IsRequired();
        b.HasOne<Project>().WithMany().HasForeignKey(n => n.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> b)
    {
        b.Property(r => r.JobName).HasMaxLength(100).IsRequired();
        b.Property(r => r.Message).HasMaxLength(1000);
        b.Property(r => r.Node).HasMaxLength(200);
        b.HasIndex(r => new { r.TenantId, r.QueuedAt });
        b.HasIndex(r => new { r.TenantId, r.ProjectId, r.QueuedAt });
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.Property(t => t.Name).HasMaxLength(100).IsRequired();
        b.Property(t => t.TokenHash).HasMaxLength(64).IsRequired();
        b.Property(t => t.DisplayPrefix).HasMaxLength(16);
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.HasIndex(t => t.UserId);
        b.HasOne<PortalUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectMetricsConfiguration : IEntityTypeConfiguration<ProjectMetrics>
{
    public void Configure(EntityTypeBuilder<ProjectMetrics> b)
    {
        b.HasIndex(m => m.ProjectId).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CuratedLabelConfiguration : IEntityTypeConfiguration<CuratedLabel>
{
    public void Configure(EntityTypeBuilder<CuratedLabel> b)
    {
        b.HasIndex(l => l.ItemId).IsUnique();
        b.HasIndex(l => l.ProjectId);
        b.Property(l => l.Method).HasMaxLength(40).IsRequired();
        b.HasOne<Item>().WithMany().HasForeignKey(l => l.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AiLabelConfiguration : IEntityTypeConfiguration<AiLabel>
{
    public void Configure(EntityTypeBuilder<AiLabel> b)
    {
        b.HasIndex(l => l.ItemId).IsUnique();
        b.HasIndex(l => l.ProjectId);
        b.Property(l => l.Model).HasMaxLength(200).IsRequired();
        b.Property(l => l.Origin).HasMaxLength(20).IsRequired();
        b.Property(l => l.Rationale).HasMaxLength(20000);
        b.Property(l => l.CheckJson).HasMaxLength(20000);
        b.HasOne<Item>().WithMany().HasForeignKey(l => l.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RlthfRoundConfiguration : IEntityTypeConfiguration<RlthfRound>
{
    public void Configure(EntityTypeBuilder<RlthfRound> b)
    {
        b.HasIndex(r => new { r.ProjectId, r.Number }).IsUnique();
        b.Property(r => r.Strategy).HasMaxLength(20).IsRequired();
        b.Property(r => r.BudgetRequested).HasMaxLength(20).IsRequired();
        b.Property(r => r.Error).HasMaxLength(2000);
        b.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RlthfRoundItemConfiguration : IEntityTypeConfiguration<RlthfRoundItem>
{
    public void Configure(EntityTypeBuilder<RlthfRoundItem> b)
    {
        b.HasIndex(r => new { r.RoundId, r.ItemId }).IsUnique();
        b.HasIndex(r => r.ItemId);
        b.HasOne<RlthfRound>().WithMany().HasForeignKey(r => r.RoundId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Item>().WithMany().HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RewardModelVersionConfiguration : IEntityTypeConfiguration<RewardModelVersion>
{
    public void Configure(EntityTypeBuilder<RewardModelVersion> b)
    {
        b.HasIndex(m => new { m.ProjectId, m.Version }).IsUnique();
        b.HasIndex(m => m.RoundId);
        b.Property(m => m.Trainer).HasMaxLength(200).IsRequired();
        b.HasOne<RlthfRound>().WithMany().HasForeignKey(m => m.RoundId).OnDelete(DeleteBehavior.Cascade);
    }
}
