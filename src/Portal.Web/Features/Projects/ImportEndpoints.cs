using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
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
        org.MapPost("/projects/{projectId:guid}/items", async Task<Results<Accepted<JobStartedResponse>, NotFound, ValidationProblem, ProblemHttpResult>> (
                Guid orgId, Guid projectId, string? fileName, string? format, string? labels, string? source, string? attributes, HttpRequest request, ClaimsPrincipal user,
                ProjectQueries projects, ItemImportService imports, UploadLimits limits, JobLauncher launcher, CancellationToken ct) =>
            {
                if (await projects.GetAsync(orgId, projectId, ct) is not { } project)
                {
                    return TypedResults.NotFound();
                }

                if (project.ArchivedAt is not null)
                {
                    return PortalApi.Invalid(new PortalValidationException("project", ProjectService.ArchivedMessage));
                }

                ImportOptions options;
                try
                {
                    options = ImportOptions.Parse(format, labels, source, attributes);
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }

                if (ApiErrors.CheckFileName(fileName) is { } badName)
                {
                    return PortalApi.Invalid(badName);
                }

                if (ApiErrors.CheckUploadSize(request, limits.MaxUploadBytes) is { } tooLarge)
                {
                    return tooLarge;
                }

                // The body is the file itself (JSONL, or CSV when the name or content type says so; .gz compressed; Parquet).
                var name = fileName ?? (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true ? "items.csv" : "items.jsonl");
                string path;
                try
                {
                    path = await imports.StoreUploadAsync(request.Body, name, ct);
                }
                catch (UploadTooLargeException ex)
                {
                    return ApiErrors.TooLarge(ex.Limit);
                }

                var args = new Dictionary<string, string>
                {
                    [ImportItemsJob.ProjectIdKey] = projectId.ToString(),
                    [ImportItemsJob.PathKey] = path,
                    [ImportItemsJob.FileNameKey] = name,
                };
                ImportItemsJob.AddOptions(args, options);
                var runId = await launcher.StartForProjectAsync(JobRegistry.ImportItems, orgId, projectId, user.UserId(), args, ct);
                return TypedResults.Accepted($"/api/v1/orgs/{orgId}/jobs/runs/{runId}", new JobStartedResponse(runId, "queued"));
            })
            .RequireAuthorization(Policies.ProjectAdmin)
            .WithName("Items_Import")
            .WithSummary("Imports items from the request body (JSONL, CSV or Parquet) as a background job; all or nothing, existing external ids skipped; "
                + "413 over Limits:UploadBytes. ?format= forces a pair file's shape (else detected from the first record); ?labels=ai stores the file's "
                + "labels as AI labels, ?labels=external as annotations of external raters (default ignore), named by ?source=; "
                + "?attributes=helpsteer2 gives a Likert project HelpSteer2's five attributes for a HelpSteer2 file.");
        return org;
    }
}
