using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Jobs;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Jobs;

internal sealed record JobStartedResponse(Guid RunId, string Status);

internal static class JobEndpoints
{
    public static RouteGroupBuilder MapJobEndpoints(this RouteGroupBuilder org)
    {
        // Project admins follow the runs they start (imports); only organisation admins run housekeeping by hand.
        var jobs = org.MapGroup("/jobs").RequireAuthorization(Policies.ProjectAdmin);
        jobs.MapGet("/runs", async (Guid orgId, JobLauncher launcher, CancellationToken ct) => TypedResults.Ok(await launcher.ListAsync(orgId, 100, ct)))
            .WithName("JobRuns_List").WithSummary("Recent job runs of the organisation with their progress.");
        jobs.MapGet("/runs/{runId:guid}", async Task<Results<Ok<JobRunView>, NotFound>> (Guid orgId, Guid runId, JobLauncher launcher, CancellationToken ct) =>
                await launcher.GetAsync(orgId, runId, ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound())
            .WithName("JobRuns_Get").WithSummary("One job run.");
        jobs.MapPost("/expire-leases", async (Guid orgId, ClaimsPrincipal user, JobLauncher launcher, CancellationToken ct) =>
            {
                var runId = await launcher.StartAsync(JobRegistry.ExpireLeases, orgId, user.UserId(), ct: ct);
                return TypedResults.Accepted($"/api/v1/orgs/{orgId}/jobs/runs/{runId}", new JobStartedResponse(runId, "queued"));
            })
            .RequireAuthorization(Policies.OrgAdmin)
            .WithName("Jobs_ExpireLeases").WithSummary("Returns this organisation's expired task leases to the pool now.");
        return org;
    }
}
