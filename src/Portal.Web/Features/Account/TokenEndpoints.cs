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
            .WithName("Tokens_Create").WithSummary("Creates an API token; the token is in this answer only.");
        tokens.MapDelete("/{tokenId:guid}", async Task<Results<NoContent, NotFound>> (Guid tokenId, ClaimsPrincipal user, ApiTokenService service, CancellationToken ct) =>
                await service.RevokeAsync(user.UserId(), tokenId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("Tokens_Revoke").WithSummary("Revokes one of your API tokens.");
        return api;
    }
}
