using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.Core.Quality;

namespace Portal.App.Features.Hybrid;

/// <summary>A category of a project as pages and the API show it.</summary>
/// <param name="Items">Non-gold items that carry it.</param>
/// <param name="Listed">Whether the admin listed it; an unlisted category came with items (an import, the labeler) and routes <c>ai</c>.</param>
public sealed record CategoryView(string Name, string Route, int Items, bool Listed);

/// <summary>A project's categories with their routes, how many items have none, and the labeler's category prompt (null: it does not ask).</summary>
public sealed record CategoriesView(IReadOnlyList<CategoryView> Categories, int Uncategorised, string? CategoryPrompt, string DefaultCategoryPrompt);

public sealed record CategoryInput(string? Name, string? Route);

/// <summary>
/// The project's category list as the admin edits it. <see cref="Categories"/> null keeps the list; otherwise it replaces it.
/// <see cref="CategoryPrompt"/> null keeps the prompt, "" removes it (the labeler then does not ask).
/// </summary>
public sealed record CategoriesInput(IReadOnlyList<CategoryInput>? Categories, string? CategoryPrompt);

/// <summary>One category's AI-versus-human agreement with its route (<see cref="CategoryAgreement"/>).</summary>
public sealed record CategoryAgreementRow(string? Category, string Route, int Items, int Agreements, double? Agreement, double? Low, double? High);

/// <summary>One item's category, the project's categories to choose from, the item's route, and its AI label's correctness check (JSON) when there was one.</summary>
public sealed record ItemHybridView(string? Category, IReadOnlyList<string> Categories, string Route, string? CheckJson);

/// <summary>The suggest-routes rule's answer: its inputs, and per category the numbers and the proposal.</summary>
public sealed record RouteSuggestions(double Threshold, int MinItems, IReadOnlyList<RouteSuggestion> Categories);

