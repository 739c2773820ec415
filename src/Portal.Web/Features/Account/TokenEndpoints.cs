using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Organisations;
using Portal.App.Features.Tokens;
using Portal.Web.Api;

namespace Portal.Web.Features.Account;

internal sealed record CreateTokenRequest(string Name, int? ExpiresInDays = null);

internal static class TokenEndpoints
{
    public static RouteGroupBuilder MapTokenEndpoints(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/me/tokens").RequireAuthorization();
        tokens.MapGet("/", async (ClaimsPrincipal user, ApiTokenService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(user.UserId(), ct)))
            .WithName("Tokens_List").WithSummary("Your API tokens (without their secrets).");
        tokens.MapPost("/", async Task<Results<Created<CreatedToken>, ValidationProblem>> (CreateTokenRequest request, ClaimsPrincipal user, ApiTokenService service, CancellationToken ct) =>
            {
                try
                {
                    var created = await service.CreateAsync(user.UserId(), request.Name ?? "", request.ExpiresInDays, ct);
                    return TypedResults.Created($"/api/v1/me/tokens/{created.Id}", created);
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .AddEndpointFilter(RequireBrowserSignIn)
            .WithName("Tokens_Create").WithSummary("Creates an API token; the token is in this answer only. Only from a browser sign-in.");
        tokens.MapDelete("/{tokenId:guid}", async Task<Results<NoContent, NotFound>> (Guid tokenId, ClaimsPrincipal user, ApiTokenService service, CancellationToken ct) =>
                await service.RevokeAsync(user.UserId(), tokenId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .AddEndpointFilter(RequireBrowserSignIn)
            .WithName("Tokens_Revoke").WithSummary("Revokes one of your API tokens. Only from a browser sign-in.");
        return api;
    }

    /// <summary>
    /// Tokens are created and revoked only from an interactive sign-in (the cookie), never with a token.
    /// </summary>
    /// <remarks>
    /// Guards against a leaked token making itself permanent: with token management open to tokens, a stolen
    /// 30-day token minted one that never expires and revoked itself, leaving its owner nothing to find. Chosen over
    /// "a child never outlives its parent" because it needs no token lineage in the database and leaves no path by
    /// which a token grows its own power; scripts that provision without a browser use <c>portal token create</c>.
    /// </remarks>
    private static ValueTask<object?> RequireBrowserSignIn(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        ApiTokenAuthenticationHandler.TryGetBearer(context.HttpContext.Request, out _)
            ? ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Tokens cannot manage tokens",
                detail: "API tokens are created and revoked from a browser sign-in (Account → API tokens) or with `portal token`, not with an API token."))
            : next(context);
}
