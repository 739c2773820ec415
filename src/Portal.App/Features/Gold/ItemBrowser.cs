using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.App.Features.Gold;

/// <summary>How the admin's items grid sorts.</summary>
public enum ItemSort
{
    /// <summary>Highest priority first, then in import order (what annotators get first).</summary>
    Priority = 0,
    ExternalId,
    Created,
    Annotations,
}

/// <summary>
/// A search of a project's items: text in the prompt or the external id, gold or not, rated or not, a sort and a page.
/// Null filters match everything.
/// </summary>
public sealed record ItemQuery(
    string? Search = null,
    bool? Gold = null,
    bool? Rated = null,
    ItemSort Sort = ItemSort.Priority,
    bool Descending = false,
    int Skip = 0,
    int Take = 25);

/// <summary>One rating of an item: who, what, when, under which guideline version.</summary>
public sealed record ItemRating(
    Guid Id,
    string Annotator,
    PreferenceChoice? Choice,
    int? Strength,
    IReadOnlyDictionary<string, int>? Scores,
    IReadOnlyDictionary<string, int>? ScoresB,
    string? Rationale,
    string? Comment,
    int? GuidelineVersion,
    bool? GoldCorrect,
    int TimeOnTaskMs,
    DateTime CreatedAt);

/// <summary>The latest AI label of an item.</summary>
public sealed record ItemAiLabel(PreferenceChoice Choice, double? Confidence, string Model, string? Rationale, string Origin, DateTime CreatedAt);

/// <summary>Everything the item page shows: the conversation, the response(s), the gold answer, the ratings and the labels.</summary>
public sealed record ItemDetail(
    Guid Id,
    Guid ProjectId,
    string? ExternalId,
    IReadOnlyList<Turn> Conversation,
    string ResponseA,
    string? ResponseB,
    int Priority,
    bool IsGold,
    GoldAnswer? Gold,
    DateTime CreatedAt,
    IReadOnlyList<ItemRating> Ratings,
    ItemAiLabel? AiLabel,
    CuratedLabelView? Curated);

/// <summary>The admin's view of a project's items: a search paged in the database, and one item with everything about it.</summary>
public sealed class ItemBrowser(IDbContextFactory<PortalDbContext> dbFactory)
{
    public const int MaxTake = GoldService.MaxTake;

    /// <summary>One page of the items matching the query, and how many match; null when the project is not in the organisation.</summary>
    public async Task<ItemPage?> SearchAsync(Guid orgId, Guid projectId, ItemQuery query, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var items = db.Items.Where(i => i.ProjectId == projectId);
        if (query.Gold is { } gold)
        {
            items = items.Where(i => i.IsGold == gold);
        }

        if (query.Rated is { } rated)
        {
            items = rated
                ? items.Where(i => db.Annotations.Any(a => a.ItemId == i.Id && a.RepeatOf == null))
                : items.Where(i => !db.Annotations.Any(a => a.ItemId == i.Id && a.RepeatOf == null));
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Lower-cased on both sides: the same case-insensitive match on SQLite, PostgreSQL and SQL Server.
            var text = query.Search.Trim().ToLowerInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // Translated to SQL LOWER(…) LIKE: the culture and comparison overloads do not translate.
            items = items.Where(i => i.ConversationJson.ToLower().Contains(text) || (i.ExternalId != null && i.ExternalId.ToLower().Contains(text)));
#pragma warning restore CA1304, CA1311, CA1862
        }

        var total = await items.CountAsync(ct);
        var d = query.Descending;
        var ordered = query.Sort switch
        {
            ItemSort.ExternalId => d ? items.OrderByDescending(i => i.ExternalId) : items.OrderBy(i => i.ExternalId),
            ItemSort.Created => d ? items.OrderByDescending(i => i.CreatedAt) : items.OrderBy(i => i.CreatedAt),
            ItemSort.Annotations => d
                ? items.OrderByDescending(i => db.Annotations.Count(a => a.ItemId == i.Id && a.RepeatOf == null))
                : items.OrderBy(i => db.Annotations.Count(a => a.ItemId == i.Id && a.RepeatOf == null)),
            _ => d ? items.OrderBy(i => i.Priority).ThenByDescending(i => i.CreatedAt) : items.OrderByDescending(i => i.Priority).ThenBy(i => i.CreatedAt),
        };
        return new ItemPage(await GoldService.PageRowsAsync(db, ordered.ThenBy(i => i.Id), query.Skip, query.Take, ct), total);
    }

    /// <summary>The item with its ratings (oldest first), latest AI label and curated label; null when it is not in the project.</summary>
    public async Task<ItemDetail?> GetAsync(Guid orgId, Guid projectId, Guid itemId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var item = await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.ProjectId == projectId && i.Id == itemId, ct);
        if (item is null)
        {
            return null;
        }

        var ratings = await (
                from a in db.Annotations.Where(a => a.ItemId == itemId && a.RepeatOf == null)
                join u in db.Users on a.AnnotatorId equals u.Id into users
                from u in users.DefaultIfEmpty()
                join r in db.ExternalRaters on a.ExternalRaterId equals (Guid?)r.Id into raters
                from r in raters.DefaultIfEmpty()
                orderby a.CreatedAt
                select new ItemRating(a.Id, r != null ? r.Name + " (external)" : u == null ? "(removed)" : u.DisplayName, a.Choice, a.Strength, a.Scores, a.ScoresB, a.Rationale, a.Comment,
                    a.GuidelineVersion, a.GoldCorrect, a.TimeOnTaskMs, a.CreatedAt))
            .ToListAsync(ct);
        var ai = await db.AiLabels.Where(l => l.ItemId == itemId).OrderByDescending(l => l.CreatedAt)
            .Select(l => new ItemAiLabel(l.Choice, l.Confidence, l.Model, l.Rationale, l.Origin, l.CreatedAt))
            .FirstOrDefaultAsync(ct);
        var curated = await db.CuratedLabels.Where(l => l.ItemId == itemId)
            .Select(l => new CuratedLabelView(l.Method, l.Choice, l.Strength, l.Confidence, l.Agreement, l.Ratings, l.VotesJson, l.ScoresJson, l.ComputedAt))
            .FirstOrDefaultAsync(ct);
        return new ItemDetail(item.Id, item.ProjectId, item.ExternalId, Conversation(item.ConversationJson), item.ResponseA, item.ResponseB, item.Priority,
            item.IsGold, item.Gold, item.CreatedAt, ratings, ai, curated);
    }

    private static List<Turn> Conversation(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<Turn>>(json, ProjectSettings.Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
