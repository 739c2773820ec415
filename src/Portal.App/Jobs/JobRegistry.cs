using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.App.Data;
using Quartz;

namespace Portal.App.Jobs;

/// <summary>Every Quartz job the portal runs, its identity and its trigger. Nothing else schedules jobs.</summary>
public static class JobRegistry
{
    public const string Group = "portal";

    /// <summary>Every minute: expired task leases go back to the pool.</summary>
    public static readonly JobKey ExpireLeases = new("expire-leases", Group);

    /// <summary>On demand: import an uploaded item file into a project.</summary>
    public static readonly JobKey ImportItems = new("import-items", Group);

    /// <summary>Every two minutes for projects with new annotations, or on demand for one: agreement, annotator quality, curated labels.</summary>
    public static readonly JobKey RecomputeQuality = new("recompute-quality", Group);

    /// <summary>On demand (or when the previous round completes, for a run of several): plan a targeted-feedback round.</summary>
    public static readonly JobKey RunRlthfRound = new("run-rlthf-round", Group);

    /// <summary>On demand: take a release's snapshot and hash its files.</summary>
    public static readonly JobKey CutRelease = new("cut-release", Group);

    /// <summary>On demand: import an uploaded AI label file into a pairwise project.</summary>
    public static readonly JobKey ImportAiLabels = new("import-ai-labels", Group);

    /// <summary>On demand: ask a project's LLM labeler about its pairwise items.</summary>
    public static readonly JobKey LabelWithLlm = new("label-with-llm", Group);

    public static IReadOnlyList<JobKey> All { get; } = [ExpireLeases, ImportItems, RecomputeQuality, RunRlthfRound, CutRelease, ImportAiLabels, LabelWithLlm];

    /// <param name="schedules">Whether the timed triggers run; off (<c>Jobs:Schedules=false</c>) only jobs started on demand run.</param>
    private static void AddJobs(IQuartzBuilder q, bool schedules)
    {
        q.AddJob<ExpireLeasesJob>(j => j.WithIdentity(ExpireLeases).StoreDurably().RequestRecovery()
            .WithDescription("Return expired task leases to the pool"));
        q.AddJob<ImportItemsJob>(j => j.WithIdentity(ImportItems).StoreDurably().RequestRecovery()
            .WithDescription("Import an uploaded item file into a project"));
        q.AddJob<RecomputeQualityJob>(j => j.WithIdentity(RecomputeQuality).StoreDurably().RequestRecovery()
            .WithDescription("Recompute agreement, annotator quality and curated labels"));
        q.AddJob<RunRlthfRoundJob>(j => j.WithIdentity(RunRlthfRound).StoreDurably().RequestRecovery()
            .WithDescription("Plan a round of the targeted human feedback loop"));
        q.AddJob<CutReleaseJob>(j => j.WithIdentity(CutRelease).StoreDurably().RequestRecovery()
            .WithDescription("Take a release's snapshot and hash its files"));
        q.AddJob<ImportAiLabelsJob>(j => j.WithIdentity(ImportAiLabels).StoreDurably().RequestRecovery()
            .WithDescription("Import an uploaded AI label file into a pairwise project"));
        q.AddJob<LabelWithLlmJob>(j => j.WithIdentity(LabelWithLlm).StoreDurably().RequestRecovery()
            .WithDescription("Label a project's pairwise items with its LLM labeler"));
        if (!schedules)
        {
            return;
        }

        q.AddTrigger<ExpireLeasesJob>(t => t.ForJob(ExpireLeases).WithIdentity("expire-leases-every-minute", Group)
            .StartNow().WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()));
        q.AddTrigger<RecomputeQualityJob>(t => t.ForJob(RecomputeQuality).WithIdentity("recompute-quality-every-2-minutes", Group)
            .StartAt(DateTimeOffset.UtcNow.AddSeconds(30)).WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(2)).RepeatForever()));
    }

    /// <summary>
    /// A process without a scheduler (the CLI, some tests): services that start jobs resolve, and starting one says plainly
    /// that jobs are off. Work such a process does itself (<c>portal rlthf round</c>) runs in the foreground instead.
    /// </summary>
    public static IServiceCollection AddJobsSwitchedOff(this IServiceCollection services)
    {
        services.AddScoped<JobLauncher>();
        services.AddSingleton<IJobScheduling>(new NoScheduler());
        return services;
    }

    /// <summary>
    /// Quartz with its persistent ADO.NET store in the portal's own database (tables provisioned by Quartz).
    /// Clustered on PostgreSQL so several portal processes share the work and recover a killed node's jobs;
    /// single-node on SQLite, which refuses clustering. <c>Jobs:Enabled=false</c> keeps the scheduler off (CLI, some tests).
    /// </summary>
    /// <param name="moreJobs">Jobs a host adds beside the registry's (the cluster test's node adds a slow one).</param>
    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder, DatabaseOptions database, Action<IQuartzBuilder>? moreJobs = null)
    {
        if (!builder.Configuration.GetValue("Jobs:Enabled", true))
        {
            builder.Services.AddJobsSwitchedOff();
            return builder;
        }

        builder.Services.AddScoped<JobLauncher>();
        builder.Services.AddSingleton<IJobScheduling, QuartzScheduling>();
        var schedulerName = builder.Configuration["Jobs:SchedulerName"] ?? "portal";
        var checkin = TimeSpan.FromSeconds(builder.Configuration.GetValue("Jobs:ClusterCheckinSeconds", 5));
        var instanceId = builder.Configuration["Jobs:InstanceId"];
        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                // The name is the cluster: every node of one portal uses the same. The id tells nodes apart.
                s.InstanceName = schedulerName;
                s.GenerateInstanceId = instanceId is null;
                if (instanceId is not null)
                {
                    s.InstanceId = instanceId;
                }
            });
            q.UsePersistentStore(s =>
            {
                if (database.Provider == DatabaseProvider.Postgres)
                {
                    s.UsePostgres(database.ConnectionString);
                    s.UseClustering(c =>
                    {
                        c.CheckinInterval = checkin;
                        c.CheckinMisfireThreshold = checkin * 2;
                    });
                }
                else
                {
                    s.UseSqlite(database.ConnectionString);
                }

                s.ProvisionSchema();
            });
            AddJobs(q, builder.Configuration.GetValue("Jobs:Schedules", true));
            moreJobs?.Invoke(q);
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }
}
