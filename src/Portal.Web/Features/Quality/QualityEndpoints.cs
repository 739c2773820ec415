using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Projects;
using Portal.App.Features.Quality;
using Portal.App.Jobs;
using Portal.Web.Api;
using Portal.Web.Features.Jobs;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Quality;

/// <summary>The project's quality report; <see cref="Report"/> is null until the recompute job has run once.</summary>
internal sealed record QualityResponse(Guid ProjectId, QualityReport? Report);

internal static class QualityEndpoints
{
    public static RouteGroupBuilder MapQualityEndpoints(this RouteGroupBuilder org)
    {
        var quality = org.MapGroup("/projects/{projectId:guid}/quality").RequireAuthorization(Policies.ProjectAdmin);
        quality.MapGet("/", async Task<Results<Ok<QualityResponse>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, int? guidelineVersion, int? attributeVersion, QualityService service, CancellationToken ct) =>
            {
                if (guidelineVersion is not null && attributeVersion is not null)
                {
                    return PortalApi.Invalid(new Portal.App.Features.Organisations.PortalValidationException("attributeVersion",
                        "Slice by guideline version or by attribute version, not both at once."));
                }

                if (attributeVersion is { } attributes)
                {
                    return await service.ForAttributeVersionAsync(orgId, projectId, attributes, ct) is { } asRated
                        ? TypedResults.Ok(new QualityResponse(projectId, asRated))
                        : TypedResults.NotFound();
                }

                if (guidelineVersion is { } version)
                {
                    return await service.ForGuidelineVersionAsync(orgId, projectId, version, ct) is { } sliced
                        ? TypedResults.Ok(new QualityResponse(projectId, sliced))
                        : TypedResults.NotFound();
                }

                return await service.GetAsync(orgId, projectId, ct) is (true, var report) ? TypedResults.Ok(new QualityResponse(projectId, report)) : TypedResults.NotFound();
            })
            .WithName("Quality_Get")
            .WithSummary("Agreement per attribute and over time, annotator-pair kappas and annotator quality signals, as last computed; "
                + "?guidelineVersion=N computes them now over the annotations (and gold answers) made under that guideline version only; "
                + "?attributeVersion=N over those made under that attribute-set version, read on its own keys and scales (404 for an unknown version).");
        quality.MapPost("/recompute", async Task<Results<Accepted<JobStartedResponse>, NotFound>> (
                Guid orgId, Guid projectId, ClaimsPrincipal user, ProjectQueries projects, JobLauncher launcher, CancellationToken ct) =>
            {
                if (await projects.GetAsync(orgId, projectId, ct) is null)
                {
                    return TypedResults.NotFound();
                }

                var runId = await launcher.StartForProjectAsync(JobRegistry.RecomputeQuality, orgId, projectId, user.UserId(),
                    new Dictionary<string, string> { [RecomputeQualityJob.ProjectIdKey] = projectId.ToString() }, ct);
                return TypedResults.Accepted($"/api/v1/orgs/{orgId}/jobs/runs/{runId}", new JobStartedResponse(runId, "queued"));
            })
            .WithName("Quality_Recompute")
            .WithSummary("Recomputes the project's agreement, annotator quality and curated labels now, as a background job.");
        org.MapGet("/projects/{projectId:guid}/annotators/{userId:guid}/quality", async Task<Results<Ok<AnnotatorQualityView>, NotFound>> (
                Guid orgId, Guid projectId, Guid userId, QualityService service, CancellationToken ct) =>
                await service.AnnotatorAsync(orgId, projectId, userId, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound())
            .RequireAuthorization(Policies.ProjectAdmin)
            .WithName("Quality_GetAnnotator")
            .WithSummary("One annotator's quality signals from the project's last report (quality is null until a report counted their annotations).");
        return org;
    }
}