/// <summary>
/// Hybrid AI labelling by category (HRLAIF): the project's categories and their routes, items' categories, agreement of AI
/// labels with humans per category, and the rule that proposes humans-only routes. See docs/hybrid-routing.md.
/// </summary>
/// <remarks>
/// An import or the labeler that brings a category the project does not list adds it (it is listed from the items, route
/// <c>ai</c>), rather than failing: a category is a label for routing, and a new one is routed the cheap way until the admin
/// decides otherwise.
/// </remarks>
public sealed class HybridService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxCategories = 200;

    /// <summary>Names of the project's categories routed to humans only, as a query to use inside others.</summary>
    public static IQueryable<string> HumansOnly(PortalDbContext db, Guid projectId) =>
        db.ProjectCategories.Where(c => c.ProjectId == projectId && c.Route == CategoryRoutes.Humans).Select(c => c.Name);

    /// <summary>The project's AI labels that the targeted-feedback loop may take: none of an item in a humans-only category.</summary>
    public static IQueryable<AiLabel> AiLabelsTaken(PortalDbContext db, Guid projectId)
    {
        var humans = HumansOnly(db, projectId);
        return db.AiLabels.Where(l => l.ProjectId == projectId
            && !db.Items.Any(i => i.Id == l.ItemId && i.Category != null && humans.Contains(i.Category)));
    }

    /// <summary>The project's routes by category name (listed categories only; any other routes <c>ai</c>).</summary>
    public static async Task<Dictionary<string, string>> RoutesAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        await db.ProjectCategories.AsNoTracking().Where(c => c.ProjectId == projectId)
            .ToDictionaryAsync(c => c.Name, c => c.Route, StringComparer.Ordinal, ct);

    public static string RouteOf(IReadOnlyDictionary<string, string> routes, string? category) =>
        category is not null && routes.TryGetValue(category, out var route) ? route : CategoryRoutes.Ai;

    /// <summary>The categories; null when there is no such project.</summary>
    public async Task<CategoriesView?> GetAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        return project is null ? null : await ViewAsync(db, project, ct);
    }

    private static async Task<CategoriesView> ViewAsync(PortalDbContext db, Project project, CancellationToken ct)
    {
        var listed = await db.ProjectCategories.AsNoTracking().Where(c => c.ProjectId == project.Id).ToListAsync(ct);
        var counts = await db.Items.AsNoTracking().Where(i => i.ProjectId == project.Id && !i.IsGold)
            .GroupBy(i => i.Category).Select(g => new { Category = g.Key, Count = g.Count() }).ToListAsync(ct);
        var byName = counts.Where(c => c.Category is not null).ToDictionary(c => c.Category!, c => c.Count, StringComparer.Ordinal);
        var views = listed.Select(c => new CategoryView(c.Name, c.Route, byName.GetValueOrDefault(c.Name), true))
            .Concat(byName.Keys.Where(n => listed.All(c => c.Name != n)).Select(n => new CategoryView(n, CategoryRoutes.Ai, byName[n], false)))
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();
        return new CategoriesView(views, counts.Where(c => c.Category is null).Sum(c => c.Count), project.CategoryPrompt, Core.AiLabels.CategoryPrompt.Default);
    }

    /// <summary>
    /// Replaces the category list (names and routes) and sets the category prompt; all or nothing, each problem named by its
    /// field. A category that items carry cannot be dropped. Items of a category now routed to humans that an earlier
    /// targeted-feedback round took out of the queue (overlap 0) go back to it. Null when there is no such project.
    /// </summary>
    /// <exception cref="ValidationProblemsException">A field is invalid; nothing is saved.</exception>
    public async Task<CategoriesView?> SaveAsync(Guid orgId, Guid projectId, CategoriesInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var problems = new List<(string, string)>();
        var wanted = new List<(string Name, string Route)>();
        if (input.Categories is { } categories)
        {
            if (categories.Count > MaxCategories)
            {
                problems.Add(("categories", $"A project has at most {MaxCategories} categories; {categories.Count} were given."));
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < categories.Count; i++)
            {
                var name = categories[i]?.Name?.Trim() ?? "";
                var route = categories[i]?.Route?.Trim() ?? CategoryRoutes.Ai;
                if (name.Length is 0 or > ProjectCategory.MaxNameLength)
                {
                    problems.Add(($"categories[{i}].name", $"A category name is 1 to {ProjectCategory.MaxNameLength} characters."));
                }
                else if (!seen.Add(name))
                {
                    problems.Add(($"categories[{i}].name", $"The category '{name}' is listed twice."));
                }

                if (!CategoryRoutes.IsValid(route))
                {
                    problems.Add(($"categories[{i}].route", $"The route '{route}' is none of ai, ai-checked, humans."));
                }

                wanted.Add((name, route));
            }

            var inUse = await db.Items.Where(i => i.ProjectId == projectId && i.Category != null)
                .GroupBy(i => i.Category!).Select(g => new { Name = g.Key, Count = g.Count() }).ToListAsync(ct);
            foreach (var used in inUse.Where(u => wanted.All(w => w.Name != u.Name)).OrderBy(u => u.Name, StringComparer.Ordinal))
            {
                problems.Add(("categories", $"The category '{used.Name}' is carried by {used.Count} item(s); give them another category before removing it."));
            }
        }

        string? prompt = project.CategoryPrompt;
        if (input.CategoryPrompt is { } p)
        {
            prompt = p.Trim().Length == 0 ? null : p;
            if (prompt is not null && Core.AiLabels.CategoryPrompt.Problem(prompt) is { } bad)
            {
                problems.Add(("categoryPrompt", bad));
            }
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (input.Categories is not null)
        {
            var existing = await db.ProjectCategories.Where(c => c.ProjectId == projectId).ToListAsync(ct);
            db.ProjectCategories.RemoveRange(existing.Where(e => wanted.All(w => w.Name != e.Name)));
            foreach (var (name, route) in wanted)
            {
                if (existing.FirstOrDefault(e => e.Name == name) is { } row)
                {
                    if (row.Route != route)
                    {
                        (row.Route, row.UpdatedAt) = (route, now);
                    }
                }
                else
                {
                    db.ProjectCategories.Add(new ProjectCategory { ProjectId = projectId, Name = name, Route = route, UpdatedAt = now });
                }
            }
        }

        project.CategoryPrompt = prompt;
        await db.SaveChangesAsync(ct);
        await ReturnToHumansAsync(db, projectId, ct);
        await transaction.CommitAsync(ct);
        return await ViewAsync(db, project, ct);
    }

    /// <summary>Changes the routes of the named categories only (the admin applying some suggestions); each must be a category of the project.</summary>
    /// <exception cref="ValidationProblemsException">An unknown category or route; nothing changes.</exception>
    public async Task<CategoriesView?> SetRoutesAsync(Guid orgId, Guid projectId, IReadOnlyDictionary<string, string> routes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var current = await GetAsync(orgId, projectId, ct);
        if (current is null)
        {
            return null;
        }

        var problems = new List<(string, string)>();
        foreach (var (name, route) in routes)
        {
            if (current.Categories.All(c => c.Name != name))
            {
                problems.Add(($"routes.{name}", $"'{name}' is not a category of this project."));
            }
            else if (!CategoryRoutes.IsValid(route))
            {
                problems.Add(($"routes.{name}", $"The route '{route}' is none of ai, ai-checked, humans."));
            }
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var list = current.Categories.Select(c => new CategoryInput(c.Name, routes.TryGetValue(c.Name, out var r) ? r : c.Route)).ToList();
        return await SaveAsync(orgId, projectId, new CategoriesInput(list, null), ct);
    }

    /// <summary>Sets (or with null clears) one item's category; a name the project does not list yet is listed from then on, route <c>ai</c>.</summary>
    /// <returns>False when there is no such item in the project.</returns>
    /// <exception cref="ValidationProblemsException">The name is too long.</exception>
    public async Task<bool> SetItemCategoryAsync(Guid orgId, Guid projectId, Guid itemId, string? category, CancellationToken ct = default)
    {
        var name = category?.Trim() is { Length: > 0 } n ? n : null;
        if (name is { Length: > ProjectCategory.MaxNameLength })
        {
            throw new ValidationProblemsException([("category", $"A category name is 1 to {ProjectCategory.MaxNameLength} characters.")]);
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        var changed = await db.Items.Where(i => i.Id == itemId && i.ProjectId == projectId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Category, name), ct);
        if (changed == 0)
        {
            return false;
        }

        await ReturnToHumansAsync(db, projectId, ct);
        return true;
    }

    /// <summary>The item's category and route; null when there is no such item in the project.</summary>
    public async Task<ItemHybridView?> ItemAsync(Guid orgId, Guid projectId, Guid itemId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var item = await db.Items.AsNoTracking().Where(i => i.Id == itemId && i.ProjectId == projectId)
            .Select(i => new { i.Category, Check = db.AiLabels.Where(l => l.ItemId == i.Id).Select(l => l.CheckJson).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (item is null)
        {
            return null;
        }

        var routes = await RoutesAsync(db, projectId, ct);
        var names = routes.Keys.Union(await db.Items.Where(i => i.ProjectId == projectId && i.Category != null).Select(i => i.Category!).Distinct().ToListAsync(ct))
            .Order(StringComparer.OrdinalIgnoreCase).ToList();
        return new ItemHybridView(item.Category, names, RouteOf(routes, item.Category), item.Check);
    }

    /// <summary>Items of a humans-only category that a round took out of the queue (overlap 0) need humans again.</summary>
    internal static Task<int> ReturnToHumansAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var humans = HumansOnly(db, projectId);
        return db.Items.Where(i => i.ProjectId == projectId && i.Overlap == 0 && i.Category != null && humans.Contains(i.Category))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Overlap, (int?)null), ct);
    }

    /// <summary>
    /// AI-versus-human agreement per category: items with an AI label and a human curated choice (gold items and human
    /// "both bad" left out), with the 95% Wilson interval. Null when there is no such project.
    /// </summary>
    public async Task<IReadOnlyList<CategoryAgreementRow>?> AgreementAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var pairs = await (from l in db.AiLabels
                           join i in db.Items on l.ItemId equals i.Id
                           join c in db.CuratedLabels on l.ItemId equals c.ItemId
                           where l.ProjectId == projectId && !i.IsGold && c.Choice != null
                           select new { i.Category, l.Choice, Human = c.Choice!.Value }).AsNoTracking().ToListAsync(ct);
        var routes = await RoutesAsync(db, projectId, ct);
        return CategoryRouting.Agreement(pairs.Select(p => ((string?)p.Category, p.Choice, p.Human)))
            .Select(a => new CategoryAgreementRow(a.Category, RouteOf(routes, a.Category), a.Items, a.Agreements, a.Agreement, a.Low, a.High))
            .ToList();
    }

    /// <summary>The routes the rule proposes (nothing changes until the admin applies them). Null when there is no such project.</summary>
    /// <exception cref="ValidationProblemsException">The threshold is not 0 to 1 or the minimum is not 1 to 100,000.</exception>
    public async Task<RouteSuggestions?> SuggestAsync(Guid orgId, Guid projectId, double? threshold, int? minItems, CancellationToken ct = default)
    {
        var t = threshold ?? CategoryRouting.DefaultThreshold;
        var m = minItems ?? CategoryRouting.DefaultMinItems;
        var problems = new List<(string, string)>();
        if (double.IsNaN(t) || t is < 0 or > 1)
        {
            problems.Add(("threshold", "The threshold is an agreement from 0 to 1 (0.7 for 70%)."));
        }

        if (m is < 1 or > 100_000)
        {
            problems.Add(("minItems", "The minimum number of items is 1 to 100,000."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var categories = await GetAsync(orgId, projectId, ct);
        var agreement = await AgreementAsync(orgId, projectId, ct);
        if (categories is null || agreement is null)
        {
            return null;
        }

        var facts = agreement.Select(a => new CategoryAgreement(a.Category, a.Items, a.Agreements, a.Agreement, a.Low, a.High)).ToList();
        return new RouteSuggestions(t, m, CategoryRouting.Suggest(categories.Categories.Select(c => (c.Name, c.Route)), facts, t, m));
    }
}
