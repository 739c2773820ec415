using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;

namespace Portal.App.Features.Gold;

/// <summary>An item as the admin's items page lists it.</summary>
public sealed record ItemRow(
    Guid Id,
    string? ExternalId,
    string Prompt,
    string ResponseA,
    string? ResponseB,
    int Priority,
    bool IsGold,
    GoldAnswer? Gold,
    int Annotations,
    DateTime CreatedAt,
    CuratedLabelView? Curated = null);

/// <summary>An item's curated label as the quality job last computed it, with how it was reached.</summary>
public sealed record CuratedLabelView(string Method, Portal.Core.Aggregation.PreferenceChoice? Choice, double? Strength, double? Confidence,
    double? Agreement, int Ratings, string? VotesJson, string? ScoresJson, DateTime ComputedAt);

/// <summary>One page of a project's items and how many there are in all (with the same filter).</summary>
public sealed record ItemPage(IReadOnlyList<ItemRow> Items, int Total);

/// <summary>
/// The expected answer an admin gives a gold item: a pairwise choice in the item's terms (A is response A), Likert
/// scores of response A by attribute key with a tolerance (±), and why.
/// </summary>
public sealed record GoldInput(
    PreferenceChoice? Choice = null,
    IReadOnlyDictionary<string, int>? Scores = null,
    int Tolerance = 1,
    string? Explanation = null);

/// <summary>The admin side of gold questions: the items of a project, marking and un-marking gold with its expected answer.</summary>
public sealed class GoldService(IDbContextFactory<PortalDbContext> dbFactory)
{
    public const int MaxTake = 200;
    public const int PreviewLength = 160;

    /// <summary>A page of the project's items, highest priority first; null when the project is not in the organisation.</summary>
    public async Task<ItemPage?> ListItemsAsync(Guid orgId, Guid projectId, int skip, int take, bool goldOnly = false, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var items = db.Items.Where(i => i.ProjectId == projectId);
        if (goldOnly)
        {
            items = items.Where(i => i.IsGold);
        }

        var total = await items.CountAsync(ct);
        var ordered = items.OrderByDescending(i => i.Priority).ThenBy(i => i.CreatedAt).ThenBy(i => i.ExternalId).ThenBy(i => i.Id);
        return new ItemPage(await PageRowsAsync(db, ordered, skip, take, ct), total);
    }

