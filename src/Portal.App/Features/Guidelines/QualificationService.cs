using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;

namespace Portal.App.Features.Guidelines;

/// <summary>What an admin sets for the qualification test: gold items in order, a pass mark (0…1), tries (0 unlimited), a cool-down in minutes.</summary>
public sealed record QualificationTestInput(IReadOnlyList<Guid>? ItemIds, double PassMark = 0.8, int MaxAttempts = 3, int CooldownMinutes = 60);

/// <summary>The test as configured, with its items' external ids.</summary>
public sealed record QualificationTestView(IReadOnlyList<Guid> ItemIds, IReadOnlyList<string?> ExternalIds, double PassMark, int MaxAttempts,
    int CooldownMinutes, DateTime UpdatedAt);

/// <summary>A test item as the annotator answers it: in the item's own terms (A and B), nothing that gives the answer away.</summary>
public sealed record QualificationItemView(Guid ItemId, IReadOnlyList<Turn> Conversation, string ResponseA, string? ResponseB,
    IReadOnlyList<AttributeDefinition> Attributes);

/// <summary>The test to take, and where the annotator stands.</summary>
public sealed record QualificationSheet(ProjectKind Kind, PairwiseOptions Pairwise, IReadOnlyList<QualificationItemView> Items, QualificationStatus Status, double PassMark);

/// <summary>One answer: a pairwise choice (A, B, Tie, BothBad) and/or Likert scores of response A by attribute key.</summary>
public sealed record QualificationAnswer(Guid ItemId, PreferenceChoice? Choice = null, IReadOnlyDictionary<string, int>? Scores = null);

/// <summary>An answer as kept with the attempt.</summary>
public sealed record QualificationAnswerRecord(Guid ItemId, PreferenceChoice? Choice, IReadOnlyDictionary<string, int>? Scores, bool Correct);

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
            test.CooldownMinutes, test.UpdatedAt));
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

        var test = await db.QualificationTests.FirstOrDefaultAsync(t => t.ProjectId == projectId, ct);
        if (test is null)
        {
            test = new QualificationTest { ProjectId = projectId };
            db.QualificationTests.Add(test);
        }

        test.ItemIds = ids;
        test.PassMark = input.PassMark;
        test.MaxAttempts = input.MaxAttempts;
        test.CooldownMinutes = input.CooldownMinutes;
        test.UpdatedAt = clock.GetUtcNow().UtcDateTime;
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
        if (test is null)
        {
            return new QualificationSheet(project.Kind, project.Settings.Pairwise, [], status, 0);
        }

        var items = await db.Items.AsNoTracking().Where(i => test.ItemIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var views = test.ItemIds.Where(items.ContainsKey).Select(id => items[id]).Select(i => new QualificationItemView(i.Id,
            JsonSerializer.Deserialize<List<Turn>>(i.ConversationJson, ProjectSettings.Json) ?? [], i.ResponseA, i.ResponseB,
            [.. project.Settings.Attributes.Where(a => i.Gold?.Scores?.ContainsKey(a.Key) == true)]));
        return new QualificationSheet(project.Kind, project.Settings.Pairwise, [.. views], status, test.PassMark);
    }

    /// <summary>Scores a try against the gold answers and keeps it with every answer; null when there is no such project.</summary>
    /// <exception cref="PortalValidationException">No test, already passed, no tries left, in the cool-down, or an item left unanswered (named).</exception>
    public async Task<QualificationResult?> SubmitAsync(Guid orgId, Guid projectId, Guid annotatorId, IReadOnlyList<QualificationAnswer> answers, CancellationToken ct = default)
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

        if (status.AttemptsLeft == 0 || status.NextAttemptAt is not null)
        {
            throw new PortalValidationException("test", status.Message);
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
        var ordered = test.ItemIds.Where(items.ContainsKey).ToList();
        for (var index = 0; index < ordered.Count; index++)
        {
            var item = items[ordered[index]];
            var gold = item.Gold!;
            if (!given.TryGetValue(item.Id, out var answer)
                || (gold.Choice is not null && answer.Choice is null)
                || gold.Scores?.Keys.Any(k => answer.Scores?.ContainsKey(k) != true) == true)
            {
                throw new PortalValidationException($"answers[{index}]", $"Answer question {index + 1} of the test.");
            }

            var correct = gold.IsMatchedBy(answer.Choice, answer.Scores);
            records.Add(new QualificationAnswerRecord(item.Id, answer.Choice, answer.Scores, correct));
            results.Add(new QualificationItemResult(item.Id, correct, project.Settings.Gold.ShowExplanation ? gold.Explanation : null));
        }

        var right = records.Count(r => r.Correct);
        var passed = records.Count > 0 && (double)right / records.Count >= test.PassMark - 1e-9;
        var attempt = new QualificationAttempt
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
        db.QualificationAttempts.Add(attempt);
        await db.SaveChangesAsync(ct);
        var after = await GuidelineGates.QualificationStatusAsync(db, projectId, annotatorId, now, ct);
        return new QualificationResult(attempt.Id, passed, right, records.Count, test.PassMark, results, after);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
