using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Gold;
using Portal.App.Features.Guidelines;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Core.Agreement;
using Portal.Core.Pairs;
using Portal.Core.Quality;

namespace Portal.App.Features.Calibration;

/// <summary>
/// Calibration rounds: an admin opens one on chosen items, every active annotator of the project rates them, and
/// when it closes each sees how the group answered, where they left the consensus, and the admin's explanation.
/// </summary>
public sealed class CalibrationService(IDbContextFactory<PortalDbContext> dbFactory, GoldService gold, TimeProvider clock)
{
    public const int MaxItems = 50;
    public const int MaxTitleLength = 200;
    public const int MaxExplanationLength = 20_000;
    public const int MaxRationaleLength = 4000;

    /// <summary>The project's rounds, newest first; null when there is no such project.</summary>
    public async Task<IReadOnlyList<CalibrationRoundView>?> ListAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        return await Views(db, db.CalibrationRounds.Where(r => r.ProjectId == projectId).OrderByDescending(r => r.Number)).ToListAsync(ct);
    }

#pragma warning disable CA1304, CA1311, CA1862 // ToLower and Contains run in the database (lower() and LIKE/instr), not in .NET.
    /// <summary>
    /// The items that can go into a round, a page at a time (paged in the database), in the items page's order or by
    /// external id; <paramref name="search"/> matches the external id or the conversation. Null when there is no such project.
    /// </summary>
    public async Task<CalibrationPage<CalibrationItemChoice>?> ItemChoicesAsync(Guid orgId, Guid projectId, string? search, int skip, int take,
        bool byExternalIdDescending = false, bool byExternalId = false, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var items = db.Items.AsNoTracking().Where(i => i.ProjectId == projectId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLower();
            items = items.Where(i => (i.ExternalId != null && i.ExternalId.ToLower().Contains(term)) || i.ConversationJson.ToLower().Contains(term));
        }

        var total = await items.CountAsync(ct);
        var ordered = byExternalIdDescending ? items.OrderByDescending(i => i.ExternalId).ThenBy(i => i.Id)
            : byExternalId ? items.OrderBy(i => i.ExternalId).ThenBy(i => i.Id)
            : items.OrderByDescending(i => i.Priority).ThenBy(i => i.CreatedAt).ThenBy(i => i.ExternalId).ThenBy(i => i.Id);
        var rows = await ordered.Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, GoldService.MaxTake))
            .Select(i => new { i.Id, i.ExternalId, i.ConversationJson, i.IsGold }).ToListAsync(ct);
        return new([.. rows.Select(r => new CalibrationItemChoice(r.Id, r.ExternalId, GoldService.PromptPreview(r.ConversationJson), r.IsGold))], total);
    }

    /// <summary>
    /// Every answer of a round, a page at a time (paged in the database), by item position then annotator;
    /// <paramref name="search"/> matches the annotator's name, the item's external id or the reason. Null when there is no such round.
    /// </summary>
    public async Task<CalibrationPage<CalibrationAnswerRow>?> AnswersAsync(Guid orgId, Guid projectId, int number, string? search, int skip, int take,
        CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var round = await FindAsync(db, projectId, number, ct);
        if (round is null)
        {
            return null;
        }

        var rows = from a in db.CalibrationAnswers.AsNoTracking()
                   where a.RoundId == round.Id
                   join ri in db.CalibrationRoundItems on new { a.RoundId, a.ItemId } equals new { ri.RoundId, ri.ItemId }
                   join i in db.Items on a.ItemId equals i.Id
                   select new
                   {
                       a.ItemId,
                       ri.Position,
                       i.ExternalId,
                       Annotator = db.Users.Where(u => u.Id == a.AnnotatorId).Select(u => u.DisplayName).FirstOrDefault() ?? "",
                       a.Choice,
                       a.Scores,
                       a.Rationale,
                       a.UpdatedAt,
                   };
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLower();
            rows = rows.Where(r => r.Annotator.ToLower().Contains(term) || (r.ExternalId != null && r.ExternalId.ToLower().Contains(term))
                || (r.Rationale != null && r.Rationale.ToLower().Contains(term)));
        }

        var total = await rows.CountAsync(ct);
        var page = await rows.OrderBy(r => r.Position).ThenBy(r => r.Annotator).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, GoldService.MaxTake)).ToListAsync(ct);
        return new([.. page.Select(r => new CalibrationAnswerRow(r.ItemId, r.Position, r.ExternalId, r.Annotator, r.Choice, r.Scores, r.Rationale, r.UpdatedAt))], total);
    }
