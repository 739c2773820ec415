using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.App.Features.Guidelines;

/// <summary>What an admin sets for the qualification test: gold items in order, a pass mark (0…1), tries (0 unlimited), a cool-down in minutes.</summary>
public sealed record QualificationTestInput(IReadOnlyList<Guid>? ItemIds, double PassMark = 0.8, int MaxAttempts = 3, int CooldownMinutes = 60);

/// <summary>
/// The test as configured, with its items' external ids. <see cref="CreatedAt"/> is set once: annotators who annotated
/// in the project before it are not required to take the test (until a major guideline change published after it).
/// </summary>
public sealed record QualificationTestView(IReadOnlyList<Guid> ItemIds, IReadOnlyList<string?> ExternalIds, double PassMark, int MaxAttempts,
    int CooldownMinutes, DateTime UpdatedAt, DateTime CreatedAt);

/// <summary>
/// A test item as the annotator sees it in this try, in display terms: the responses on the left and right (sides
/// swapped at random for a pair), nothing that tells which side is response A or gives the answer away. The
/// attributes are rated for the left response and, for a pair, for the right one too.
/// </summary>
public sealed record QualificationItemView(Guid ItemId, IReadOnlyList<Turn> Conversation, string Left, string? Right,
    IReadOnlyList<AttributeDefinition> Attributes);

/// <summary>
/// The test to take, and where the annotator stands. <see cref="Items"/> are in this try's shuffled order, and empty
/// unless the annotator may take a try now; <see cref="Attempt"/> is the try number the layout belongs to (send it back with the answers).
/// </summary>
public sealed record QualificationSheet(ProjectKind Kind, PairwiseOptions Pairwise, IReadOnlyList<QualificationItemView> Items, QualificationStatus Status,
    double PassMark, int Attempt);

/// <summary>
/// One answer, in display terms: a pairwise choice (Left, Right, Tie, BothBad) and/or Likert scores by attribute key
/// of the left (or only) response, and of the right response for a pair.
/// </summary>
public sealed record QualificationAnswer(Guid ItemId, ShownChoice? Choice = null, IReadOnlyDictionary<string, int>? Scores = null,
    IReadOnlyDictionary<string, int>? ScoresRight = null);

/// <summary>
/// An answer as kept with the attempt, in the item's terms: the choice (A is response A), the scores of response A
/// (and of B when both were rated), whether it was right, and how it was shown (the 0-based place and whether A was on the left).
/// </summary>
public sealed record QualificationAnswerRecord(Guid ItemId, PreferenceChoice? Choice, IReadOnlyDictionary<string, int>? Scores, bool Correct,
    int? Position = null, bool? LeftIsA = null, IReadOnlyDictionary<string, int>? ScoresB = null);

/// <summary>An annotator who need not take the test: they annotated in the project before it was created.</summary>
public sealed record QualificationExemption(Guid AnnotatorId, string Annotator, DateTime FirstAnnotatedAt);

/// <summary>
/// Who is grandfathered: the annotators who annotated before the test was created (<see cref="Before"/>), unless a
/// major guideline change published since (<see cref="EndedByVersion"/>) requires everyone to qualify.
/// </summary>
public sealed record QualificationGrandfathering(DateTime? Before, int? EndedByVersion, IReadOnlyList<QualificationExemption> Annotators);

/// <summary>An item's outcome as the annotator sees it after a try: right or not, and why (when the project shows gold explanations).</summary>
public sealed record QualificationItemResult(Guid ItemId, bool Correct, string? Explanation);

public sealed record QualificationResult(Guid AttemptId, bool Passed, int Correct, int Total, double PassMark, IReadOnlyList<QualificationItemResult> Items,
    QualificationStatus Status);

/// <summary>A try as the admin's results list shows it.</summary>
public sealed record QualificationAttemptView(Guid Id, Guid AnnotatorId, string Annotator, DateTime CreatedAt, int Correct, int Total, double PassMark,
    bool Passed, int? GuidelineVersion, bool Voided, IReadOnlyList<QualificationAnswerRecord> Answers);

