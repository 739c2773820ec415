using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Import;
using Portal.App.Features.Projects;
using Portal.App.Jobs;
using Portal.Web.Api;
using Portal.Web.Features.Jobs;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Projects;

internal static class ImportEndpoints
{
    public static RouteGroupBuilder MapImportEndpoints(this RouteGroupBuilder org)
    {
        org.MapPost("/projects/{projectId:guid}/items", async Task<Results<Accepted<JobStartedResponse>, NotFound>> (
                Guid orgId, Guid projectId, string? fileName, HttpRequest request, ClaimsPrincipal user,
                ProjectQueries projects, ItemImportService imports, JobLauncher launcher, CancellationToken ct) =>
            {
                if (await projects.GetAsync(orgId, projectId, ct) is null)
                {
                    return TypedResults.NotFound();
                }

                // The body is the file itself (JSONL, or CSV when the name or content type says so; .gz compressed).
                var name = fileName ?? (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true ? "items.csv" : "items.jsonl");
                var path = await imports.StoreUploadAsync(request.Body, name, ct);
                var runId = await launcher.StartForProjectAsync(JobRegistry.ImportItems, orgId, projectId, user.UserId(), new Dictionary<string, string>
                {
                    [ImportItemsJob.ProjectIdKey] = projectId.ToString(),
                    [ImportItemsJob.PathKey] = path,
                    [ImportItemsJob.FileNameKey] = name,
                }, ct);
                return TypedResults.Accepted($"/api/v1/orgs/{orgId}/jobs/runs/{runId}", new JobStartedResponse(runId, "queued"));
            })
            .RequireAuthorization(Policies.ProjectAdmin)
            .WithName("Items_Import")
            .WithSummary("Imports items from the request body (JSONL or CSV) as a background job; all or nothing, existing external ids skipped.");
        return org;
    }
}