#pragma warning restore CA1304, CA1311, CA1862

    /// <summary>Opens a round with the project's active annotators as its participants; null when there is no such project.</summary>
    /// <exception cref="ValidationProblemsException">No title, no items or too many, an item not of the project, an explanation too long, nobody to take part.</exception>
    public async Task<CalibrationRoundView?> OpenAsync(Guid orgId, Guid projectId, Guid adminId, OpenCalibrationInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var problems = new List<(string Field, string Message)>();
        var title = input.Title?.Trim() ?? "";
        if (title.Length is 0 or > MaxTitleLength)
        {
            problems.Add(("title", $"Give the round a title of 1 to {MaxTitleLength} characters."));
        }

        var ids = input.ItemIds ?? [];
        if (ids.Count is 0 or > MaxItems)
        {
            problems.Add(("itemIds", $"A calibration round has 1 to {MaxItems} items."));
        }
        else
        {
            var known = await db.Items.Where(i => i.ProjectId == projectId && ids.Contains(i.Id)).Select(i => i.Id).ToListAsync(ct);
            for (var index = 0; index < ids.Count; index++)
            {
                if (!known.Contains(ids[index]))
                {
                    problems.Add(($"itemIds[{index}]", $"Item {ids[index]} is not an item of this project."));
                }
                else if (ids.Take(index).Contains(ids[index]))
                {
                    problems.Add(($"itemIds[{index}]", $"Item {ids[index]} is in the round twice."));
                }
            }
        }

        foreach (var (itemId, text) in input.Explanations ?? new Dictionary<Guid, string>())
        {
            if (!ids.Contains(itemId))
            {
                problems.Add(($"explanations.{itemId}", $"Item {itemId} is not one of the round's items."));
            }
            else if (text?.Length > MaxExplanationLength)
            {
                problems.Add(($"explanations.{itemId}", $"An explanation is at most {MaxExplanationLength} characters."));
            }
        }

        var participants = await ActiveAnnotatorsAsync(db, projectId, ct);
        if (participants.Count == 0)
        {
            problems.Add(("participants", "Nobody can take part: the organisation has no annotator who may work on this project and is not paused in it."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var now = Now;
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var round = new CalibrationRound
            {
                ProjectId = projectId,
                Number = (await db.CalibrationRounds.Where(r => r.ProjectId == projectId).MaxAsync(r => (int?)r.Number, ct) ?? 0) + 1,
                Title = title,
                GuidelineVersion = await GuidelineGates.CurrentVersionAsync(db, projectId, ct),
                OpenedByUserId = adminId,
                OpenedAt = now,
            };
            db.CalibrationRounds.Add(round);
            for (var index = 0; index < ids.Count; index++)
            {
                db.CalibrationRoundItems.Add(new CalibrationRoundItem
                {
                    RoundId = round.Id,
                    ItemId = ids[index],
                    Position = index + 1,
                    Explanation = input.Explanations?.GetValueOrDefault(ids[index])?.Trim() ?? "",
                });
            }

            db.CalibrationParticipants.AddRange(participants.Select(p => new CalibrationParticipant { RoundId = round.Id, AnnotatorId = p }));
            try
            {
                await db.SaveChangesAsync(ct);
                return await ViewAsync(db, round, ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another admin opened a round at the same moment and took the number: take the next one.
            }
        }
    }

    /// <summary>The round for the admin: every answer with its author, the consensus per item, and each participant's disagreement. Null when not found.</summary>
    public async Task<CalibrationReport?> ReportAsync(Guid orgId, Guid projectId, int number, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        var round = project is null ? null : await FindAsync(db, projectId, number, ct);
        if (project is null || round is null)
        {
            return null;
        }

        var state = await LoadAsync(db, round, ct);
        var names = await db.Users.Where(u => state.Participants.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var attributes = project.Settings.Attributes.ToDictionary(a => a.Key, a => a.Name, StringComparer.Ordinal);
        var items = new List<CalibrationItemReport>();
        foreach (var (roundItem, item) in state.Items)
        {
            var answers = state.Answers.Where(a => a.ItemId == item.Id).OrderBy(a => names.GetValueOrDefault(a.AnnotatorId), StringComparer.Ordinal).ToList();
            var consensus = state.Consensus[item.Id];
            items.Add(new CalibrationItemReport(item.Id, item.ExternalId, roundItem.Position, GoldService.PromptPreview(item.ConversationJson),
                roundItem.Explanation, item.IsGold, roundItem.PromotedAt, consensus.Answers, consensus.ChoiceCounts, consensus.Choice, consensus.Split,
                Finite(consensus.ChoiceAgreement), Scores(consensus, attributes), consensus.Differed.Count(d => d.Value.Count > 0), Finite(consensus.DifferedShare),
                [.. answers.Select(a => new CalibrationAnswerView(a.AnnotatorId, names.GetValueOrDefault(a.AnnotatorId) ?? "", a.Choice, a.Scores,
                    a.Rationale, consensus.Differed[Key(a.AnnotatorId)], a.UpdatedAt))]));
        }

        var annotators = state.Participants.Select(id =>
        {
            var mine = state.Answers.Where(a => a.AnnotatorId == id).ToList();
            var compared = mine.Where(a => Compared(state.Consensus[a.ItemId], a)).ToList();
            var differed = compared.Count(a => state.Consensus[a.ItemId].Differed[Key(id)].Count > 0);
            var distances = mine.SelectMany(a => (a.Scores ?? []).Select(s =>
                Math.Abs(s.Value - state.Consensus[a.ItemId].Scores.First(c => c.Key == s.Key).Median))).ToList();
            return new CalibrationAnnotatorReport(id, names.GetValueOrDefault(id) ?? "", mine.Count, compared.Count, differed,
                compared.Count == 0 ? null : (double)differed / compared.Count, distances.Count == 0 ? null : distances.Average());
        }).OrderByDescending(a => a.DifferedShare ?? -1).ThenBy(a => a.Name, StringComparer.Ordinal).ToList();

        return new CalibrationReport(await ViewAsync(db, round, ct), project.Kind, items, annotators, Finite(Alpha(project.Kind, state.Answers)));
    }

    /// <summary>Sets the admin's explanation of an item (Markdown), open or closed; false when the round or item is not found.</summary>
    /// <exception cref="PortalValidationException">Too long.</exception>
    public async Task<bool> SetExplanationAsync(Guid orgId, Guid projectId, int number, Guid itemId, string? explanation, CancellationToken ct = default)
    {
        if (explanation?.Length > MaxExplanationLength)
        {
            throw new PortalValidationException("explanation", $"An explanation is at most {MaxExplanationLength} characters.");
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        var round = await FindAsync(db, projectId, number, ct);
        return round is not null && await db.CalibrationRoundItems.Where(i => i.RoundId == round.Id && i.ItemId == itemId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Explanation, explanation == null ? "" : explanation.Trim()), ct) == 1;
    }

    /// <summary>Closes the round: answers become final and participants see the feedback. Null when not found.</summary>
    /// <exception cref="CalibrationConflictException">Already closed.</exception>
    public async Task<CalibrationRoundView?> CloseAsync(Guid orgId, Guid projectId, int number, Guid adminId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var round = await FindAsync(db, projectId, number, ct);
        if (round is null)
        {
            return null;
        }

        var now = Now;
        var closed = await db.CalibrationRounds.Where(r => r.Id == round.Id && r.Status == CalibrationStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, CalibrationStatus.Closed).SetProperty(r => r.ClosedAt, now)
                .SetProperty(r => r.ClosedByUserId, adminId), ct);
        if (closed == 0)
        {
            throw new CalibrationConflictException($"Calibration round {number} is closed already.");
        }

        return await ViewAsync(db, round, ct);
    }

    /// <summary>
    /// Makes a calibrated item gold with the round's consensus as the expected answer (the median of each attribute,
    /// rounded) and the admin's explanation as its reason. Null when the round or item is not found.
    /// </summary>
    /// <exception cref="CalibrationConflictException">The round is still open, or the item is gold already.</exception>
    /// <exception cref="ValidationProblemsException">No consensus to make gold, or no explanation written.</exception>
    public async Task<ItemRow?> PromoteAsync(Guid orgId, Guid projectId, int number, Guid itemId, CancellationToken ct = default)
    {
        GoldInput input;
        Guid roundId;
        await using (var db = dbFactory.CreateForTenant(orgId))
        {
            var round = await FindAsync(db, projectId, number, ct);
            var roundItem = round is null ? null : await db.CalibrationRoundItems.AsNoTracking().FirstOrDefaultAsync(i => i.RoundId == round.Id && i.ItemId == itemId, ct);
            var item = roundItem is null ? null : await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId, ct);
            if (round is null || roundItem is null || item is null)
            {
                return null;
            }

            if (round.Status == CalibrationStatus.Open)
            {
                throw new CalibrationConflictException("Close the round before you make its items gold: the consensus can still change.");
            }

            if (item.IsGold)
            {
                throw new CalibrationConflictException($"Item {item.ExternalId ?? item.Id.ToString()} is a gold item already.");
            }

            var votes = await db.CalibrationAnswers.AsNoTracking().Where(a => a.RoundId == round.Id && a.ItemId == itemId)
                .Select(a => new CalibrationVote(a.AnnotatorId.ToString(), a.Choice, a.Scores)).ToListAsync(ct);
            var consensus = CalibrationConsensus.Of(votes);
            var problems = new List<(string Field, string Message)>();
            if (consensus.Answers == 0)
            {
                problems.Add(("consensus", "Nobody answered this item, so there is no consensus to make gold."));
            }
            else if (consensus.Split)
            {
                problems.Add(("consensus", "The group was split on this item: there is no single answer to make gold."));
            }

            if (string.IsNullOrWhiteSpace(roundItem.Explanation))
            {
                problems.Add(("explanation", "Write the explanation first: it becomes the gold item's reason."));
            }

            if (problems.Count > 0)
            {
                throw new ValidationProblemsException(problems);
            }

            roundId = round.Id;
            input = new GoldInput(consensus.Choice,
                consensus.Scores.Count == 0 ? null : consensus.Scores.ToDictionary(s => s.Key, s => (int)Math.Round(s.Median, MidpointRounding.AwayFromZero)),
                Tolerance: (int)CalibrationConsensus.ScoreTolerance, Explanation: roundItem.Explanation);
        }

        var row = await gold.SetGoldAsync(orgId, projectId, itemId, input, ct);
        await using (var db = dbFactory.CreateForTenant(orgId))
        {
            var now = Now;
            await db.CalibrationRoundItems.Where(i => i.RoundId == roundId && i.ItemId == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.PromotedAt, now), ct);
        }

        return row;
    }

    /// <summary>The annotator's rounds in the organisation, open ones first.</summary>
    public async Task<IReadOnlyList<MyCalibrationRound>> MineAsync(Guid orgId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var rows = await db.CalibrationRounds.AsNoTracking()
            .Where(r => db.CalibrationParticipants.Any(p => p.RoundId == r.Id && p.AnnotatorId == annotatorId))
            .Select(r => new MyCalibrationRound(r.ProjectId, db.Projects.Where(p => p.Id == r.ProjectId).Select(p => p.Name).First(), r.Number, r.Title,
                r.Status, db.CalibrationRoundItems.Count(i => i.RoundId == r.Id),
                db.CalibrationAnswers.Count(a => a.RoundId == r.Id && a.AnnotatorId == annotatorId), r.OpenedAt, r.ClosedAt))
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => r.Status).ThenByDescending(r => r.OpenedAt)];
    }

    /// <summary>The round as the participant sees it; null when it is not found or they are not a participant.</summary>
    public async Task<CalibrationSheet?> SheetAsync(Guid orgId, Guid projectId, int number, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        var round = project is null ? null : await FindAsync(db, projectId, number, ct);
        if (project is null || round is null || !await db.CalibrationParticipants.AnyAsync(p => p.RoundId == round.Id && p.AnnotatorId == annotatorId, ct))
        {
            return null;
        }

        var state = await LoadAsync(db, round, ct);
        var closed = round.Status == CalibrationStatus.Closed;
        var attributes = project.Settings.Attributes.ToDictionary(a => a.Key, a => a.Name, StringComparer.Ordinal);
        var me = Key(annotatorId);
        var items = state.Items.Select(x =>
        {
            var (roundItem, item) = x;
            var mine = state.Answers.FirstOrDefault(a => a.ItemId == item.Id && a.AnnotatorId == annotatorId);
            CalibrationItemFeedback? feedback = null;
            if (closed)
            {
                var consensus = state.Consensus[item.Id];
                feedback = new CalibrationItemFeedback(consensus.Answers, consensus.ChoiceCounts, consensus.Choice, consensus.Split, Scores(consensus, attributes),
                    consensus.Differed.GetValueOrDefault(me) ?? [], roundItem.Explanation,
                    [.. state.Answers.Where(a => a.ItemId == item.Id && a.AnnotatorId != annotatorId && !string.IsNullOrWhiteSpace(a.Rationale))
                        .Select(a => a.Rationale!)]);
            }

            return new CalibrationSheetItem(item.Id, roundItem.Position, JsonSerializer.Deserialize<List<Turn>>(item.ConversationJson, ProjectSettings.Json) ?? [],
                item.ResponseA, item.ResponseB, mine is null ? null : new MyCalibrationAnswer(mine.Choice, mine.Scores, mine.Rationale, mine.UpdatedAt), feedback);
        }).ToList();
        var differed = closed ? state.Consensus.Values.Count(c => c.Differed.GetValueOrDefault(me)?.Count > 0) : 0;
        return new CalibrationSheet(await ViewAsync(db, round, ct), project.Name, project.Kind, project.Settings.Pairwise, project.Settings.Attributes, items,
            items.Count(i => i.Mine is not null), differed);
    }

    /// <summary>
    /// Stores or replaces the participant's answer to one item while the round is open. The same answer sent twice
    /// changes nothing. Null when the round or item is not found or they are not a participant.
    /// </summary>
    /// <exception cref="CalibrationConflictException">The round is closed.</exception>
    /// <exception cref="ValidationProblemsException">The answer does not fit the project: a missing or unknown choice, a score off the scale, a missing attribute.</exception>
    public async Task<MyCalibrationAnswer?> AnswerAsync(Guid orgId, Guid projectId, int number, Guid annotatorId, Guid itemId, CalibrationAnswerInput input,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        var round = project is null ? null : await FindAsync(db, projectId, number, ct);
        if (project is null || round is null
            || !await db.CalibrationParticipants.AnyAsync(p => p.RoundId == round.Id && p.AnnotatorId == annotatorId, ct)
            || !await db.CalibrationRoundItems.AnyAsync(i => i.RoundId == round.Id && i.ItemId == itemId, ct))
        {
            return null;
        }

        if (round.Status != CalibrationStatus.Open)
        {
            throw new CalibrationConflictException($"Calibration round {number} is closed: its answers are final.");
        }

        var problems = Check(project, input).ToList();
        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var scores = input.Scores is { Count: > 0 } s ? new Dictionary<string, int>(s, StringComparer.Ordinal) : null;
        var rationale = string.IsNullOrWhiteSpace(input.Rationale) ? null : input.Rationale.Trim();
        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var answer = await db.CalibrationAnswers.FirstOrDefaultAsync(a => a.RoundId == round.Id && a.ItemId == itemId && a.AnnotatorId == annotatorId, ct);
            // Whole microseconds, as PostgreSQL keeps them: the time a replay reads back equals the one first returned.
            var ticks = Now.Ticks;
            var now = new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
            if (answer is null)
            {
                answer = new CalibrationAnswer { RoundId = round.Id, ItemId = itemId, AnnotatorId = annotatorId, CreatedAt = now };
                db.CalibrationAnswers.Add(answer);
            }
            else if (answer.Choice == input.Choice && SameScores(answer.Scores, scores) && answer.Rationale == rationale)
            {
                return new MyCalibrationAnswer(answer.Choice, answer.Scores, answer.Rationale, answer.UpdatedAt);
            }

            answer.Choice = input.Choice;
            answer.Scores = scores;
            answer.Rationale = rationale;
            answer.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(ct);
                return new MyCalibrationAnswer(answer.Choice, answer.Scores, answer.Rationale, answer.UpdatedAt);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // The same participant's other request stored the first answer at the same moment: update that one.
            }
        }
    }

    /// <summary>What is wrong with an answer for this project, as (field, message) pairs.</summary>
    public static IEnumerable<(string Field, string Message)> Check(Project project, CalibrationAnswerInput input)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(input);
        var pairwise = project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;
        var likert = project.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise;
        var options = project.Settings.Pairwise;
        if (!pairwise && input.Choice is not null)
        {
            yield return ("choice", "A Likert project's answer is scores, not a choice.");
        }
        else if (pairwise && input.Choice is not { } choice)
        {
            yield return ("choice", "Choose A, B" + (options.AllowTie ? ", Tie" : "") + (options.AllowBothBad ? ", BothBad" : "") + ".");
        }
        else if (pairwise && (!Enum.IsDefined(input.Choice!.Value) || (input.Choice == PreferenceChoice.Tie && !options.AllowTie)
            || (input.Choice == PreferenceChoice.BothBad && !options.AllowBothBad)))
        {
            yield return ("choice", $"The project does not allow the choice {input.Choice}.");
        }

        var scores = input.Scores ?? new Dictionary<string, int>();
        if (!likert && scores.Count > 0)
        {
            yield return ("scores", "A pairwise project's answer is a choice, not scores.");
        }
        else if (likert)
        {
            var attributes = project.Settings.Attributes.ToDictionary(a => a.Key, StringComparer.Ordinal);
            foreach (var key in scores.Keys.Where(k => !attributes.ContainsKey(k)).Order(StringComparer.Ordinal))
            {
                yield return ($"scores.{key}", $"The project has no attribute '{key}'.");
            }

            foreach (var a in project.Settings.Attributes)
            {
                if (!scores.TryGetValue(a.Key, out var value))
                {
                    yield return ($"scores.{a.Key}", $"Rate {a.Name} ({a.Min}–{a.Max}).");
                }
                else if (value < a.Min || value > a.Max)
                {
                    yield return ($"scores.{a.Key}", $"{a.Name} is rated {a.Min}–{a.Max}, not {value.ToString(CultureInfo.InvariantCulture)}.");
                }
            }
        }

        if (input.Rationale?.Length > MaxRationaleLength)
        {
            yield return ("rationale", $"A rationale is at most {MaxRationaleLength} characters.");
        }
    }

    private static bool SameScores(Dictionary<string, int>? a, Dictionary<string, int>? b) =>
        (a is null || a.Count == 0) ? (b is null || b.Count == 0) : b is not null && a.Count == b.Count && a.All(x => b.TryGetValue(x.Key, out var v) && v == x.Value);

    /// <summary>
    /// Annotators of the organisation who may work on the project (all of them, or the chosen ones when the project takes
    /// chosen annotators only) and are not paused in it.
    /// </summary>
    private static Task<List<Guid>> ActiveAnnotatorsAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        return db.Memberships.Where(m => (m.Roles & OrgRoles.Annotator) != 0
                && !db.ProjectAnnotators.Any(s => s.ProjectId == projectId && s.AnnotatorId == m.UserId && s.PausedAt != null)
                && (!db.Projects.Any(p => p.Id == projectId && p.ChosenAnnotatorsOnly)
                    || db.ProjectAnnotators.Any(s => s.ProjectId == projectId && s.AnnotatorId == m.UserId && s.Chosen)))
            .Select(m => m.UserId).ToListAsync(ct);
    }

    private static Task<CalibrationRound?> FindAsync(PortalDbContext db, Guid projectId, int number, CancellationToken ct) =>
        db.CalibrationRounds.AsNoTracking().FirstOrDefaultAsync(r => r.ProjectId == projectId && r.Number == number, ct);

    /// <summary>Rounds as views, with their counts, in one query.</summary>
    private static IQueryable<CalibrationRoundView> Views(PortalDbContext db, IQueryable<CalibrationRound> rounds) =>
        rounds.Select(r => new CalibrationRoundView(r.Number, r.Title, r.Status, r.GuidelineVersion, r.OpenedAt,
            db.Users.Where(u => u.Id == r.OpenedByUserId).Select(u => u.DisplayName).FirstOrDefault() ?? "", r.ClosedAt,
            db.CalibrationRoundItems.Count(i => i.RoundId == r.Id), db.CalibrationParticipants.Count(p => p.RoundId == r.Id),
            db.CalibrationAnswers.Count(a => a.RoundId == r.Id)));

    /// <summary>The round as stored now (after an update made with <c>ExecuteUpdate</c> too).</summary>
    private static Task<CalibrationRoundView> ViewAsync(PortalDbContext db, CalibrationRound round, CancellationToken ct) =>
        Views(db, db.CalibrationRounds.Where(r => r.Id == round.Id)).FirstAsync(ct);

    private sealed record RoundState(IReadOnlyList<(CalibrationRoundItem RoundItem, Item Item)> Items, IReadOnlyList<CalibrationAnswer> Answers,
        IReadOnlyList<Guid> Participants, IReadOnlyDictionary<Guid, ItemConsensus> Consensus);

    private static async Task<RoundState> LoadAsync(PortalDbContext db, CalibrationRound round, CancellationToken ct)
    {
        var roundItems = await db.CalibrationRoundItems.AsNoTracking().Where(i => i.RoundId == round.Id).OrderBy(i => i.Position).ToListAsync(ct);
        var ids = roundItems.Select(i => i.ItemId).ToList();
        var items = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var answers = await db.CalibrationAnswers.AsNoTracking().Where(a => a.RoundId == round.Id).ToListAsync(ct);
        var participants = await db.CalibrationParticipants.AsNoTracking().Where(p => p.RoundId == round.Id).Select(p => p.AnnotatorId).ToListAsync(ct);
        var consensus = ids.ToDictionary(id => id, id => CalibrationConsensus.Of(
            [.. answers.Where(a => a.ItemId == id).Select(a => new CalibrationVote(Key(a.AnnotatorId), a.Choice, a.Scores))]));
        return new RoundState([.. roundItems.Where(i => items.ContainsKey(i.ItemId)).Select(i => (i, items[i.ItemId]))], answers, participants, consensus);
    }

    private static string Key(Guid annotatorId) => annotatorId.ToString();

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Whether the answer could be held against a consensus: a choice where the group agreed on one, or scores.</summary>
    private static bool Compared(ItemConsensus consensus, CalibrationAnswer answer) =>
        (answer.Choice is not null && consensus.Choice is not null) || answer.Scores is { Count: > 0 };

    private static List<CalibrationScoreView> Scores(ItemConsensus consensus, Dictionary<string, string> names) =>
        [.. consensus.Scores.Select(s => new CalibrationScoreView(s.Key, names.GetValueOrDefault(s.Key) ?? s.Key, s.Median, s.MeanDistance, s.Counts))];

    /// <summary>Krippendorff's α over the round: nominal on the choices of a pairwise project, ordinal on every (item, attribute) score of a Likert one.</summary>
    private static double Alpha(ProjectKind kind, IReadOnlyList<CalibrationAnswer> answers)
    {
        var table = new RatingTableBuilder();
        foreach (var a in answers)
        {
            if (kind != ProjectKind.Likert && a.Choice is { } choice)
            {
                table.Add(a.ItemId.ToString(), a.AnnotatorId.ToString(), (double)choice);
            }
            else if (kind == ProjectKind.Likert)
            {
                foreach (var (key, value) in a.Scores ?? [])
                {
                    table.Add($"{a.ItemId}/{key}", a.AnnotatorId.ToString(), value);
                }
            }
        }

        return table.Count == 0 ? double.NaN : AgreementMetrics.KrippendorffAlpha(table.Build(), kind == ProjectKind.Likert ? MeasurementLevel.Ordinal : MeasurementLevel.Nominal);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
