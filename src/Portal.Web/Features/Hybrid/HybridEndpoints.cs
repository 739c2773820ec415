using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Hybrid;
using Portal.App.Features.Projects;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Hybrid;

/// <summary>Routes to change for some categories only: category name → <c>ai</c>, <c>ai-checked</c> or <c>humans</c>.</summary>
internal sealed record RoutesRequest(IReadOnlyDictionary<string, string>? Routes);

internal sealed record ItemCategoryRequest(string? Category);

internal sealed record SuggestRoutesRequest(double? Threshold, int? MinItems);

/// <summary>Hybrid labelling by category: the categories and their routes, items' categories, agreement per category, suggested routes.</summary>
internal static class HybridEndpoints
{
    public static RouteGroupBuilder MapHybridEndpoints(this RouteGroupBuilder org)
    {
        var project = org.MapGroup("/projects/{projectId:guid}").RequireAuthorization(Policies.ProjectAdmin);
        project.MapGet("/categories", async Task<Results<Ok<CategoriesView>, NotFound>> (Guid orgId, Guid projectId, HybridService service, CancellationToken ct) =>
                await service.GetAsync(orgId, projectId, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound())
            .WithName("Categories_Get")
            .WithSummary("The project's item categories with their routes (ai, ai-checked, humans) and item counts, and the labeler's category prompt.");
        project.MapPut("/categories", async Task<Results<Ok<CategoriesView>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, CategoriesInput request, HybridService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.SaveAsync(orgId, projectId, request, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Categories_Save")
            .WithSummary("Replaces the category list {categories: [{name, route}], categoryPrompt} (null keeps a part; a prompt of \"\" removes it); all or nothing.");
        project.MapPost("/categories/routes", async Task<Results<Ok<CategoriesView>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, RoutesRequest request, HybridService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.SetRoutesAsync(orgId, projectId, request.Routes ?? new Dictionary<string, string>(), ct) is { } view
                        ? TypedResults.Ok(view) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Categories_SetRoutes")
            .WithSummary("Changes the routes of the named categories only ({routes: {math: \"humans\"}}), as applying suggested routes does.");
        project.MapPut("/items/{itemId:guid}/category", async Task<Results<NoContent, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, Guid itemId, ItemCategoryRequest request, HybridService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.SetItemCategoryAsync(orgId, projectId, itemId, request.Category, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Items_SetCategory")
            .WithSummary("Sets an item's category ({category: \"math\"}; null clears it); a new name joins the project's list with the route ai.");
        project.MapGet("/quality/categories", async Task<Results<Ok<IReadOnlyList<CategoryAgreementRow>>, NotFound>> (
                Guid orgId, Guid projectId, HybridService service, CancellationToken ct) =>
                await service.AgreementAsync(orgId, projectId, ct) is { } rows ? TypedResults.Ok(rows) : TypedResults.NotFound())
            .WithName("Quality_Categories")
            .WithSummary("AI-versus-human agreement per category: items with both an AI label and a human curated choice, agreement and its 95% Wilson interval.");
        project.MapPost("/quality/suggest-routes", async Task<Results<Ok<RouteSuggestions>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, SuggestRoutesRequest request, HybridService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.SuggestAsync(orgId, projectId, request.Threshold, request.MinItems, ct) is { } s ? TypedResults.Ok(s) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Quality_SuggestRoutes")
            .WithSummary("Proposes humans-only routes for categories whose agreement is below {threshold} (0.7) on at least {minItems} (20) items; changes nothing.");
        return org;
    }
}
