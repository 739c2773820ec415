using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.App.Data;
using Portal.App.Features.Organisations;

namespace Portal.App.Jobs;

/// <summary>A job of the registry: its name (the runs' <see cref="JobRun.JobName"/>) and the Hangfire queue it runs on.</summary>
public sealed record JobKey(string Name, string Queue)
{
    public override string ToString() => Name;
}

/// <summary>The Hangfire queues. A node serves the ones its <c>Jobs:Queues</c> names; all of them by default.</summary>
public static class JobQueues
{
    public const string Default = "default";

    /// <summary>Reward-model training and scoring: served by the nodes that have the hardware for it.</summary>
    public const string Gpu = "gpu";

    public static IReadOnlyList<string> All { get; } = [Default, Gpu];
}

/// <summary>
/// Every job the portal runs: its name, queue, retry policy and schedule. Nothing else enqueues or schedules jobs.
/// A job's queue and retries are the attributes on its method of <see cref="PortalJobs"/>, below.
/// </summary>
public static class JobRegistry
{
    /// <summary>Every minute: expired task leases go back to the pool.</summary>
    public static readonly JobKey ExpireLeases = new("expire-leases", JobQueues.Default);

    /// <summary>On demand: import an uploaded item file into a project.</summary>
    public static readonly JobKey ImportItems = new("import-items", JobQueues.Default);

    /// <summary>Every two minutes for projects with new annotations, or on demand for one: agreement, annotator quality, curated labels.</summary>
    public static readonly JobKey RecomputeQuality = new("recompute-quality", JobQueues.Default);

    /// <summary>On demand (or when the previous round completes, for a run of several): retrain, score and select for a targeted-feedback round.</summary>
    public static readonly JobKey RunRlthfRound = new("run-rlthf-round", JobQueues.Gpu);

    /// <summary>On demand: take a release's snapshot and hash its files.</summary>
    public static readonly JobKey CutRelease = new("cut-release", JobQueues.Default);

    /// <summary>On demand: import an uploaded AI label file into a pairwise project.</summary>
    public static readonly JobKey ImportAiLabels = new("import-ai-labels", JobQueues.Default);

    /// <summary>On demand: ask a project's LLM labeler about its pairwise items.</summary>
    public static readonly JobKey LabelWithLlm = new("label-with-llm", JobQueues.Default);

    /// <summary>On demand: a red-team run of a pairwise project (attacker, target, judge, rewriter).</summary>
    public static readonly JobKey RedTeam = new("red-team", JobQueues.Default);

    public static IReadOnlyList<JobKey> All { get; } = [ExpireLeases, ImportItems, RecomputeQuality, RunRlthfRound, CutRelease, ImportAiLabels, LabelWithLlm, RedTeam];

    /// <summary>The recurring jobs, by their Hangfire id: every minute the leases, every two minutes the quality.</summary>
    internal static void Schedule(IRecurringJobManager recurring, bool schedules)
    {
        if (!schedules)
        {
            // A schedule kept in the storage from an earlier start would still fire.
            recurring.RemoveIfExists(ExpireLeases.Name);
            recurring.RemoveIfExists(RecomputeQuality.Name);
            return;
        }

        recurring.AddOrUpdate<PortalJobs>(ExpireLeases.Name,
            j => j.ExpireLeases(Guid.Empty, null, new Dictionary<string, string>(), null, CancellationToken.None), "* * * * *");
        recurring.AddOrUpdate<PortalJobs>(RecomputeQuality.Name,
            j => j.RecomputeQuality(Guid.Empty, null, new Dictionary<string, string>(), null, CancellationToken.None), "*/2 * * * *");
    }

