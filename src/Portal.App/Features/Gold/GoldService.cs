using System.Globalization;
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

/// <summary>What a bulk gold action does with the chosen items.</summary>
public enum BulkGoldAction
{
    /// <summary>Make them gold, the expected answer taken from <see cref="BulkGoldSource"/>.</summary>
    Mark = 1,

    /// <summary>Make them regular items again.</summary>
    Unmark = 2,
}

/// <summary>Where a bulk mark takes each item's expected answer from: no admin types one per item.</summary>
public enum BulkGoldSource
{
    /// <summary>The item's curated label (the annotators' consensus, as the quality job last computed it): a choice and/or Likert centres.</summary>
    Consensus = 1,

    /// <summary>The item's AI label (pairwise choices only).</summary>
    AiLabel = 2,
}

/// <summary>
/// A bulk gold action on items of one project. <see cref="Explanation"/> is optional: when blank each item's explanation
/// says where its answer came from (e.g. "The annotators' consensus: B is better (majority of 3 ratings, 100% agree).").
/// </summary>
public sealed record BulkGoldInput(BulkGoldAction Action, IReadOnlyList<Guid> ItemIds, BulkGoldSource Source = BulkGoldSource.Consensus,
    string? Explanation = null, int Tolerance = 1);

/// <summary>What a bulk action changed: items now gold (or regular), and those that already were and were left as they are.</summary>
public sealed record BulkGoldResult(int Changed, int Unchanged);

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
        if (project.ArchivedAt is not null)
        {
            problems.Insert(0, ("project", ProjectService.ArchivedMessage));
        }

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

    public const int MaxBulkItems = 1000;

    /// <summary>
    /// Marks or unmarks many items at once, all or nothing: every problem is named by the item's position and external id
    /// (<c>itemIds[3]</c>: "item-004 has no consensus yet …") and nothing changes. A mark leaves items that are gold already
    /// as they are (their hand-written answer stays); an unmark leaves regular items as they are. Null when the project is
    /// not in the organisation.
    /// </summary>
    /// <exception cref="ValidationProblemsException">An item is not in the project, has no answer from the source, or the project is archived.</exception>
    public async Task<BulkGoldResult?> BulkAsync(Guid orgId, Guid projectId, BulkGoldInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var ids = input.ItemIds ?? [];
        var problems = new List<(string Field, string Message)>();
        if (project.ArchivedAt is not null)
        {
            problems.Add(("project", ProjectService.ArchivedMessage));
        }

        if (!Enum.IsDefined(input.Action))
        {
            problems.Add(("action", "The action is Mark or Unmark."));
        }

        if (ids.Count is 0 or > MaxBulkItems)
        {
            problems.Add(("itemIds", $"Choose 1 to {MaxBulkItems} items."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var distinct = ids.Distinct().ToList();
        var items = await db.Items.Where(i => i.ProjectId == projectId && distinct.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var curated = input.Action == BulkGoldAction.Mark && input.Source == BulkGoldSource.Consensus
            ? await db.CuratedLabels.AsNoTracking().Where(l => distinct.Contains(l.ItemId)).ToDictionaryAsync(l => l.ItemId, ct)
            : [];
        var ai = input.Action == BulkGoldAction.Mark && input.Source == BulkGoldSource.AiLabel
            ? (await db.AiLabels.AsNoTracking().Where(l => distinct.Contains(l.ItemId)).ToListAsync(ct))
                .GroupBy(l => l.ItemId).ToDictionary(g => g.Key, g => g.OrderByDescending(l => l.CreatedAt).First())
            : [];
        var answers = new Dictionary<Guid, GoldInput>();
        for (var n = 0; n < ids.Count; n++)
        {
            var field = $"itemIds[{n}]";
            if (!items.TryGetValue(ids[n], out var item))
            {
                problems.Add((field, $"{ids[n]} is not an item of this project."));
                continue;
            }

            if (input.Action != BulkGoldAction.Mark || item.IsGold || answers.ContainsKey(item.Id))
            {
                continue;
            }

            var name = item.ExternalId ?? item.Id.ToString();
            GoldInput? answer = input.Source switch
            {
                BulkGoldSource.Consensus => curated.TryGetValue(item.Id, out var label) ? FromConsensus(project, label, input) : null,
                BulkGoldSource.AiLabel => ai.TryGetValue(item.Id, out var l) && project.Kind == ProjectKind.Pairwise ? FromAiLabel(l, input) : null,
                _ => null,
            };
            if (answer is null)
            {
                problems.Add((field, input.Source switch
                {
                    BulkGoldSource.AiLabel when project.Kind != ProjectKind.Pairwise => $"{name}: AI labels give a choice only, and this project's gold answers need scores; mark it on its own.",
                    BulkGoldSource.AiLabel => $"{name} has no AI label; mark it on its own.",
                    _ => $"{name} has no consensus yet (no curated label; recompute quality after it is rated); mark it on its own.",
                }));
                continue;
            }

            problems.AddRange(Check(project, answer).Select(p => (field, $"{name}: {p.Message}")));
            answers[item.Id] = answer;
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        if (input.Action == BulkGoldAction.Unmark)
        {
            // As ClearGoldAsync, for every chosen gold item in one statement: the claim counter back to live leases plus answers.
            var changed = await db.Items.Where(i => i.ProjectId == projectId && i.IsGold && distinct.Contains(i.Id))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.IsGold, false)
                    .SetProperty(i => i.Gold, (GoldAnswer?)null)
                    .SetProperty(i => i.Claimed, i => db.Assignments.Count(a => a.ItemId == i.Id
                        && (a.Status == AssignmentStatus.Leased || a.Status == AssignmentStatus.Submitted))), ct);
            return new BulkGoldResult(changed, distinct.Count - changed);
        }

        foreach (var (id, answer) in answers)
        {
            var item = items[id];
            item.IsGold = true;
            item.Gold = new GoldAnswer
            {
                Choice = answer.Choice,
                Scores = answer.Scores is { Count: > 0 } sc ? new Dictionary<string, int>(sc, StringComparer.Ordinal) : null,
                Tolerance = answer.Tolerance,
                Explanation = answer.Explanation!.Trim(),
            };
        }

        await db.SaveChangesAsync(ct);
        return new BulkGoldResult(answers.Count, distinct.Count - answers.Count);
    }

    /// <summary>The expected answer a curated label gives: its choice and, for Likert attributes, the rounded centre of response A's scores.</summary>
    private static GoldInput? FromConsensus(Project project, CuratedLabel label, BulkGoldInput input)
    {
        var pairwise = project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;
        var likert = project.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise;
        var choice = pairwise ? label.Choice : null;
        Dictionary<string, int>? scores = null;
        if (likert && label.ScoresJson is { Length: > 0 } json)
        {
            scores = [];
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.TryGetProperty("A", out var side) && side.ValueKind == JsonValueKind.Object)
            {
                foreach (var attribute in side.EnumerateObject())
                {
                    if (attribute.Value.ValueKind == JsonValueKind.Object && attribute.Value.TryGetProperty("centre", out var c) && c.TryGetDouble(out var centre))
                    {
                        scores[attribute.Name] = (int)Math.Round(centre, MidpointRounding.AwayFromZero);
                    }
                }
            }
        }

        if (choice is null && scores is not { Count: > 0 })
        {
            return null;
        }

        var said = new List<string>();
        if (choice is { } ch)
        {
            said.Add(ChoiceText(ch));
        }

        if (scores is { Count: > 0 })
        {
            said.Add(string.Join(", ", scores.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value}"))));
        }

        var agreement = label.Agreement is { } a ? string.Create(CultureInfo.InvariantCulture, $", {a * 100:0}% agree") : "";
        var explanation = string.IsNullOrWhiteSpace(input.Explanation)
            ? string.Create(CultureInfo.InvariantCulture, $"The annotators' consensus: {string.Join("; ", said)} ({label.Method} of {label.Ratings} ratings{agreement}).")
            : input.Explanation;
        return new GoldInput(choice, scores is { Count: > 0 } ? scores : null, input.Tolerance, explanation);
    }

    private static GoldInput FromAiLabel(AiLabel label, BulkGoldInput input) =>
        new(label.Choice, null, input.Tolerance, string.IsNullOrWhiteSpace(input.Explanation)
            ? $"The AI label of {label.Model}: {ChoiceText(label.Choice)}." + (string.IsNullOrWhiteSpace(label.Rationale) ? "" : " " + label.Rationale.Trim())
            : input.Explanation);

    private static string ChoiceText(PreferenceChoice choice) => choice switch
    {
        PreferenceChoice.A => "A is better",
        PreferenceChoice.B => "B is better",
        PreferenceChoice.Tie => "a tie",
        _ => "both bad",
    };

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
