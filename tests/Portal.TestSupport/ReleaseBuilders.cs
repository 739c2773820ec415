using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Releases;
using Portal.App.Jobs;

namespace Portal.TestSupport;

public static class ReleaseBuilders
{
    /// <summary>The release service over the test database; it cannot start jobs (tests cut with <see cref="CutTestReleaseAsync"/>).</summary>
    public static ReleaseService ReleaseService(this TestDatabase db) =>
        new(db.Factory, new JobLauncher(db.Factory, new NoJobs(), TimeProvider.System, new JobProgressBoard()), TimeProvider.System);

    public static ReleaseCutter ReleaseCutter(this TestDatabase db) =>
        new(db.Factory, new ReleaseExporter(db.Factory), TimeProvider.System);

    /// <summary>Creates and cuts a release in this process (what the cut job does), and returns it as stored.</summary>
    public static async Task<Release> CutTestReleaseAsync(this TestDatabase db, Guid tenantId, Guid projectId, string name, Guid userId,
        ReleaseFilters? filters = null)
    {
        var release = await db.ReleaseService().CreateAsync(tenantId, projectId, name, filters, userId)
            ?? throw new InvalidOperationException("No such project.");
        await db.ReleaseCutter().CutAsync(tenantId, release.Id, null, CancellationToken.None);
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        return await ctx.Releases.AsNoTracking().FirstAsync(r => r.Id == release.Id);
    }

    /// <summary>The bytes of a release in a format (<c>trl-plain</c>, or <c>trl-plain-parquet</c> for its Parquet file), as the exporter writes them.</summary>
    public static async Task<byte[]> ExportTestReleaseAsync(this TestDatabase db, Guid tenantId, Release release, string format, bool keepTies = false)
    {
        using var buffer = new MemoryStream();
        if (!ReleaseFormats.TryParse(format, out var known, out var parquet))
        {
            throw new ArgumentException($"'{format}' is not a release format.", nameof(format));
        }
        await new ReleaseExporter(db.Factory).WriteAsync(tenantId, release, known, keepTies, parquet, buffer);
        return buffer.ToArray();
    }

    private sealed class NoJobs : IJobScheduling
    {
        public bool Enabled => false;

        public Task TriggerAsync(JobKey job, JobArguments args, CancellationToken ct) =>
            throw new InvalidOperationException("Tests cut releases with CutTestReleaseAsync.");
    }
}
