using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
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
        jobs.MapGet("/runs", async Task<Results<Ok<IReadOnlyList<JobRunView>>, NotFound, ValidationProblem>> (
                Guid orgId, Guid? projectId, int? page, int? pageSize, string? search, HttpResponse response, JobLauncher launcher,
                ProjectQueries projects, CancellationToken ct) =>
            {
                ListQuery query;
                try
                {
                    query = ApiPaging.Read(page, pageSize, search) ?? new ListQuery(0, 100);
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }

                if (projectId is { } id && !await projects.ExistsAsync(orgId, id, ct))
                {
                    return TypedResults.NotFound();
                }

                return ApiPaging.Answer(response, await launcher.PageAsync(orgId, projectId, query, ct));
            })
            .WithName("JobRuns_List")
            .WithSummary("Job runs of the organisation with their progress, newest first; projectId for one project's runs. page, pageSize " +
                "(at most 200) and search (job, message, error) read one page; the header X-Total-Count says how many runs match. " +
                "Without page, pageSize and search: the newest 100.");
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
