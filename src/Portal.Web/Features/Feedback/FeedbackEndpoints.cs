using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Feedback;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.App.Features.Tokens;
using Portal.Web.Api;
using Portal.Web.Features.Account;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Feedback;

internal sealed record CreateFeedbackTokenRequest(string? Name, int? ExpiresInDays = null);

internal static class FeedbackEndpoints
{
    public static RouteGroupBuilder MapFeedbackEndpoints(this RouteGroupBuilder org)
    {
        var feedback = org.MapGroup("/projects/{projectId:guid}/feedback").RequireAuthorization(Policies.ProjectAdmin);
        feedback.MapPost("/", async Task<Results<Ok<FeedbackIngestResult>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, JsonElement body, FeedbackService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.IngestAsync(orgId, projectId, FeedbackInput.Parse(body), ct) is { } result ? TypedResults.Ok(result) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName(FeedbackTokenScope.EndpointName)
            .WithSummary("Deployment feedback: one event or {events: [...]} (up to 500), idempotent per event id; personal data scrubbed, duplicates dropped. "
                + "A feedback token of the project may call this and nothing else.");
        feedback.MapGet("/summary", async Task<Results<Ok<FeedbackSummary>, NotFound>> (Guid orgId, Guid projectId, int? days, FeedbackDashboard dashboard, CancellationToken ct) =>
                await dashboard.SummaryAsync(orgId, projectId, days ?? 30, ct) is { } summary ? TypedResults.Ok(summary) : TypedResults.NotFound())
            .WithName("Feedback_Summary").WithSummary("Feedback over the last days (30 by default, up to 365) by model version: volume, satisfaction, top negative categories.");
        feedback.MapGet("/settings", async Task<Results<Ok<FeedbackSettingsDto>, NotFound>> (Guid orgId, Guid projectId, FeedbackService service, CancellationToken ct) =>
                await service.GetSettingsAsync(orgId, projectId, ct) is { } settings ? TypedResults.Ok(settings) : TypedResults.NotFound())
            .WithName("Feedback_GetSettings").WithSummary("Which event kinds become items, and the sampling rate.");
        feedback.MapPut("/settings", async Task<Results<Ok<FeedbackSettingsDto>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, FeedbackSettingsDto input, FeedbackService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.SaveSettingsAsync(orgId, projectId, input, ct) is { } saved ? TypedResults.Ok(saved) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Feedback_PutSettings").WithSummary("Sets which event kinds become items (from now on) and the sampling rate (0–1).");
        feedback.MapGet("/tokens", async Task<Results<Ok<IReadOnlyList<FeedbackTokenRow>>, NotFound>> (Guid orgId, Guid projectId, FeedbackTokenService tokens, CancellationToken ct) =>
                await tokens.ListAsync(orgId, projectId, ct) is { } list ? TypedResults.Ok(list) : TypedResults.NotFound())
            .WithName("Feedback_ListTokens").WithSummary("The project's feedback tokens (without their secrets).");
        feedback.MapPost("/tokens", async Task<Results<Created<CreatedToken>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, CreateFeedbackTokenRequest request, ClaimsPrincipal user, FeedbackTokenService tokens, CancellationToken ct) =>
            {
                try
                {
                    return await tokens.CreateAsync(orgId, projectId, user.UserId(), request.Name ?? "", request.ExpiresInDays, ct) is { } created
                        ? TypedResults.Created($"/api/v1/orgs/{orgId}/projects/{projectId}/feedback/tokens/{created.Id}", created)
                        : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .AddEndpointFilter(RequireBrowserSignIn)
            .WithName("Feedback_CreateToken").WithSummary("Mints a feedback token for this project (shown once). Only from a browser sign-in.");
        feedback.MapDelete("/tokens/{tokenId:guid}", async Task<Results<NoContent, NotFound>> (Guid orgId, Guid projectId, Guid tokenId, FeedbackTokenService tokens, CancellationToken ct) =>
                await tokens.RevokeAsync(orgId, projectId, tokenId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .AddEndpointFilter(RequireBrowserSignIn)
            .WithName("Feedback_RevokeToken").WithSummary("Revokes a feedback token of this project. Only from a browser sign-in.");
        return org;
    }

    /// <summary>As personal tokens (see TokenEndpoints): tokens are minted and revoked from a browser sign-in, never with a token.</summary>
    private static ValueTask<object?> RequireBrowserSignIn(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        ApiTokenAuthenticationHandler.TryGetBearer(context.HttpContext.Request, out _)
            ? ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Tokens cannot manage tokens",
                detail: "Feedback tokens are minted and revoked from a browser sign-in (the project's Deployment feedback page) or with `portal token create --feedback-project`."))
            : next(context);
}
