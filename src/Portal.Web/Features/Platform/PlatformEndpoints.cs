using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Platform;

internal sealed record CreateOrganisationRequest(string Name);

internal sealed record OrganisationResponse(Guid Id, string Name, DateTime CreatedAt);

internal static class PlatformEndpoints
{
    public static RouteGroupBuilder MapPlatformEndpoints(this RouteGroupBuilder platform)
    {
        platform.RequireAuthorization(Policies.PlatformAdmin);
        platform.MapGet("/organisations", async (OrganisationService organisations, CancellationToken ct) =>
                TypedResults.Ok((await organisations.ListOrganisationsAsync(ct)).Select(o => new OrganisationResponse(o.Id, o.Name, o.CreatedAt))))
            .WithName("Organisations_List").WithSummary("Every organisation (platform admins only).");
        platform.MapPost("/organisations", async Task<Results<Created<OrganisationResponse>, ValidationProblem>> (
                CreateOrganisationRequest request, OrganisationService organisations, CancellationToken ct) =>
            {
                try
                {
                    var org = await organisations.CreateOrganisationAsync(request.Name ?? "", ct);
                    return TypedResults.Created($"/api/v1/platform/organisations/{org.Id}", new OrganisationResponse(org.Id, org.Name, org.CreatedAt));
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Organisations_Create").WithSummary("Creates an organisation (platform admins only).");
        platform.MapGet("/jobs/runs", async (JobLauncher launcher, CancellationToken ct) => TypedResults.Ok(await launcher.ListAsync(null, 100, ct)))
            .WithName("PlatformJobRuns_List").WithSummary("Recent platform-wide job runs.");
        platform.MapMemoryDiagnostics();
        return platform;
    }
}
