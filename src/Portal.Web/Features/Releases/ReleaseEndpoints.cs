using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Organisations;
using Portal.App.Features.Releases;
using Portal.Web.Api;
using Portal.Web.Features.Jobs;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Releases;

internal sealed record CutReleaseRequest(string? Name, ReleaseFilters? Filters);

internal sealed record ReleaseStartedResponse(Guid ReleaseId, Guid RunId, string Status);

internal static class ReleaseEndpoints
{
    public static RouteGroupBuilder MapReleaseEndpoints(this RouteGroupBuilder org)
    {
        var admin = org.MapGroup("/projects/{projectId:guid}/releases").RequireAuthorization(Policies.ProjectAdmin);
        admin.MapGet("/", async Task<Results<Ok<IReadOnlyList<ReleaseSummary>>, NotFound>> (Guid orgId, Guid projectId, ReleaseService releases, CancellationToken ct) =>
                await releases.ListAsync(orgId, projectId, ct) is { } list ? TypedResults.Ok(list) : TypedResults.NotFound())
            .WithName("Releases_ListForProject").WithSummary("The project's releases, newest first, with their status and counts.");
        admin.MapPost("/", async Task<Results<Accepted<ReleaseStartedResponse>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, CutReleaseRequest request, ClaimsPrincipal user, ReleaseService releases, CancellationToken ct) =>
            {
                try
                {
                    return await releases.StartCutAsync(orgId, projectId, request.Name, request.Filters, user.UserId(), ct) is { } started
                        ? TypedResults.Accepted($"/api/v1/orgs/{orgId}/jobs/runs/{started.RunId}", new ReleaseStartedResponse(started.ReleaseId, started.RunId, "queued"))
                        : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Releases_Cut")
            .WithSummary("Cuts a release with a name and filters, as a background job (follow the run at the Location); it is immutable once ready.");
        admin.MapGet("/{releaseId:guid}", async Task<Results<Ok<ReleaseDetail>, NotFound>> (Guid orgId, Guid projectId, Guid releaseId, ReleaseService releases, CancellationToken ct) =>
                await releases.GetAsync(orgId, projectId, releaseId, ct) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound())
            .WithName("Releases_Get").WithSummary("A release: counts, filters, files with their SHA-256, the diff against the previous release, grants and downloads.");
        admin.MapPut("/{releaseId:guid}/grants/{clientId:guid}", async Task<Results<NoContent, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, Guid releaseId, Guid clientId, ClaimsPrincipal user, ReleaseService releases, CancellationToken ct) =>
            {
                try
                {
                    return await releases.GrantAsync(orgId, projectId, releaseId, clientId, user.UserId(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Releases_Grant").WithSummary("Lets a client user of the organisation see and download the release.");
        admin.MapDelete("/{releaseId:guid}/grants/{clientId:guid}", async Task<Results<NoContent, NotFound>> (
                Guid orgId, Guid projectId, Guid releaseId, Guid clientId, ReleaseService releases, CancellationToken ct) =>
                await releases.RevokeAsync(orgId, projectId, releaseId, clientId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("Releases_Revoke").WithSummary("Takes the release away from a client user.");

        var client = org.MapGroup("/releases").RequireAuthorization(Policies.ReleaseReader);
        client.MapGet("/", async (Guid orgId, ClaimsPrincipal user, ReleaseService releases, CancellationToken ct) =>
                TypedResults.Ok(await releases.ListForUserAsync(orgId, user.UserId(), ct)))
            .WithName("Releases_List").WithSummary("The ready releases you may download: those granted to you (clients), or all (admins).");
        client.MapGet("/{releaseId:guid}", async Task<Results<Ok<ClientRelease>, NotFound>> (Guid orgId, Guid releaseId, ClaimsPrincipal user, ReleaseService releases, CancellationToken ct) =>
                await releases.GetForUserAsync(orgId, user.UserId(), releaseId, ct) is { } release ? TypedResults.Ok(release) : TypedResults.NotFound())
            .WithName("Releases_GetGranted").WithSummary("A release you may download: its card, counts and files.");
        client.MapGet("/{releaseId:guid}/download", ReleaseDownload.HandleAsync)
            .WithName("Releases_Download")
            .WithSummary("Streams the release in a format (?format=trl-plain (the default for pairwise; likert-items-jsonl for Likert), trl-messages, hh-rlhf, likert-…, each with -parquet for its Apache Parquet file, card; ?ties=keep), gzipped on request "
                + "(Accept-Encoding: gzip or ?gzip=true), resumable with Range; the ETag is the file's SHA-256.");
        return org;
    }
}
