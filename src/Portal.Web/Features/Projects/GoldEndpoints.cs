using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Gold;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Projects;

/// <summary>A gold item's expected answer: a pairwise choice (A, B, Tie, BothBad), Likert scores by attribute key with a tolerance, and why.</summary>
internal sealed record GoldRequest(PreferenceChoice? Choice, Dictionary<string, int>? Scores, int? Tolerance, string? Explanation);

/// <summary>A bulk gold action: Mark (answers from Consensus or AiLabel) or Unmark the items, with an optional shared explanation.</summary>
internal sealed record BulkGoldRequest(BulkGoldAction? Action, List<Guid>? ItemIds, BulkGoldSource? Source, string? Explanation, int? Tolerance);

internal static class GoldEndpoints
{
    public static RouteGroupBuilder MapGoldEndpoints(this RouteGroupBuilder org)
    {
        var project = org.MapGroup("/projects/{projectId:guid}").RequireAuthorization(Policies.ProjectAdmin);
        project.MapGet("/items", async Task<Results<Ok<ItemPage>, NotFound>> (
                Guid orgId, Guid projectId, int? skip, int? take, bool? gold, GoldService service, CancellationToken ct) =>
                await service.ListItemsAsync(orgId, projectId, skip ?? 0, take ?? 50, gold ?? false, ct) is { } page ? TypedResults.Ok(page) : TypedResults.NotFound())
            .WithName("Items_List").WithSummary($"A page of the project's items, highest priority first (take at most {GoldService.MaxTake}); gold=true for gold items only.");
        project.MapGet("/items/{itemId:guid}", async Task<Results<Ok<ItemDetail>, NotFound>> (
                Guid orgId, Guid projectId, Guid itemId, ItemBrowser items, CancellationToken ct) =>
                await items.GetAsync(orgId, projectId, itemId, ct) is { } item ? TypedResults.Ok(item) : TypedResults.NotFound())
            .WithName("Items_Get").WithSummary("One item: its conversation and response(s), gold answer, ratings (who, what, when, guideline version), latest AI label and curated label.");
        project.MapPut("/items/{itemId:guid}/gold", async Task<Results<Ok<ItemRow>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, Guid itemId, GoldRequest request, GoldService service, CancellationToken ct) =>
            {
                try
                {
                    var input = new GoldInput(request.Choice, request.Scores, request.Tolerance ?? 1, request.Explanation);
                    return await service.SetGoldAsync(orgId, projectId, itemId, input, ct) is { } row ? TypedResults.Ok(row) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Items_SetGold").WithSummary("Marks an item as gold with its expected answer (or replaces the answer); checked against the project's kind and attributes.");
        project.MapPost("/items/gold", async Task<Results<Ok<BulkGoldResult>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, BulkGoldRequest request, GoldService service, CancellationToken ct) =>
            {
                if (request.Action is not { } action)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["action"] = ["Say Mark or Unmark."] });
                }

                try
                {
                    var input = new BulkGoldInput(action, request.ItemIds ?? [], request.Source ?? BulkGoldSource.Consensus, request.Explanation, request.Tolerance ?? 1);
                    return await service.BulkAsync(orgId, projectId, input, ct) is { } result ? TypedResults.Ok(result) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Items_BulkGold")
            .WithSummary($"Marks (answers from the consensus or the AI label) or unmarks up to {GoldService.MaxBulkItems} items at once; all or nothing, every problem named by the item's position.");
        project.MapDelete("/items/{itemId:guid}/gold", async Task<Results<NoContent, NotFound>> (
                Guid orgId, Guid projectId, Guid itemId, GoldService service, CancellationToken ct) =>
                await service.ClearGoldAsync(orgId, projectId, itemId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("Items_ClearGold").WithSummary("Makes a gold item a regular item again.");
        return org;
    }
}
