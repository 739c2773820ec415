using System.Linq.Expressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.App.Data;

/// <summary>
/// The portal's database. Tenant-owned rows are visible only when <see cref="CurrentTenantId"/> names their
/// organisation: a context created without a tenant sees none of them (fails closed).
/// </summary>
/// <remarks>
/// Guards against one organisation's data reaching another through a forgotten <c>Where</c>. Cross-tenant work
/// (platform jobs, the CLI) must say so with <c>IgnoreQueryFilters()</c> and a context marked <see cref="IsSystem"/>.
/// </remarks>
public class PortalDbContext(DbContextOptions<PortalDbContext> options)
    : IdentityDbContext<PortalUser, IdentityRole<Guid>, Guid>(options)
{
    /// <summary>The organisation this context works for; <see cref="Guid.Empty"/> sees no tenant rows.</summary>
    public Guid CurrentTenantId { get; set; }

    /// <summary>Set by jobs and the CLI that write rows of several tenants; the save guard then only checks that each row has one.</summary>
    public bool IsSystem { get; set; }

    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Invite> Invites => Set<Invite>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Item> Items => Set<Item>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<Annotation> Annotations => Set<Annotation>();
    public DbSet<ExternalRater> ExternalRaters => Set<ExternalRater>();
    public DbSet<AnnotationRevision> AnnotationRevisions => Set<AnnotationRevision>();
    public DbSet<ProjectAnnotator> ProjectAnnotators => Set<ProjectAnnotator>();
    public DbSet<ProjectNotice> ProjectNotices => Set<ProjectNotice>();
    public DbSet<ProjectMetrics> ProjectMetrics => Set<ProjectMetrics>();
    public DbSet<CuratedLabel> CuratedLabels => Set<CuratedLabel>();
    public DbSet<QualityState> QualityStates => Set<QualityState>();
    public DbSet<QualityItemSnapshot> QualityItemSnapshots => Set<QualityItemSnapshot>();
    public DbSet<AiLabel> AiLabels => Set<AiLabel>();
    public DbSet<ImportStagedItem> ImportStagedItems => Set<ImportStagedItem>();
    public DbSet<RlthfRound> RlthfRounds => Set<RlthfRound>();
    public DbSet<RlthfRoundItem> RlthfRoundItems => Set<RlthfRoundItem>();
    public DbSet<RewardModelVersion> RewardModels => Set<RewardModelVersion>();
    public DbSet<LlmLabelerSettings> LlmLabelerSettings => Set<LlmLabelerSettings>();
    public DbSet<AiLabelError> AiLabelErrors => Set<AiLabelError>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<GuidelineVersion> GuidelineVersions => Set<GuidelineVersion>();
    public DbSet<GuidelineAcknowledgement> GuidelineAcknowledgements => Set<GuidelineAcknowledgement>();
    public DbSet<QualificationTest> QualificationTests => Set<QualificationTest>();
    public DbSet<QualificationAttempt> QualificationAttempts => Set<QualificationAttempt>();
    public DbSet<AttributeSetVersion> AttributeSetVersions => Set<AttributeSetVersion>();
    public DbSet<Release> Releases => Set<Release>();
    public DbSet<ReleaseRow> ReleaseRows => Set<ReleaseRow>();
    public DbSet<ReleaseGrant> ReleaseGrants => Set<ReleaseGrant>();
    public DbSet<DownloadLog> DownloadLogs => Set<DownloadLog>();
    public DbSet<CalibrationRound> CalibrationRounds => Set<CalibrationRound>();
    public DbSet<CalibrationRoundItem> CalibrationRoundItems => Set<CalibrationRoundItem>();
    public DbSet<CalibrationParticipant> CalibrationParticipants => Set<CalibrationParticipant>();
    public DbSet<CalibrationAnswer> CalibrationAnswers => Set<CalibrationAnswer>();
    public DbSet<RedTeamRun> RedTeamRuns => Set<RedTeamRun>();
    public DbSet<RedTeamAttack> RedTeamAttacks => Set<RedTeamAttack>();
    public DbSet<ProjectCategory> ProjectCategories => Set<ProjectCategory>();
    public DbSet<FeedbackEvent> FeedbackEvents => Set<FeedbackEvent>();
    public DbSet<FeedbackSettings> FeedbackSettings => Set<FeedbackSettings>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);

        foreach (var entity in builder.Model.GetEntityTypes())
        {
            if (typeof(ITenantOwned).IsAssignableFrom(entity.ClrType))
            {
                builder.Entity(entity.ClrType).HasQueryFilter(TenantFilter(entity.ClrType));
            }
        }

        builder.Entity<JobRun>().HasQueryFilter(r => r.TenantId == CurrentTenantId);

        if (Database.IsSqlServer())
        {
            SqlServerModel.Apply(builder);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; SQLite hands back DateTimeKind.Unspecified, which Npgsql would refuse to write.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    private LambdaExpression TenantFilter(Type type)
    {
        // e => e.TenantId == this.CurrentTenantId, built per entity type so EF parameterises the context property.
        var e = Expression.Parameter(type, "e");
        var body = Expression.Equal(
            Expression.Property(e, nameof(ITenantOwned.TenantId)),
            Expression.Property(Expression.Constant(this), nameof(CurrentTenantId)));
        return Expression.Lambda(body, e);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardTenantWrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardTenantWrites();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void GuardTenantWrites()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            if (entry.State == EntityState.Added && entry.Entity.TenantId == Guid.Empty)
            {
                entry.Entity.TenantId = CurrentTenantId;
            }

            if (entry.Entity.TenantId == Guid.Empty)
            {
                throw new InvalidOperationException($"A {entry.Entity.GetType().Name} was saved without an organisation.");
            }

            if (!IsSystem && entry.Entity.TenantId != CurrentTenantId)
            {
                throw new InvalidOperationException(
                    $"A {entry.Entity.GetType().Name} of another organisation was written through a context scoped to one organisation.");
            }
        }
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.Value.ToUniversalTime(), DateTimeKind.Utc),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}

public static class PortalDbContextFactoryExtensions
{
    /// <summary>A context that sees and writes the rows of one organisation only.</summary>
    public static PortalDbContext CreateForTenant(this IDbContextFactory<PortalDbContext> factory, Guid tenantId)
    {
        var db = factory.CreateDbContext();
        db.CurrentTenantId = tenantId;
        return db;
    }

    /// <summary>A context for platform work across organisations (jobs, CLI). Queries of tenant rows must use <c>IgnoreQueryFilters()</c>.</summary>
    public static PortalDbContext CreateSystem(this IDbContextFactory<PortalDbContext> factory)
    {
        var db = factory.CreateDbContext();
        db.IsSystem = true;
        return db;
    }
}