    /// <summary>The Hangfire job that runs <paramref name="key"/> with <paramref name="args"/>.</summary>
    internal static Job JobFor(JobKey key, JobArguments args)
    {
        var (run, tenant, p) = (args.RunId, args.TenantId, args.Parameters.ToDictionary());
        return key.Name switch
        {
            "expire-leases" => Job.FromExpression<PortalJobs>(j => j.ExpireLeases(run, tenant, p, null, CancellationToken.None)),
            "import-items" => Job.FromExpression<PortalJobs>(j => j.ImportItems(run, tenant, p, null, CancellationToken.None)),
            "recompute-quality" => Job.FromExpression<PortalJobs>(j => j.RecomputeQuality(run, tenant, p, null, CancellationToken.None)),
            "run-rlthf-round" => Job.FromExpression<PortalJobs>(j => j.RunRlthfRound(run, tenant, p, null, CancellationToken.None)),
            "cut-release" => Job.FromExpression<PortalJobs>(j => j.CutRelease(run, tenant, p, null, CancellationToken.None)),
            "import-ai-labels" => Job.FromExpression<PortalJobs>(j => j.ImportAiLabels(run, tenant, p, null, CancellationToken.None)),
            "label-with-llm" => Job.FromExpression<PortalJobs>(j => j.LabelWithLlm(run, tenant, p, null, CancellationToken.None)),
            "red-team" => Job.FromExpression<PortalJobs>(j => j.RedTeam(run, tenant, p, null, CancellationToken.None)),
            _ => throw new ArgumentException($"'{key.Name}' is not a job in the registry.", nameof(key)),
        };
    }

    /// <summary>
    /// A process without a job server (the CLI, some tests): services that start jobs resolve, and starting one says plainly
    /// that jobs are off. Work such a process does itself (<c>portal rlthf round</c>) runs in the foreground instead.
    /// </summary>
    public static IServiceCollection AddJobsSwitchedOff(this IServiceCollection services)
    {
        services.AddScoped<JobLauncher>();
        services.AddSingleton<IJobScheduling>(new NoScheduler());
        return services;
    }

    /// <summary>
    /// Hangfire with its storage beside the portal's database (see <see cref="JobStorageSetup"/>) and a server for the
    /// queues this node serves. <c>Jobs:Enabled=false</c> keeps jobs off (CLI, some tests); <c>Jobs:Schedules=false</c>
    /// keeps the recurring jobs off.
    /// </summary>
    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder, DatabaseOptions database)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Configuration.GetValue("Jobs:Enabled", true))
        {
            builder.Services.AddJobsSwitchedOff();
            return builder;
        }

        var options = JobsOptions.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddScoped<JobLauncher>();
        builder.Services.AddSingleton<IJobScheduling, HangfireScheduling>();
        builder.Services.AddTransient<PortalJobs>();
        builder.Services.AddTransient<ExpireLeasesJob>();
        builder.Services.AddTransient<ImportItemsJob>();
        builder.Services.AddTransient<RecomputeQualityJob>();
        builder.Services.AddTransient<RunRlthfRoundJob>();
        builder.Services.AddTransient<CutReleaseJob>();
        builder.Services.AddTransient<ImportAiLabelsJob>();
        builder.Services.AddTransient<LabelWithLlmJob>();
        builder.Services.AddTransient<RedTeamJob>();

        var storage = new JobStorageSetup(database, options);
        builder.Services.AddSingleton(storage);
        // Named before AddHangfire, which would otherwise take both from Hangfire's process-wide statics: with several
        // hosts in one process (the web tests) a server would run jobs with another host's storage or services.
        builder.Services.AddSingleton(sp => sp.GetRequiredService<JobStorageSetup>().Storage);
        builder.Services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((sp, cfg) => cfg
            .UseLogProvider(HangfireLogBridge.For(sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(storage.Storage));

        // Hosted services start in order: the schema and the schedules are in place before the server fetches a job.
        builder.Services.AddHostedService<JobStorageStartup>();
        builder.Services.AddHangfireServer(o =>
        {
            o.ServerName = options.NodeName;
            o.Queues = [.. options.Queues];
            o.WorkerCount = options.Workers;
            o.SchedulePollingInterval = options.PollInterval;
            o.HeartbeatInterval = options.HeartbeatInterval;
            o.ServerCheckInterval = options.HeartbeatInterval;
            o.ServerTimeout = options.HeartbeatInterval * 4;
        });
        return builder;
    }
}

