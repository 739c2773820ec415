using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Projects;

/// <summary>
/// A project's configuration as the API takes it. On create a missing overlap is 3, a missing lease 30 minutes and
/// missing settings the defaults; on update anything missing keeps its current value.
/// </summary>
internal sealed record ProjectRequest(
    string? Name,
    string? Description,
    ProjectKind? Kind,
    int? Overlap,
    int? LeaseMinutes,
    ProjectSettings? Settings);

internal static class ProjectEndpoints
{
    private static void MapLifecycle(RouteGroupBuilder projects, string action,
        Func<ProjectService, Guid, Guid, CancellationToken, Task<ProjectDetails?>> change, string name, string summary) =>
        projects.MapPost($"/{{projectId:guid}}/{action}", async Task<Results<Ok<ProjectDetails>, NotFound>> (
                Guid orgId, Guid projectId, ProjectService service, CancellationToken ct) =>
                await change(service, orgId, projectId, ct) is { } p ? TypedResults.Ok(p) : TypedResults.NotFound())
            .RequireAuthorization(Policies.ProjectAdmin)
            .WithName(name).WithSummary(summary);

    public static RouteGroupBuilder MapProjectEndpoints(this RouteGroupBuilder org)
    {
        var projects = org.MapGroup("/projects").RequireAuthorization(Policies.ProjectStaff);
        projects.MapGet("/", async (Guid orgId, bool? archived, ProjectQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.ListAsync(orgId, archived ?? false, ct)))
            .WithName("Projects_List").WithSummary("Projects of the organisation with their item counts; archived ones too with ?archived=true.");
        projects.MapGet("/{projectId:guid}", async Task<Results<Ok<ProjectDetails>, NotFound>> (Guid orgId, Guid projectId, ProjectQueries queries, CancellationToken ct) =>
                await queries.GetDetailsAsync(orgId, projectId, ct) is { } p ? TypedResults.Ok(p) : TypedResults.NotFound())
            .WithName("Projects_Get").WithSummary("One project with its settings: attributes, pairwise and gold options.");
        projects.MapPost("/", async Task<Results<Created<ProjectDetails>, ValidationProblem>> (
                Guid orgId, ProjectRequest request, ProjectService service, CancellationToken ct) =>
            {
                if (request.Kind is not { } kind)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = ["Say which kind: Likert, Pairwise or LikertAndPairwise."] });
                }

                try
                {
                    var created = await service.CreateAsync(orgId, new ProjectInput(request.Name ?? "", request.Description, kind,
                        request.Overlap ?? 3, request.LeaseMinutes ?? 30, request.Settings), ct);
                    return TypedResults.Created($"/api/v1/orgs/{orgId}/projects/{created.Id}", created);
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .RequireAuthorization(Policies.ProjectAdmin)
            .WithName("Projects_Create").WithSummary("Creates a project; its name is unique in the organisation.");
        projects.MapPut("/{projectId:guid}", async Task<Results<Ok<ProjectDetails>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, ProjectRequest request, ProjectQueries queries, ProjectService service, CancellationToken ct) =>
            {
                if (await queries.GetDetailsAsync(orgId, projectId, ct) is not { } current)
                {
                    return TypedResults.NotFound();
                }

                try
                {
                    var input = new ProjectInput(request.Name ?? current.Name, request.Description ?? current.Description, request.Kind ?? current.Kind,
                        request.Overlap ?? current.Overlap, request.LeaseMinutes ?? current.LeaseMinutes, request.Settings);
                    return await service.UpdateAsync(orgId, projectId, input, ct) is { } updated ? TypedResults.Ok(updated) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .RequireAuthorization(Policies.ProjectAdmin)
            .WithName("Projects_Update").WithSummary("Changes a project's name, kind, overlap, lease and settings; all or nothing, every problem named by its field.");
        MapLifecycle(projects, "pause", (s, o, p, ct) => s.PauseAsync(o, p, ct),
            "Projects_Pause", "Pauses the whole project: no annotator gets a new task; tasks already held may still be answered.");
        MapLifecycle(projects, "resume", (s, o, p, ct) => s.ResumeAsync(o, p, ct),
            "Projects_Resume", "Resumes a paused project.");
        MapLifecycle(projects, "archive", (s, o, p, ct) => s.ArchiveAsync(o, p, ct),
            "Projects_Archive", "Archives the project: hidden from annotators and the default list, read-only; releases stay downloadable.");
        MapLifecycle(projects, "unarchive", (s, o, p, ct) => s.UnarchiveAsync(o, p, ct),
            "Projects_Unarchive", "Brings an archived project back as it was.");
        return org;
    }
}