/// <summary>Qualification tests: the admin builds one from gold items; annotators take it; every try and answer is kept.</summary>
public sealed class QualificationService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxItems = 50;
    public const int MaxAttemptsLimit = 20;
    public const int MaxCooldownMinutes = 10080;

    /// <summary>The test; (false, null) when there is no such project, (true, null) when it has no test.</summary>
    public async Task<(bool Exists, QualificationTestView? Test)> GetTestAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return (false, null);
        }

        var test = await db.QualificationTests.AsNoTracking().FirstOrDefaultAsync(t => t.ProjectId == projectId, ct);
        if (test is null)
        {
            return (true, null);
        }

        var ids = await db.Items.Where(i => test.ItemIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.ExternalId, ct);
        return (true, new QualificationTestView(test.ItemIds, [.. test.ItemIds.Select(id => ids.GetValueOrDefault(id))], test.PassMark, test.MaxAttempts,
            test.CooldownMinutes, test.UpdatedAt, test.CreatedAt));
    }

    /// <summary>Creates or replaces the test; null when there is no such project.</summary>
    /// <exception cref="ValidationProblemsException">No items, an item that is not a gold item of the project, a value out of range.</exception>
    public async Task<QualificationTestView?> SetTestAsync(Guid orgId, Guid projectId, QualificationTestInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var ids = (input.ItemIds ?? []).Distinct().ToList();
        var problems = new List<(string Field, string Message)>();
        if (ids.Count is 0 or > MaxItems)
        {
            problems.Add(("itemIds", $"A qualification test has 1 to {MaxItems} gold items."));
        }
        else
        {
            var gold = await db.Items.Where(i => i.ProjectId == projectId && ids.Contains(i.Id) && i.IsGold && i.Gold != null).Select(i => i.Id).ToListAsync(ct);
            foreach (var (id, index) in ids.Select((id, index) => (id, index)).Where(x => !gold.Contains(x.id)))
            {
                problems.Add(($"itemIds[{index}]", $"Item {id} is not a gold item of this project."));
            }
        }

        if (input.PassMark is <= 0 or > 1 || double.IsNaN(input.PassMark))
        {
            problems.Add(("passMark", "The pass mark is a share of correct answers above 0 and at most 1."));
        }

        if (input.MaxAttempts is < 0 or > MaxAttemptsLimit)
        {
            problems.Add(("maxAttempts", $"Tries are 0 (unlimited) to {MaxAttemptsLimit}."));
        }

        if (input.CooldownMinutes is < 0 or > MaxCooldownMinutes)
        {
            problems.Add(("cooldownMinutes", $"The cool-down is 0 to {MaxCooldownMinutes} minutes (a week)."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var now = Now;
        var test = await db.QualificationTests.FirstOrDefaultAsync(t => t.ProjectId == projectId, ct);
        if (test is null)
        {
            test = new QualificationTest { ProjectId = projectId, CreatedAt = now };
            db.QualificationTests.Add(test);
        }

        test.ItemIds = ids;
        test.PassMark = input.PassMark;
        test.MaxAttempts = input.MaxAttempts;
        test.CooldownMinutes = input.CooldownMinutes;
        test.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return (await GetTestAsync(orgId, projectId, ct)).Test;
    }

    /// <summary>Removes the test (tries already made are kept); false when there is no such project.</summary>
    public async Task<bool> ClearTestAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return false;
        }

        await db.QualificationTests.Where(t => t.ProjectId == projectId).ExecuteDeleteAsync(ct);
        return true;
    }

    /// <summary>Every try in the project, newest first, with its answers; null when there is no such project.</summary>
    public async Task<IReadOnlyList<QualificationAttemptView>?> AttemptsAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var rows = await db.QualificationAttempts.AsNoTracking().Where(a => a.ProjectId == projectId)
            .OrderByDescending(a => a.CreatedAt)
            .Select(a => new { Attempt = a, Name = db.Users.Where(u => u.Id == a.AnnotatorId).Select(u => u.DisplayName).FirstOrDefault() })
            .ToListAsync(ct);
        return [.. rows.Select(r => new QualificationAttemptView(r.Attempt.Id, r.Attempt.AnnotatorId, r.Name ?? "", r.Attempt.CreatedAt, r.Attempt.Correct,
            r.Attempt.Total, r.Attempt.PassMark, r.Attempt.Passed, r.Attempt.GuidelineVersion, r.Attempt.VoidedAt is not null,
            JsonSerializer.Deserialize<List<QualificationAnswerRecord>>(r.Attempt.AnswersJson, ProjectSettings.Json) ?? []))];
    }

    /// <summary>
    /// The annotators who need not take the test because they annotated in the project before it was created, or why
    /// nobody is (no test, or a major guideline change since); null when there is no such project.
    /// </summary>
    public async Task<QualificationGrandfathering?> GrandfatheredAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var test = await db.QualificationTests.AsNoTracking().FirstOrDefaultAsync(t => t.ProjectId == projectId, ct);
        if (test is null)
        {
            return new QualificationGrandfathering(null, null, []);
        }

        var ended = await GuidelineGates.MajorChangeSinceAsync(db, projectId, test.CreatedAt, ct);
        if (ended is not null)
        {
            return new QualificationGrandfathering(test.CreatedAt, ended, []);
        }

        var rows = await db.Annotations.Where(a => a.ProjectId == projectId && a.CreatedAt < test.CreatedAt && a.ExternalRaterId == null)
            .GroupBy(a => a.AnnotatorId)
            .Select(g => new { AnnotatorId = g.Key, First = g.Min(a => a.CreatedAt) })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.AnnotatorId).ToList();
        var names = await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return new QualificationGrandfathering(test.CreatedAt, null, [.. rows
            .Select(r => new QualificationExemption(r.AnnotatorId, names.GetValueOrDefault(r.AnnotatorId) ?? "", r.First))
            .OrderBy(e => e.Annotator, StringComparer.Ordinal).ThenBy(e => e.AnnotatorId)]);
    }

    /// <summary>Gives the annotator their tries back: their failed tries stay on record but no longer count. False when there is no such project.</summary>
    public async Task<bool> ResetAttemptsAsync(Guid orgId, Guid projectId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return false;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await db.QualificationAttempts.Where(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId && !a.Passed && a.VoidedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.VoidedAt, now), ct);
        return true;
    }

    /// <summary>The test as the annotator takes it, and their status; null when there is no such project.</summary>
    public async Task<QualificationSheet?> SheetAsync(Guid orgId, Guid projectId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var status = await GuidelineGates.QualificationStatusAsync(db, projectId, annotatorId, Now, ct);
        var test = await db.QualificationTests.AsNoTracking().FirstOrDefaultAsync(t => t.ProjectId == projectId, ct);
        var attempt = await NextTryAsync(db, projectId, annotatorId, ct);
        if (test is null)
        {
            return new QualificationSheet(project.Kind, project.Settings.Pairwise, [], status, 0, attempt);
        }

        if (!CanTakeNow(status))
        {
            // Nothing to answer now (passed, not required, no tries left, cooling down): the questions stay hidden.
            return new QualificationSheet(project.Kind, project.Settings.Pairwise, [], status, test.PassMark, attempt);
        }

        var items = await db.Items.AsNoTracking().Where(i => test.ItemIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var views = Layout(test, items, annotatorId, attempt).Select(slot =>
        {
            var i = items[slot.ItemId];
            var (left, right) = slot.LeftIsA ? (i.ResponseA, i.ResponseB) : (i.ResponseB!, i.ResponseA);
            return new QualificationItemView(i.Id, JsonSerializer.Deserialize<List<Turn>>(i.ConversationJson, ProjectSettings.Json) ?? [], left, right,
                [.. project.Settings.Attributes.Where(a => i.Gold?.Scores?.ContainsKey(a.Key) == true)]);
        });
        return new QualificationSheet(project.Kind, project.Settings.Pairwise, [.. views], status, test.PassMark, attempt);
    }

    /// <summary>
    /// Scores a try against the gold answers and keeps it with every answer; null when there is no such project. The
    /// answers are in display terms of this try's layout (<see cref="SheetAsync"/>) and are mapped back to the items'
    /// A and B before they are scored and stored. <paramref name="attempt"/> is the sheet's try number: a sheet of an
    /// earlier try (answered in another tab meanwhile) is refused rather than mapped with the wrong layout.
    /// </summary>
    /// <exception cref="PortalValidationException">
    /// No test, already passed or not required, no tries left, in the cool-down, a stale sheet, or an item left unanswered (named).
    /// </exception>
    public async Task<QualificationResult?> SubmitAsync(Guid orgId, Guid projectId, Guid annotatorId, IReadOnlyList<QualificationAnswer> answers,
        int? attempt = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(answers);
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var now = Now;
        var status = await GuidelineGates.QualificationStatusAsync(db, projectId, annotatorId, now, ct);
        if (!status.HasTest)
        {
            throw new PortalValidationException("test", "This project has no qualification test.");
        }

        if (status.Passed)
        {
            throw new PortalValidationException("test", "You already passed the qualification test.");
        }

        if (!CanTakeNow(status))
        {
            throw new PortalValidationException("test", status.Message);
        }

        var tryNumber = await NextTryAsync(db, projectId, annotatorId, ct);
        if (attempt is { } sheetTry && sheetTry != tryNumber)
        {
            throw new PortalValidationException("attempt", "This test sheet belongs to an earlier try; reload the page to take the test again.");
        }

        var test = await db.QualificationTests.AsNoTracking().FirstAsync(t => t.ProjectId == projectId, ct);
        var items = await db.Items.AsNoTracking().Where(i => test.ItemIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var given = new Dictionary<Guid, QualificationAnswer>();
        foreach (var answer in answers)
        {
            if (answer is null || !items.ContainsKey(answer.ItemId))
            {
                throw new PortalValidationException("answers", $"Item {answer?.ItemId} is not part of this test.");
            }

            given[answer.ItemId] = answer;
        }

        var records = new List<QualificationAnswerRecord>();
        var results = new List<QualificationItemResult>();
        foreach (var slot in Layout(test, items, annotatorId, tryNumber))
        {
            var (item, index) = (items[slot.ItemId], slot.Position);
            var gold = item.Gold!;
            var pair = item.ResponseB is not null;
            if (!given.TryGetValue(item.Id, out var answer)
                || (gold.Choice is not null && answer.Choice is null)
                || gold.Scores?.Keys.Any(k => answer.Scores?.ContainsKey(k) != true || (pair && answer.ScoresRight?.ContainsKey(k) != true)) == true)
            {
                throw new PortalValidationException($"answers[{index}]", $"Answer question {index + 1} of the test.");
            }

            // Back from the sides this try showed to the item's own terms: what is scored and kept is about A and B.
            if (answer.Choice is { } bad && !Enum.IsDefined(bad))
            {
                throw new PortalValidationException($"answers[{index}]", $"Question {index + 1}: choose left, right, tie or both bad.");
            }

            var choice = answer.Choice is { } shown ? TaskService.ToItem(shown, slot.LeftIsA) : (PreferenceChoice?)null;
            var (scoresA, scoresB) = !pair || slot.LeftIsA ? (answer.Scores, pair ? answer.ScoresRight : null) : (answer.ScoresRight, answer.Scores);
            var correct = gold.IsMatchedBy(choice, scoresA);
            records.Add(new QualificationAnswerRecord(item.Id, choice, scoresA, correct, index, pair ? slot.LeftIsA : null, scoresB));
            results.Add(new QualificationItemResult(item.Id, correct, project.Settings.Gold.ShowExplanation ? gold.Explanation : null));
        }

        var right = records.Count(r => r.Correct);
        var passed = records.Count > 0 && (double)right / records.Count >= test.PassMark - 1e-9;
        var stored = new QualificationAttempt
        {
            ProjectId = projectId,
            AnnotatorId = annotatorId,
            GuidelineVersion = await GuidelineGates.CurrentVersionAsync(db, projectId, ct),
            Correct = right,
            Total = records.Count,
            PassMark = test.PassMark,
            Passed = passed,
            AnswersJson = JsonSerializer.Serialize(records, ProjectSettings.Json),
            CreatedAt = now,
        };
        db.QualificationAttempts.Add(stored);
        await db.SaveChangesAsync(ct);
        var after = await GuidelineGates.QualificationStatusAsync(db, projectId, annotatorId, now, ct);
        return new QualificationResult(stored.Id, passed, right, records.Count, test.PassMark, results, after);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Whether the annotator may take a try now: the test is required of them, with a try left and no cool-down running.</summary>
    private static bool CanTakeNow(QualificationStatus status) =>
        status.Required && status.AttemptsLeft != 0 && status.NextAttemptAt is null;

    /// <summary>The number of the annotator's next try: one above every try they made in the project, reset or not, so no two tries share a layout.</summary>
    private static async Task<int> NextTryAsync(PortalDbContext db, Guid projectId, Guid annotatorId, CancellationToken ct) =>
        await db.QualificationAttempts.CountAsync(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId, ct) + 1;

    /// <summary>This try's layout of the test items that still exist.</summary>
    private static IReadOnlyList<QualificationSlot> Layout(QualificationTest test, Dictionary<Guid, Item> items, Guid annotatorId, int attempt) =>
        QualificationLayout.For(test.Id, annotatorId, attempt, test.ItemIds.Where(items.ContainsKey).Select(id => (id, items[id].ResponseB is not null)));
}