/// <summary>
/// The jobs as Hangfire sees them: one method per job, with its queue and its retry policy. Arguments are ids only (run,
/// organisation, project, round, release, the upload's stored path); the work is done by the job classes.
/// </summary>
/// <remarks>
/// Besides these retries, Hangfire runs a job again when the node running it died (after the storage's invisibility
/// timeout, or at the next start); every job is written to do its whole work once when run again (see each class).
/// </remarks>
public sealed class PortalJobs(IServiceProvider services)
{
    // Runs every minute anyway: the next run is the retry.
    [Queue(JobQueues.Default), AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task ExpireLeases(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct) =>
        Run<ExpireLeasesJob>(runId, tenantId, parameters, context, ct);

    // One transaction that records the run's success as it commits: a retry imports once. A wrong file is not retried.
    [Queue(JobQueues.Default), AutomaticRetry(Attempts = 3, ExceptOn = [typeof(PortalValidationException)])]
    public Task ImportItems(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct) =>
        Run<ImportItemsJob>(runId, tenantId, parameters, context, ct);

    // Recomputing overwrites what it computed before; the schedule picks up a project whose run failed two minutes later.
    [Queue(JobQueues.Default), AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    public Task RecomputeQuality(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct) =>
        Run<RecomputeQualityJob>(runId, tenantId, parameters, context, ct);

    // A failed round is marked failed with its reason for the admin, who starts the next; a retry would find it failed.
    // A round whose node died is still planning and is planned again from the start (its writes are one transaction).
    [Queue(JobQueues.Gpu), AutomaticRetry(Attempts = 0)]
    public Task RunRlthfRound(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct) =>
        Run<RunRlthfRoundJob>(runId, tenantId, parameters, context, ct);

    // A failed cut marks the release failed with its reason, and the admin cuts a new one; a cut whose node died
    // starts again from nothing (the release stays invisible to clients until it is ready).
    [Queue(JobQueues.Default), AutomaticRetry(Attempts = 0)]
    public Task CutRelease(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct) =>
        Run<CutReleaseJob>(runId, tenantId, parameters, context, ct);

    // Replaces the project's labels for the file's items in one transaction: a retry imports once. A wrong file is not retried.
    [Queue(JobQueues.Default), AutomaticRetry(Attempts = 3, ExceptOn = [typeof(PortalValidationException)])]
    public Task ImportAiLabels(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct) =>
        Run<ImportAiLabelsJob>(runId, tenantId, parameters, context, ct);

    // Paid calls: one retry, after a pause, for a provider that was down. Each chunk of answers is committed, and a retry
    // asks only about items still without a label (unless the admin asked for all). Missing settings are not retried.
    [Queue(JobQueues.Default), AutomaticRetry(Attempts = 1, DelaysInSeconds = [300], ExceptOn = [typeof(PortalValidationException)])]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task LabelWithLlm(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct) =>
        Run<LabelWithLlmJob>(runId, tenantId, parameters, context, ct);

    // Paid calls, committed attack by attack: a failed run says why and is not retried; a run whose node died is run
    // again by Hangfire and skips the attacks it already has.
    [Queue(JobQueues.Default), AutomaticRetry(Attempts = 0)]
    public Task RedTeam(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct) =>
        Run<RedTeamJob>(runId, tenantId, parameters, context, ct);

    private Task Run<TJob>(Guid runId, Guid? tenantId, Dictionary<string, string> parameters, PerformContext? context, CancellationToken ct)
        where TJob : PortalJob
    {
        // A recurring run has no run row yet: its id is kept on the Hangfire job, so a re-run after a crash finds the same row.
        if (runId == Guid.Empty && context is not null)
        {
            runId = context.GetJobParameter<Guid?>(RunIdParameter) ?? Guid.CreateVersion7();
            context.SetJobParameter(RunIdParameter, runId);
        }

        var node = context?.ServerId is { } server && server.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? server[..colon] : context?.ServerId ?? "";
        return services.GetRequiredService<TJob>().ExecuteAsync(new JobArguments(runId, tenantId, parameters), node, ct);
    }

    private const string RunIdParameter = "portal.runId";
}
