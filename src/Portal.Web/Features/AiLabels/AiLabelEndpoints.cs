using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.AiLabels;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.App.Jobs;
using Portal.Core.Common;
using Portal.Web.Api;
using Portal.Web.Features.Jobs;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.AiLabels;

/// <summary>An answer of the LLM labeler that did not become a label.</summary>
internal sealed record AiLabelErrorResponse(Guid ItemId, string Model, int PromptVersion, string Error, string? Answer, DateTime CreatedAt);

/// <summary>AI labels and the LLM labeler of a project: project admins only; nothing here is on an annotator's path.</summary>
internal static class AiLabelEndpoints
{
    public static RouteGroupBuilder MapAiLabelEndpoints(this RouteGroupBuilder org)
    {
        var project = org.MapGroup("/projects/{projectId:guid}").RequireAuthorization(Policies.ProjectAdmin);
        project.MapPost("/ai-labels", async Task<Results<Ok<AiLabelImportResult>, NotFound, ValidationProblem, ProblemHttpResult>> (
                Guid orgId, Guid projectId, HttpRequest request, ProjectQueries projects, AiLabelService labels, UploadLimits limits, CancellationToken ct) =>
            {
                if (await projects.GetAsync(orgId, projectId, ct) is null)
                {
                    return TypedResults.NotFound();
                }

                if (ApiErrors.CheckUploadSize(request, limits.MaxUploadBytes) is { } tooLarge)
                {
                    return tooLarge;
                }

                // The body is the JSONL file itself. Read through once to check it all, then written in one transaction.
                var input = limits.Input;
                using var reader = BoundedInput.OpenText(request.Body, gzip: false,
                    input with { MaxDecompressedBytes = Math.Min(input.MaxDecompressedBytes, limits.MaxUploadBytes) });
                try
                {
                    return TypedResults.Ok(await labels.ImportAsync(orgId, projectId, reader, "the request body", NoProgress.Instance, null, ct));
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("AiLabels_Import")
            .WithSummary("Imports AI labels from the JSONL body ({item, choice, confidence, model, rationale} a line); all or nothing; replaces earlier labels of the same items.");
        project.MapGet("/ai-labels", async Task<Results<Ok<AiLabelPage>, NotFound>> (
                Guid orgId, Guid projectId, int? skip, int? take, AiLabelService labels, CancellationToken ct) =>
                await labels.ListAsync(orgId, projectId, skip ?? 0, take ?? 50, ct) is { } page ? TypedResults.Ok(page) : TypedResults.NotFound())
            .WithName("AiLabels_List")
            .WithSummary($"A page of the project's AI labels, newest first, each with the item's human curated label (take at most {AiLabelService.MaxTake}).");
        project.MapGet("/ai-labels/errors", async Task<Results<Ok<List<AiLabelErrorResponse>>, NotFound>> (
                Guid orgId, Guid projectId, int? take, AiLabelService labels, CancellationToken ct) =>
                await labels.ErrorsAsync(orgId, projectId, take ?? 50, ct) is { } errors
                    ? TypedResults.Ok(errors.Select(e => new AiLabelErrorResponse(e.ItemId, e.Model, e.PromptVersion, e.Error, e.Answer, e.CreatedAt)).ToList())
                    : TypedResults.NotFound())
            .WithName("AiLabels_Errors")
            .WithSummary("The newest LLM answers that could not be read as labels, or requests that failed, with the reason.");
        project.MapGet("/llm-labeler", async Task<Results<Ok<LlmSettingsView>, NotFound>> (
                Guid orgId, Guid projectId, LlmLabelerService labeler, CancellationToken ct) =>
                await labeler.GetSettingsAsync(orgId, projectId, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound())
            .WithName("LlmLabeler_Get")
            .WithSummary("The project's LLM labeler settings; the API key is never returned, only whether one is set.");
        project.MapPut("/llm-labeler", async Task<Results<Ok<LlmSettingsView>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, LlmSettingsInput input, LlmLabelerService labeler, CancellationToken ct) =>
            {
                try
                {
                    return await labeler.SaveSettingsAsync(orgId, projectId, input, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("LlmLabeler_Save")
            .WithSummary("Saves the LLM labeler settings; apiKey null keeps the stored key, \"\" removes it. A changed prompt template gets the next version.");
        project.MapPost("/llm-labeler/run", async Task<Results<Accepted<JobStartedResponse>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, bool? all, ClaimsPrincipal user, LlmLabelerService labeler, JobLauncher launcher, CancellationToken ct) =>
            {
                var settings = await labeler.GetSettingsAsync(orgId, projectId, ct);
                if (settings is null)
                {
                    return TypedResults.NotFound();
                }

                if (settings.UpdatedAt is null)
                {
                    return PortalApi.Invalid(new PortalValidationException("settings", "The project has no LLM labeler yet: save its base URL and model first (PUT llm-labeler)."));
                }

                var runId = await launcher.StartForProjectAsync(JobRegistry.LabelWithLlm, orgId, projectId, user.UserId(), new Dictionary<string, string>
                {
                    [LabelWithLlmJob.ProjectIdKey] = projectId.ToString(),
                    [LabelWithLlmJob.AllKey] = all == true ? "true" : "false",
                }, ct);
                return TypedResults.Accepted($"/api/v1/orgs/{orgId}/jobs/runs/{runId}", new JobStartedResponse(runId, "queued"));
            })
            .WithName("LlmLabeler_Run")
            .WithSummary("Starts the label-with-llm job: asks the LLM about the pairwise items without an AI label (?all=true: every item).");
        return org;
    }

    private sealed class NoProgress : IJobProgress
    {
        public static readonly NoProgress Instance = new();

        public ValueTask ReportAsync(int percent, string? message = null) => ValueTask.CompletedTask;
    }
}