    /// <summary>One page of <paramref name="ordered"/> as list rows: previews, rating count and curated label, read in one query.</summary>
    internal static async Task<IReadOnlyList<ItemRow>> PageRowsAsync(PortalDbContext db, IQueryable<Item> ordered, int skip, int take, CancellationToken ct)
    {
        // The page's ids first, then their rows: a database may build the whole row, subqueries and all, for every row an
        // OFFSET skips (SQLite does), which made page 2,000 of 100,000 items 30 times slower than the first.
        var ids = await ordered
            .Skip(Math.Max(0, skip))
            .Take(Math.Clamp(take, 1, MaxTake))
            .Select(i => i.Id)
            .ToListAsync(ct);
        var position = ids.Index().ToDictionary(p => p.Item, p => p.Index);
        var rows = await db.Items
            .Where(i => ids.Contains(i.Id))
            .Select(i => new
            {
                i.Id,
                i.ExternalId,
                i.ConversationJson,
                i.ResponseA,
                i.ResponseB,
                i.Priority,
                i.IsGold,
                i.Gold,
                Annotations = db.Annotations.Count(a => a.ItemId == i.Id && a.RepeatOf == null),
                i.CreatedAt,
                Curated = db.CuratedLabels.Where(l => l.ItemId == i.Id)
                    .Select(l => new CuratedLabelView(l.Method, l.Choice, l.Strength, l.Confidence, l.Agreement, l.Ratings, l.VotesJson, l.ScoresJson, l.ComputedAt))
                    .FirstOrDefault(),
            })
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => position[r.Id]).Select(r => new ItemRow(r.Id, r.ExternalId, PromptPreview(r.ConversationJson), Preview(r.ResponseA), r.ResponseB is null ? null : Preview(r.ResponseB),
            r.Priority, r.IsGold, r.Gold, r.Annotations, r.CreatedAt, r.Curated))];
    }

    /// <summary>One item of the project; null when it is not there.</summary>
    public async Task<ItemRow?> GetItemAsync(Guid orgId, Guid projectId, Guid itemId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var r = await db.Items.Where(i => i.ProjectId == projectId && i.Id == itemId)
            .Select(i => new { i.Id, i.ExternalId, i.ConversationJson, i.ResponseA, i.ResponseB, i.Priority, i.IsGold, i.Gold, i.CreatedAt })
            .FirstOrDefaultAsync(ct);
        if (r is null)
        {
            return null;
        }

        var annotations = await db.Annotations.CountAsync(a => a.ItemId == itemId, ct);
        return new ItemRow(r.Id, r.ExternalId, PromptPreview(r.ConversationJson), r.ResponseA, r.ResponseB, r.Priority, r.IsGold, r.Gold, annotations, r.CreatedAt);
    }

    /// <summary>
    /// Marks the item as gold with its expected answer, or replaces the answer of an item that is gold already. An item
    /// that already has regular annotations keeps them. Null when the item is not in the project.
    /// </summary>
    /// <exception cref="ValidationProblemsException">The answer does not fit the project's kind, options or attributes.</exception>
    public async Task<ItemRow?> SetGoldAsync(Guid orgId, Guid projectId, Guid itemId, GoldInput input, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        var item = project is null ? null : await db.Items.FirstOrDefaultAsync(i => i.ProjectId == projectId && i.Id == itemId, ct);
        if (project is null || item is null)
        {
            return null;
        }

        var problems = Check(project, input).ToList();
        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        item.IsGold = true;
        item.Gold = new GoldAnswer
        {
            Choice = input.Choice,
            Scores = input.Scores is { Count: > 0 } s ? new Dictionary<string, int>(s, StringComparer.Ordinal) : null,
            Tolerance = input.Tolerance,
            Explanation = input.Explanation!.Trim(),
        };
        await db.SaveChangesAsync(ct);
        return await GetItemAsync(orgId, projectId, itemId, ct);
    }

    /// <summary>
    /// Makes the item a regular item again; its gold answers so far stay as they were and count against its overlap from
    /// now on. False when the item is not in the project.
    /// </summary>
    public async Task<bool> ClearGoldAsync(Guid orgId, Guid projectId, Guid itemId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);

        // Gold items claim nothing against the overlap, so the claim counter is set back to what the assignment engine
        // keeps for a regular item, live leases plus answers, in the same statement that makes it regular.
        return await db.Items.Where(i => i.ProjectId == projectId && i.Id == itemId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.IsGold, false)
                .SetProperty(i => i.Gold, (GoldAnswer?)null)
                .SetProperty(i => i.Claimed, i => db.Assignments.Count(a => a.ItemId == i.Id
                    && (a.Status == AssignmentStatus.Leased || a.Status == AssignmentStatus.Submitted))), ct) == 1;
    }

    /// <summary>What is wrong with a gold answer for this project, as (field, message) pairs.</summary>
    public static IEnumerable<(string Field, string Message)> Check(Project project, GoldInput input)
    {
        var pairwise = project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;
        var likert = project.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise;
        var options = project.Settings.Pairwise;
        var scores = input.Scores ?? new Dictionary<string, int>();

        if (input.Choice is { } choice)
        {
            if (!pairwise)
            {
                yield return ("choice", "A Likert project's gold answer is scores, not a choice.");
            }
            else if (!Enum.IsDefined(choice))
            {
                yield return ("choice", "The expected choice is A, B, Tie or BothBad.");
            }
            else if (choice == PreferenceChoice.Tie && !options.AllowTie)
            {
                yield return ("choice", "The project does not allow ties, so a tie cannot be the expected answer.");
            }
            else if (choice == PreferenceChoice.BothBad && !options.AllowBothBad)
            {
                yield return ("choice", "The project does not allow \"both bad\", so it cannot be the expected answer.");
            }
        }
        else if (project.Kind == ProjectKind.Pairwise)
        {
            yield return ("choice", "Give the expected choice: A, B, Tie or BothBad.");
        }

        if (scores.Count > 0 && !likert)
        {
            yield return ("scores", "A pairwise project's gold answer is a choice, not scores.");
        }
        else if (scores.Count == 0 && project.Kind == ProjectKind.Likert)
        {
            yield return ("scores", "Give the expected score of at least one attribute.");
        }
        else if (scores.Count == 0 && input.Choice is null && project.Kind == ProjectKind.LikertAndPairwise)
        {
            yield return ("choice", "Give the expected choice, expected scores, or both.");
        }
        else if (likert)
        {
            var attributes = project.Settings.Attributes.ToDictionary(a => a.Key, StringComparer.Ordinal);
            foreach (var (key, value) in scores)
            {
                if (!attributes.TryGetValue(key, out var a))
                {
                    yield return ($"scores.{key}", $"The project has no attribute '{key}'.");
                }
                else if (value < a.Min || value > a.Max)
                {
                    yield return ($"scores.{key}", $"The expected {a.Name} is on the scale {a.Min}–{a.Max}, not {value}.");
                }
            }
        }

        if (input.Tolerance is < 0 or > 10)
        {
            yield return ("tolerance", "The tolerance is 0 to 10 points either side.");
        }

        if (string.IsNullOrWhiteSpace(input.Explanation))
        {
            yield return ("explanation", "Explain why this is the expected answer; annotators may see it after answering.");
        }
        else if (input.Explanation.Trim().Length > 4000)
        {
            yield return ("explanation", "The explanation is at most 4000 characters.");
        }
    }

    /// <summary>The last user turn of a conversation (or its last turn), shortened for a list.</summary>
    public static string PromptPreview(string conversationJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(conversationJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return "";
            }

            string? last = null;
            string? lastUser = null;
            foreach (var turn in doc.RootElement.EnumerateArray())
            {
                if (turn.ValueKind == JsonValueKind.Object && turn.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    last = content.GetString();
                    if (turn.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.GetString() == "user")
                    {
                        lastUser = last;
                    }
                }
            }

            return Preview(lastUser ?? last ?? "");
        }
        catch (JsonException)
        {
            return "";
        }
    }

    internal static string Preview(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= PreviewLength ? flat : flat[..(PreviewLength - 1)] + "…";
    }
}
