using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Organisations;
using Portal.Web.Features.Account;
using Portal.Web.Features.AiLabels;
using Portal.Web.Features.Annotate;
using Portal.Web.Features.Calibration;
using Portal.Web.Features.Feedback;
using Portal.Web.Features.Guidelines;
using Portal.Web.Features.Hybrid;
using Portal.Web.Features.Jobs;
using Portal.Web.Features.Organisations;
using Portal.Web.Features.Platform;
using Portal.Web.Features.Projects;
using Portal.Web.Features.Quality;
using Portal.Web.Features.RedTeam;
using Portal.Web.Features.Releases;
using Portal.Web.Features.Rlthf;

namespace Portal.Web.Api;

/// <summary>The REST API under <c>/api/v1</c>. Tenant-scoped routes all start with <c>/orgs/{orgId}</c>.</summary>
internal static class PortalApi
{
    public static RouteGroupBuilder MapPortalApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", Me).RequireAuthorization().WithName("Me_Get").WithSummary("The signed-in user and their organisations.");
        api.MapTokenEndpoints();
        api.MapGroup("/platform").MapPlatformEndpoints();

        var org = api.MapGroup("/orgs/{orgId:guid}");
        org.MapProjectEndpoints();
        org.MapImportEndpoints();
        org.MapProgressEndpoints();
        org.MapTaskEndpoints();
        org.MapGoldEndpoints();
        org.MapAnnotatorEndpoints();
        org.MapMemberEndpoints();
        org.MapInviteEndpoints();
        org.MapJobEndpoints();
        org.MapQualityEndpoints();
        org.MapRlthfEndpoints();
        org.MapGuidelineEndpoints();
        org.MapReleaseEndpoints();
        org.MapAiLabelEndpoints();
        org.MapCalibrationEndpoints();
        org.MapRedTeamEndpoints();
        org.MapHybridEndpoints();
        org.MapFeedbackEndpoints();
        return api;
    }

    private static async Task<Ok<MeResponse>> Me(ClaimsPrincipal user, OrganisationService organisations, CancellationToken ct)
    {
        var id = user.UserId();
        var orgs = await organisations.ListForUserAsync(id, ct);
        return TypedResults.Ok(new MeResponse(id, user.Identity?.Name ?? "", user.HasClaim(Tenancy.Policies.PlatformAdminClaim, "true"),
            [.. orgs.Select(o => new MeOrganisation(o.Id, o.Name, OrgRoleNames.Format(o.Roles)))]));
    }

    public static Guid UserId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("No signed-in user."));

    /// <summary>A 400 problem that names the field at fault.</summary>
    public static ValidationProblem Invalid(PortalValidationException ex) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] }, detail: ex.Message);

    /// <summary>A 400 problem that names every field at fault.</summary>
    public static ValidationProblem Invalid(Portal.App.Features.Projects.ValidationProblemsException ex) =>
        TypedResults.ValidationProblem(ex.ByField(), detail: ex.Message);
}

internal sealed record MeResponse(Guid Id, string UserName, bool PlatformAdmin, IReadOnlyList<MeOrganisation> Organisations);

internal sealed record MeOrganisation(Guid Id, string Name, IReadOnlyList<string> Roles);
