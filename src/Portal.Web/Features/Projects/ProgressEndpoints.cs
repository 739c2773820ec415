using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Projects;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Projects;

internal static class ProgressEndpoints
{
    public static RouteGroupBuilder MapProgressEndpoints(this RouteGroupBuilder org)
    {
        org.MapGet("/projects/{projectId:guid}/progress", async Task<Results<Ok<ProjectProgress>, NotFound>> (
                Guid orgId, Guid projectId, ProjectProgressQuery progress, CancellationToken ct) =>
                await progress.GetAsync(orgId, projectId, ct) is { } p ? TypedResults.Ok(p) : TypedResults.NotFound())
            .RequireAuthorization(Policies.ProjectAdmin)
            .WithName("Projects_Progress")
            .WithSummary("Where the project stands: items fully rated, in progress, untouched; annotations per annotator per day; median time per task; skips and flags.");
        return org;
    }
}
