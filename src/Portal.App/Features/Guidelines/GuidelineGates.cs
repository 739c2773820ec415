using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;

namespace Portal.App.Features.Guidelines;

/// <summary>
/// Whether an annotator may take a task: the current guidelines acknowledged, the qualification test passed since
/// the last major change. The task engine asks each gate once, after the pause check.
/// </summary>
public static class GuidelineGates
{
    /// <summary>Stops the annotator until they acknowledge the current guideline version; null lets them through.</summary>
    public static async Task<NextTaskResult?> AcknowledgementAsync(PortalDbContext db, Guid projectId, Guid annotatorId, CancellationToken ct)
    {
        var current = await CurrentVersionAsync(db, projectId, ct);
        return current is null ? null : Acknowledgement(current, await AcknowledgedVersionAsync(db, projectId, annotatorId, ct));
    }

    /// <summary>The same gate from versions already read: the current one (null when the project has no guidelines) and the annotator's latest acknowledged.</summary>
    public static NextTaskResult? Acknowledgement(int? current, int? acknowledged) =>
        current is null || acknowledged == current
            ? null
            : new NextTaskResult(NextTaskStatus.NeedsAcknowledgement, null,
                $"Version {current} of this project's guidelines has been published. Read it and acknowledge it before your next task.");

    /// <summary>Stops the annotator until they pass the project's qualification test; null lets them through.</summary>
    public static async Task<NextTaskResult?> QualificationAsync(PortalDbContext db, Guid projectId, Guid annotatorId, DateTime now, CancellationToken ct)
    {
        var status = await QualificationStatusAsync(db, projectId, annotatorId, now, ct);
        return status.Required ? new NextTaskResult(NextTaskStatus.NeedsQualification, null, status.Message) : null;
    }

