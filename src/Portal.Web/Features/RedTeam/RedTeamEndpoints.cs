using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features;
using Portal.App.Features.Projects;
using Portal.App.Features.RedTeam;
using Portal.App.Jobs;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.RedTeam;

/// <summary>Red-team runs of a project: project admins only. Keys go in and never come back out.</summary>
internal static class RedTeamEndpoints
{
    public static RouteGroupBuilder MapRedTeamEndpoints(this RouteGroupBuilder org)
    {
        var runs = org.MapGroup("/projects/{projectId:guid}/red-team/runs").RequireAuthorization(Policies.ProjectAdmin);
        runs.MapPost("", async Task<Results<Accepted<RedTeamRunView>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, RedTeamRunInput input, ClaimsPrincipal user, RedTeamService redTeam, JobLauncher launcher, CancellationToken ct) =>
            {
                try
                {
                    return await redTeam.StartAsync(orgId, projectId, user.UserId(), input, launcher, ct) is { } run
                        ? TypedResults.Accepted($"/api/v1/orgs/{orgId}/jobs/runs/{run.JobRunId}", run)
                        : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("RedTeam_Start")
            .WithSummary("Starts a red-team run (the red-team job): harm categories, seed topics, attacks per category, harm threshold, and the attacker, target, judge and rewriter endpoints.");
        runs.MapGet("", async Task<Results<Ok<IReadOnlyList<RedTeamRunView>>, NotFound>> (
                Guid orgId, Guid projectId, int? take, RedTeamService redTeam, CancellationToken ct) =>
                await redTeam.ListAsync(orgId, projectId, take ?? 20, ct) is { } list ? TypedResults.Ok(list) : TypedResults.NotFound())
            .WithName("RedTeam_List")
            .WithSummary("The project's red-team runs, newest first, each with its costs per endpoint and its report per harm category.");
        runs.MapGet("/{redTeamRunId:guid}", async Task<Results<Ok<RedTeamRunView>, NotFound>> (
                Guid orgId, Guid projectId, Guid redTeamRunId, RedTeamService redTeam, CancellationToken ct) =>
                await redTeam.GetAsync(orgId, projectId, redTeamRunId, ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound())
            .WithName("RedTeam_Get")
            .WithSummary("One red-team run: status, progress, costs per endpoint (requests, errors, tokens in and out) and the report per harm category.");
        runs.MapGet("/{redTeamRunId:guid}/attacks", async Task<Results<Ok<ListPage<RedTeamAttackView>>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, Guid redTeamRunId, int? page, int? pageSize, RedTeamService redTeam, CancellationToken ct) =>
            {
                try
                {
                    var query = ApiPaging.Read(page, pageSize, null) ?? new ListQuery();
                    return await redTeam.AttacksAsync(orgId, projectId, redTeamRunId, query, ct) is { } list ? TypedResults.Ok(list) : TypedResults.NotFound();
                }
                catch (Portal.App.Features.Organisations.PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("RedTeam_Attacks")
            .WithSummary("A page of a run's attacks in order: prompt, answer, harm score and reason, rewrite, the failure if any, and the pair it became.");
        runs.MapPost("/{redTeamRunId:guid}/stop", async Task<Results<Ok<RedTeamRunView>, NotFound>> (
                Guid orgId, Guid projectId, Guid redTeamRunId, RedTeamService redTeam, CancellationToken ct) =>
                await redTeam.StopAsync(orgId, projectId, redTeamRunId, ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound())
            .WithName("RedTeam_Stop")
            .WithSummary("Asks the run to stop: it stops before its next attack, keeps everything done before, and ends 'Stopped'.");
        runs.MapPost("/{redTeamRunId:guid}/sample", async Task<Results<Ok<RedTeamSampleResult>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, Guid redTeamRunId, RedTeamSampleInput input, RedTeamService redTeam, CancellationToken ct) =>
            {
                try
                {
                    return await redTeam.SampleAsync(orgId, projectId, redTeamRunId, input, ct) is { } sent ? TypedResults.Ok(sent) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("RedTeam_Sample")
            .WithSummary("Sends a sample of the run's pairs not sent yet to humans ({share} 0–1 or {count}, perCategory): they become annotator tasks.");
        return org;
    }
}
