using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features;
using Portal.App.Features.Gold;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Projects;

internal sealed record PauseRequest(string? Reason);

/// <summary>Who may work on a project: <c>chosenOnly</c> false lets every annotator of the organisation; true only <c>annotatorIds</c>.</summary>
internal sealed record ChosenRequest(bool? ChosenOnly, List<Guid>? AnnotatorIds);

internal static class AnnotatorEndpoints
{
    public static RouteGroupBuilder MapAnnotatorEndpoints(this RouteGroupBuilder org)
    {
        var project = org.MapGroup("/projects/{projectId:guid}").RequireAuthorization(Policies.ProjectAdmin);
        project.MapGet("/annotators", async Task<Results<Ok<IReadOnlyList<AnnotatorStanding>>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, int? page, int? pageSize, string? search, HttpResponse response, ProjectAnnotatorService service,
                CancellationToken ct) =>
            {
                ListQuery? query;
                try
                {
                    query = ApiPaging.Read(page, pageSize, search);
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }

                ListPage<AnnotatorStanding>? rows;
                if (query is null)
                {
                    var all = await service.ListAsync(orgId, projectId, ct);
                    rows = all is null ? null : new ListPage<AnnotatorStanding>(all, all.Count);
                }
                else
                {
                    rows = await service.PageAsync(orgId, projectId, query, ct);
                }

                return rows is null ? TypedResults.NotFound() : ApiPaging.Answer(response, rows);
            })
            .WithName("Annotators_List")
            .WithSummary("Every annotator of the organisation with their standing in the project: tasks, annotations, gold accuracy, pause. " +
                "page, pageSize (at most 200) and search (name or e-mail) read one page, by name; the header X-Total-Count says how many match.");
        project.MapPost("/annotators/{userId:guid}/pause", async Task<Results<Ok<AnnotatorStanding>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, Guid userId, PauseRequest request, ClaimsPrincipal user, ProjectAnnotatorService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.PauseAsync(orgId, projectId, userId, request.Reason, user.UserId(), ct) is { } s ? TypedResults.Ok(s) : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Annotators_Pause").WithSummary("Stops an annotator from taking tasks in the project until reinstated; the reason is kept.");
        project.MapPost("/annotators/{userId:guid}/reinstate", async Task<Results<Ok<AnnotatorStanding>, NotFound>> (
                Guid orgId, Guid projectId, Guid userId, ProjectAnnotatorService service, CancellationToken ct) =>
                await service.ReinstateAsync(orgId, projectId, userId, ct) is { } s ? TypedResults.Ok(s) : TypedResults.NotFound())
            .WithName("Annotators_Reinstate").WithSummary("Lets a paused annotator work again; only gold answers from now on count towards the next automatic pause.");
        project.MapGet("/annotators/chosen", async Task<Results<Ok<ChosenAnnotators>, NotFound>> (
                Guid orgId, Guid projectId, ProjectAnnotatorService service, CancellationToken ct) =>
                await service.GetChosenAsync(orgId, projectId, ct) is { } chosen ? TypedResults.Ok(chosen) : TypedResults.NotFound())
            .WithName("Annotators_GetChosen").WithSummary("Whether the project takes chosen annotators only, and who is chosen.");
        project.MapPut("/annotators/chosen", async Task<Results<Ok<ChosenAnnotators>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, ChosenRequest request, ProjectAnnotatorService service, CancellationToken ct) =>
            {
                if (request.ChosenOnly is not { } chosenOnly)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["chosenOnly"] = ["Say true (chosen annotators only) or false (every annotator)."] });
                }

                try
                {
                    return await service.SetChosenAsync(orgId, projectId, chosenOnly, request.AnnotatorIds ?? [], ct) is { } chosen
                        ? TypedResults.Ok(chosen)
                        : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Annotators_SetChosen").WithSummary("Sets who may work on the project, all or nothing; an id that is not an annotator here is named by its position.");
        project.MapGet("/notices", async Task<Results<Ok<IReadOnlyList<NoticeRow>>, NotFound>> (
                Guid orgId, Guid projectId, ProjectAnnotatorService service, CancellationToken ct) =>
                await service.ListNoticesAsync(orgId, projectId, ct) is { } list ? TypedResults.Ok(list) : TypedResults.NotFound())
            .WithName("Notices_List").WithSummary("The project's notices nobody has dismissed, newest first (such as an annotator paused by the gold threshold).");
        project.MapPost("/notices/{noticeId:guid}/dismiss", async Task<Results<NoContent, NotFound>> (
                Guid orgId, Guid projectId, Guid noticeId, ProjectAnnotatorService service, CancellationToken ct) =>
                await service.DismissNoticeAsync(orgId, projectId, noticeId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("Notices_Dismiss").WithSummary("Dismisses a notice for every admin of the project.");
        return org;
    }
}
