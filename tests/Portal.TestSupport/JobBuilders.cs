using Hangfire;
using Microsoft.Extensions.Configuration;
using Portal.App.Jobs;

namespace Portal.TestSupport;

public static class JobBuilders
{
    /// <summary>
    /// A launcher in the test process that enqueues into the test database's Hangfire storage, for job servers in other
    /// processes (or another host) to run. No server runs here.
    /// </summary>
    public static JobLauncher HangfireLauncher(this TestDatabase db)
    {
        GlobalConfiguration.Configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings();
        var setup = new JobStorageSetup(db.Options, JobsOptions.FromConfiguration(new ConfigurationBuilder().Build()));
        setup.InstallAsync(CancellationToken.None).GetAwaiter().GetResult();
        return new JobLauncher(db.Factory, new HangfireScheduling(new BackgroundJobClient(setup.Storage)), TimeProvider.System, new JobProgressBoard());
    }
}
