using System.Security.Claims;

namespace Portal.Web.Features.Feedback;

/// <summary>
/// Keeps a feedback token to the one thing it may do: <c>POST /api/v1/orgs/{its org}/projects/{its project}/feedback</c>.
/// Every other request made with it (any endpoint, page, hub or file, another project or organisation) is answered 403
/// before routing to a handler, whatever its owner could do.
/// </summary>
/// <remarks>
/// Guards against a token shipped inside a deployed assistant (where it may leak) reading or changing anything of the portal:
/// the owner's full rights would otherwise come with it. Checked in one place after authentication, so an endpoint added
/// later is refused without knowing about feedback tokens (a test walks the whole route table).
/// </remarks>
internal static class FeedbackTokenScope
{
    public const string ProjectClaim = "portal:feedback-project";
    public const string OrgClaim = "portal:feedback-org";
    public const string EndpointName = "Feedback_Post";

    public static void AddClaims(ClaimsPrincipal principal, Guid orgId, Guid projectId)
    {
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(OrgClaim, orgId.ToString()));
        identity.AddClaim(new Claim(ProjectClaim, projectId.ToString()));
    }

    public static IApplicationBuilder UseFeedbackTokenScope(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var project = context.User.FindFirstValue(ProjectClaim);
            if (project is null || Allowed(context, context.User.FindFirstValue(OrgClaim), project))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new
            {
                type = "https://tools.ietf.org/html/rfc9110#section-15.5.4",
                title = "A feedback token may only post feedback",
                status = 403,
                detail = "This token may only POST deployment feedback to its own project (…/projects/{projectId}/feedback).",
            }, options: null, contentType: "application/problem+json");
        });

    private static bool Allowed(HttpContext context, string? org, string project) =>
        HttpMethods.IsPost(context.Request.Method)
        && context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == EndpointName
        && string.Equals(context.GetRouteValue("orgId")?.ToString(), org, StringComparison.OrdinalIgnoreCase)
        && string.Equals(context.GetRouteValue("projectId")?.ToString(), project, StringComparison.OrdinalIgnoreCase);
}
