using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Feedback;

/// <summary>One day of one model version: events stored, and how many were positive among those carrying a verdict.</summary>
public sealed record FeedbackDay(DateTime Day, string ModelVersion, int Volume, int Positive, int Verdicts)
{
    /// <summary>Positive events over events with a verdict (thumbs, ratings, edits); null when there were none.</summary>
    public double? Satisfaction => Verdicts == 0 ? null : (double)Positive / Verdicts;
}

public sealed record FeedbackModelTotals(string ModelVersion, int Volume, int Positive, int Negative, int Verdicts, int Items)
{
    public double? Satisfaction => Verdicts == 0 ? null : (double)Positive / Verdicts;
}

public sealed record FeedbackCategoryCount(string ModelVersion, string Category, int Count);

/// <param name="Duplicates">Events dropped as exact duplicates in the window.</param>
/// <param name="PiiReplaced">Pieces of personal data replaced in the window's stored events.</param>
public sealed record FeedbackSummary(DateTime From, DateTime To, int Days, int Volume, int Duplicates, int PiiReplaced, double? Satisfaction,
    IReadOnlyList<FeedbackModelTotals> Models, IReadOnlyList<FeedbackDay> Series, IReadOnlyList<FeedbackCategoryCount> TopNegativeCategories);

/// <summary>Deployment feedback over time by model version: the numbers behind the page and <c>GET …/feedback/summary</c>, grouped in the database.</summary>
public sealed class FeedbackDashboard(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxDays = 365;

    /// <summary>The category negative events without one are counted under.</summary>
    public const string NoCategory = "(none)";

    /// <summary>The last <paramref name="days"/> days (UTC, today included); null when the project is not the organisation's.</summary>
    public async Task<FeedbackSummary?> SummaryAsync(Guid orgId, Guid projectId, int days = 30, CancellationToken ct = default)
    {
        days = Math.Clamp(days, 1, MaxDays);
        var to = clock.GetUtcNow().UtcDateTime.Date;
        var from = to.AddDays(-(days - 1));
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var window = db.FeedbackEvents.AsNoTracking().Where(e => e.ProjectId == projectId && e.OccurredDay >= from && e.OccurredDay <= to);
        var stored = window.Where(e => e.Status == FeedbackStatus.Stored);
        var series = (await stored.GroupBy(e => new { e.OccurredDay, e.ModelVersion })
                .Select(g => new
                {
                    g.Key.OccurredDay,
                    g.Key.ModelVersion,
                    Volume = g.Count(),
                    Positive = g.Count(e => e.Polarity == FeedbackPolarity.Positive),
                    Negative = g.Count(e => e.Polarity == FeedbackPolarity.Negative),
                    Verdicts = g.Count(e => e.Polarity != FeedbackPolarity.None),
                    Items = g.Count(e => e.ItemId != null),
                    Pii = g.Sum(e => e.PiiTotal),
                })
                .ToListAsync(ct))
            .OrderBy(r => r.OccurredDay).ThenBy(r => r.ModelVersion, StringComparer.Ordinal).ToList();
        var models = series.GroupBy(r => r.ModelVersion)
            .Select(g => new FeedbackModelTotals(g.Key, g.Sum(r => r.Volume), g.Sum(r => r.Positive), g.Sum(r => r.Negative), g.Sum(r => r.Verdicts), g.Sum(r => r.Items)))
            .OrderByDescending(m => m.Volume).ThenBy(m => m.ModelVersion, StringComparer.Ordinal).ToList();
        var categories = (await stored.Where(e => e.Polarity == FeedbackPolarity.Negative)
                .GroupBy(e => new { e.ModelVersion, e.Category })
                .Select(g => new { g.Key.ModelVersion, g.Key.Category, Count = g.Count() })
                .ToListAsync(ct))
            .GroupBy(r => r.ModelVersion)
            .SelectMany(g => g.OrderByDescending(r => r.Count).ThenBy(r => r.Category ?? "", StringComparer.Ordinal).Take(5))
            .Select(r => new FeedbackCategoryCount(r.ModelVersion, r.Category ?? NoCategory, r.Count))
            .OrderBy(r => r.ModelVersion, StringComparer.Ordinal).ThenByDescending(r => r.Count).ToList();
        var duplicates = await window.CountAsync(e => e.Status == FeedbackStatus.Duplicate, ct);
        var positive = series.Sum(r => r.Positive);
        var verdicts = series.Sum(r => r.Verdicts);
        return new FeedbackSummary(from, to, days, series.Sum(r => r.Volume), duplicates, series.Sum(r => r.Pii),
            verdicts == 0 ? null : (double)positive / verdicts, models,
            [.. series.Select(r => new FeedbackDay(r.OccurredDay, r.ModelVersion, r.Volume, r.Positive, r.Verdicts))], categories);
    }
}
