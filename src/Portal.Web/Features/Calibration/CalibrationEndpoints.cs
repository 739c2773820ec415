using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Calibration;
using Portal.App.Features.Gold;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Calibration;

/// <summary>A new round: a title, the item ids in the order shown, and explanations by item id (optional, editable later).</summary>
internal sealed record OpenCalibrationRequest(string? Title, List<Guid>? ItemIds, Dictionary<Guid, string>? Explanations);

internal sealed record ExplanationRequest(string? Explanation);

/// <summary>An answer in the item's terms: a choice A, B, Tie or BothBad (pairwise), scores of response A by attribute key (Likert), and why.</summary>
internal sealed record CalibrationAnswerRequest(PreferenceChoice? Choice, Dictionary<string, int>? Scores, string? Rationale);

internal static class CalibrationEndpoints
{
    public static RouteGroupBuilder MapCalibrationEndpoints(this RouteGroupBuilder org)
    {
        var admin = org.MapGroup("/projects/{projectId:guid}/calibration").RequireAuthorization(Policies.ProjectAdmin);
        admin.MapGet("/", async Task<Results<Ok<IReadOnlyList<CalibrationRoundView>>, NotFound>> (Guid orgId, Guid projectId, CalibrationService service, CancellationToken ct) =>
                await service.ListAsync(orgId, projectId, ct) is { } rounds ? TypedResults.Ok(rounds) : TypedResults.NotFound())
            .WithName("Calibration_List").WithSummary("The project's calibration rounds, newest first, with how many answers are in.");
        admin.MapPost("/", async Task<Results<Created<CalibrationRoundView>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, OpenCalibrationRequest request, ClaimsPrincipal user, CalibrationService service, CancellationToken ct) =>
            {
                try
                {
                    var input = new OpenCalibrationInput(request.Title, request.ItemIds, request.Explanations);
                    return await service.OpenAsync(orgId, projectId, user.UserId(), input, ct) is { } round
                        ? TypedResults.Created($"/api/v1/orgs/{orgId}/projects/{projectId}/calibration/{round.Number}", round)
                        : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Calibration_Open").WithSummary("Opens a round on the given items; every annotator not paused in the project takes part.");
        admin.MapGet("/{number:int}", async Task<Results<Ok<CalibrationReport>, NotFound>> (Guid orgId, Guid projectId, int number, CalibrationService service, CancellationToken ct) =>
                await service.ReportAsync(orgId, projectId, number, ct) is { } report ? TypedResults.Ok(report) : TypedResults.NotFound())
            .WithName("Calibration_Report").WithSummary("Every answer with its author, the consensus and disagreement per item and per annotator, and Krippendorff's alpha.");
        admin.MapPut("/{number:int}/items/{itemId:guid}/explanation", async Task<Results<NoContent, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, int number, Guid itemId, ExplanationRequest request, CalibrationService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.SetExplanationAsync(orgId, projectId, number, itemId, request.Explanation, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Calibration_Explain").WithSummary("Sets the explanation (Markdown) participants read next to the group's answers once the round closes.");
        admin.MapPost("/{number:int}/close", async Task<Results<Ok<CalibrationRoundView>, NotFound, ProblemHttpResult>> (
                Guid orgId, Guid projectId, int number, ClaimsPrincipal user, CalibrationService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.CloseAsync(orgId, projectId, number, user.UserId(), ct) is { } round ? TypedResults.Ok(round) : TypedResults.NotFound();
                }
                catch (CalibrationConflictException ex)
                {
                    return Conflict(ex.Message);
                }
            })
            .WithName("Calibration_Close").WithSummary("Closes the round: answers become final and participants see the feedback.");
        admin.MapPost("/{number:int}/items/{itemId:guid}/promote", async Task<Results<Ok<ItemRow>, NotFound, ValidationProblem, ProblemHttpResult>> (
                Guid orgId, Guid projectId, int number, Guid itemId, CalibrationService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.PromoteAsync(orgId, projectId, number, itemId, ct) is { } row ? TypedResults.Ok(row) : TypedResults.NotFound();
                }
                catch (CalibrationConflictException ex)
                {
                    return Conflict(ex.Message);
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Calibration_Promote").WithSummary("Makes a calibrated item gold: the consensus is the expected answer, the explanation its reason.");

        var annotator = org.MapGroup("").RequireAuthorization(Policies.Annotator);
        annotator.MapGet("/annotator/calibration", async Task<Ok<IReadOnlyList<MyCalibrationRound>>> (Guid orgId, ClaimsPrincipal user, CalibrationService service, CancellationToken ct) =>
                TypedResults.Ok(await service.MineAsync(orgId, user.UserId(), ct)))
            .WithName("Calibration_Mine").WithSummary("Your calibration rounds in the organisation, open ones first, with how many items you answered.");
        annotator.MapGet("/projects/{projectId:guid}/calibration/{number:int}/sheet", async Task<Results<Ok<CalibrationSheet>, NotFound>> (
                Guid orgId, Guid projectId, int number, ClaimsPrincipal user, CalibrationService service, CancellationToken ct) =>
                await service.SheetAsync(orgId, projectId, number, user.UserId(), ct) is { } sheet ? TypedResults.Ok(sheet) : TypedResults.NotFound())
            .WithName("Calibration_Sheet").WithSummary("The round's items with your answers; once it is closed, the group's answers, the consensus and the explanations too.");
        annotator.MapPut("/projects/{projectId:guid}/calibration/{number:int}/answers/{itemId:guid}", async Task<Results<Ok<MyCalibrationAnswer>, NotFound, ValidationProblem, ProblemHttpResult>> (
                Guid orgId, Guid projectId, int number, Guid itemId, CalibrationAnswerRequest request, ClaimsPrincipal user, CalibrationService service, CancellationToken ct) =>
            {
                try
                {
                    var input = new CalibrationAnswerInput(request.Choice, request.Scores, request.Rationale);
                    return await service.AnswerAsync(orgId, projectId, number, user.UserId(), itemId, input, ct) is { } answer
                        ? TypedResults.Ok(answer)
                        : TypedResults.NotFound();
                }
                catch (CalibrationConflictException ex)
                {
                    return Conflict(ex.Message);
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Calibration_Answer").WithSummary("Stores or replaces your answer to one item while the round is open; the same answer twice changes nothing.");
        return org;
    }

    private static ProblemHttpResult Conflict(string message) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The calibration round does not allow this now", detail: message);
}
