using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Projects;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Projects;

internal static class ProjectEndpoints
{
    public static RouteGroupBuilder MapProjectEndpoints(this RouteGroupBuilder org)
    {
        var projects = org.MapGroup("/projects").RequireAuthorization(Policies.ProjectStaff);
        projects.MapGet("/", async (Guid orgId, ProjectQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.ListAsync(orgId, ct)))
            .WithName("Projects_List").WithSummary("Projects of the organisation with their item counts.");
        projects.MapGet("/{projectId:guid}", async Task<Results<Ok<ProjectSummary>, NotFound>> (Guid orgId, Guid projectId, ProjectQueries queries, CancellationToken ct) =>
                await queries.GetAsync(orgId, projectId, ct) is { } p ? TypedResults.Ok(p) : TypedResults.NotFound())
            .WithName("Projects_Get").WithSummary("One project.");
        return org;
    }
}
