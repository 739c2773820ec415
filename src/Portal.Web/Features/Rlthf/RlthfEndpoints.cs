using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Organisations;
using Portal.App.Features.Rlthf;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Rlthf;

internal sealed record RoundStartedResponse(int Number, string Status);

/// <summary>The targeted human feedback loop of a pairwise project: rounds, their curves and what they sent to humans.</summary>
internal static class RlthfEndpoints
{
    public static RouteGroupBuilder MapRlthfEndpoints(this RouteGroupBuilder org)
    {
        var loop = org.MapGroup("/projects/{projectId:guid}/rlthf").RequireAuthorization(Policies.ProjectAdmin);
        loop.MapGet("/", async Task<Results<Ok<LoopView>, NotFound>> (Guid orgId, Guid projectId, RlthfService service, CancellationToken ct) =>
                await service.LoopAsync(orgId, projectId, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound())
            .WithName("Rlthf_Get")
            .WithSummary("The loop's pairs, AI and human labels, whether a round can start, and every round, newest first.");
        loop.MapPost("/rounds", async Task<Results<Accepted<RoundStartedResponse>, ValidationProblem, NotFound>> (
                Guid orgId, Guid projectId, StartRoundInput input, ClaimsPrincipal user, RlthfService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.StartAsync(orgId, projectId, user.UserId(), input, ct: ct) is { } number
                        ? TypedResults.Accepted($"/api/v1/orgs/{orgId}/projects/{projectId}/rlthf/rounds/{number}", new RoundStartedResponse(number, "planning"))
                        : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Rlthf_StartRound")
            .WithSummary("Starts a round (budget \"50\" or \"7%\", strategy rlthf|random|uncertainty, overlap, amplificationRatio, backOffRatio, autoFlip, autoRounds) as a background job.");
        loop.MapGet("/rounds/{number:int}", async Task<Results<Ok<RoundView>, NotFound>> (Guid orgId, Guid projectId, int number, RlthfService service, CancellationToken ct) =>
                await service.RoundAsync(orgId, projectId, number, ct) is { } round ? TypedResults.Ok(round) : TypedResults.NotFound())
            .WithName("Rlthf_GetRound")
            .WithSummary("One round: status and job progress, the sorted-margin curve with knee, elbow and mirror, selection, answers, overturns and the reward model.");
        loop.MapGet("/rounds/{number:int}/items", async Task<Results<Ok<IReadOnlyList<RoundItemView>>, NotFound>> (
                Guid orgId, Guid projectId, int number, int? take, RlthfService service, CancellationToken ct) =>
                await service.SelectedAsync(orgId, projectId, number, take ?? 500, ct) is { } items ? TypedResults.Ok(items) : TypedResults.NotFound())
            .WithName("Rlthf_GetRoundItems")
            .WithSummary("The items a round sent to humans, most suspicious first, with their margin, AI label and human answer.");
        loop.MapPost("/rounds/{number:int}/close", async Task<Results<NoContent, ValidationProblem, NotFound>> (
                Guid orgId, Guid projectId, int number, RlthfService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.CloseAsync(orgId, projectId, number, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Rlthf_CloseRound")
            .WithSummary("Ends a round that is waiting for humans with the answers it has; unanswered items leave the queue.");
        return org;
    }
}