    /// <summary>
    /// The items the current guideline version shows as examples (<c>@example(external-id)</c> lines). Their expected
    /// answers are printed in the guidelines, so the task engine never serves them as hidden gold checks.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> ExampleItemIdsAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var markdown = await db.GuidelineVersions.Where(v => v.ProjectId == projectId).OrderByDescending(v => v.Version)
            .Select(v => v.Markdown).FirstOrDefaultAsync(ct);
        var ids = markdown is null ? [] : Portal.Core.Text.GuidelineMarkup.ExampleIds(markdown);
        return ids.Count == 0 ? [] : await db.Items.Where(i => i.ProjectId == projectId && ids.Contains(i.ExternalId!)).Select(i => i.Id).ToListAsync(ct);
    }

    public static Task<int?> CurrentVersionAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        db.GuidelineVersions.Where(v => v.ProjectId == projectId).MaxAsync(v => (int?)v.Version, ct);

    public static Task<int?> AcknowledgedVersionAsync(PortalDbContext db, Guid projectId, Guid annotatorId, CancellationToken ct) =>
        db.GuidelineAcknowledgements.Where(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId).MaxAsync(a => (int?)a.Version, ct);

    /// <summary>The guideline version the annotator works under: the latest they acknowledged, else the current one (null when the project has none).</summary>
    public static async Task<int?> WorkingVersionAsync(PortalDbContext db, Guid projectId, Guid annotatorId, CancellationToken ct) =>
        await AcknowledgedVersionAsync(db, projectId, annotatorId, ct) ?? await CurrentVersionAsync(db, projectId, ct);

    /// <summary>The latest major guideline version published after <paramref name="since"/>; null when there is none.</summary>
    public static Task<int?> MajorChangeSinceAsync(PortalDbContext db, Guid projectId, DateTime since, CancellationToken ct) =>
        db.GuidelineVersions.Where(v => v.ProjectId == projectId && v.Change == GuidelineChange.Major && v.PublishedAt > since)
            .MaxAsync(v => (int?)v.Version, ct);

    /// <summary>
    /// The annotator's qualification: required while the project has a test and they have no pass made under the
    /// latest major guideline version (or any pass, when no change was major). Tries count from that version on.
    /// Not required of an annotator who annotated in the project before the test was created (grandfathered),
    /// until a major guideline change is published after the test's creation.
    /// </summary>
    public static async Task<QualificationStatus> QualificationStatusAsync(PortalDbContext db, Guid projectId, Guid annotatorId, DateTime now, CancellationToken ct)
    {
        var test = await db.QualificationTests.AsNoTracking().FirstOrDefaultAsync(t => t.ProjectId == projectId, ct);
        if (test is null || test.ItemIds.Count == 0)
        {
            return new QualificationStatus(HasTest: false, Required: false, Passed: false, 0, null, null, null, "This project has no qualification test.");
        }

        var sinceMajor = await db.GuidelineVersions.Where(v => v.ProjectId == projectId && v.Change == GuidelineChange.Major)
            .MaxAsync(v => (int?)v.Version, ct) ?? 0;
        var attempts = await db.QualificationAttempts.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId && a.VoidedAt == null && (a.GuidelineVersion ?? 0) >= sinceMajor)
            .OrderBy(a => a.CreatedAt)
            .Select(a => new { a.Passed, a.CreatedAt })
            .ToListAsync(ct);
        var used = attempts.Count;
        int? left = test.MaxAttempts == 0 ? null : Math.Max(0, test.MaxAttempts - used);
        if (attempts.Any(a => a.Passed))
        {
            return new QualificationStatus(true, false, true, used, left, null, sinceMajor == 0 ? null : sinceMajor, "You passed the qualification test.");
        }

        var annotatedBefore = await db.Annotations.AnyAsync(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId && a.CreatedAt < test.CreatedAt, ct);
        var majorSinceTest = annotatedBefore ? await MajorChangeSinceAsync(db, projectId, test.CreatedAt, ct) : null;
        if (annotatedBefore && majorSinceTest is null)
        {
            return new QualificationStatus(true, false, false, used, left, null, sinceMajor == 0 ? null : sinceMajor,
                "You annotated in this project before its qualification test was created, so you do not need to take it "
                + "(until a major guideline change).", Grandfathered: true);
        }

        var reason = sinceMajor > 0 && await db.QualificationAttempts.AnyAsync(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId && a.Passed, ct)
            ? $"Version {sinceMajor} of the guidelines changed them in a major way, so you need to pass the qualification test again."
            : majorSinceTest is { } v
                ? $"Version {v} of the guidelines changed them in a major way, so you need to pass the qualification test now "
                    + "(having annotated before the test was created no longer exempts you)."
                : "Pass this project's qualification test before you take tasks.";
        if (left == 0)
        {
            return new QualificationStatus(true, true, false, used, 0, null, sinceMajor == 0 ? null : sinceMajor,
                $"{reason} You have used all {test.MaxAttempts} tries; a project admin can reset your tries.");
        }

        DateTime? next = attempts.Count > 0 ? attempts[^1].CreatedAt.AddMinutes(test.CooldownMinutes) : null;
        if (next <= now)
        {
            next = null;
        }

        var wait = next is { } at ? $" Your next try opens at {at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC." : "";
        var tries = left is { } l ? $" {l} {(l == 1 ? "try" : "tries")} left." : "";
        return new QualificationStatus(true, true, false, used, left, next, sinceMajor == 0 ? null : sinceMajor, reason + tries + wait);
    }
}

/// <summary>
/// An annotator's qualification in a project. <see cref="AttemptsLeft"/> is null when tries are unlimited;
/// <see cref="NextAttemptAt"/> is set while a cool-down runs; <see cref="SinceVersion"/> is the major guideline version tries count from;
/// <see cref="Grandfathered"/> says the test is not required because they annotated before it was created.
/// </summary>
public sealed record QualificationStatus(bool HasTest, bool Required, bool Passed, int AttemptsUsed, int? AttemptsLeft, DateTime? NextAttemptAt,
    int? SinceVersion, string Message, bool Grandfathered = false);
