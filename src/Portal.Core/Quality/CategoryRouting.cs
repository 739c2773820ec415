using System.Globalization;
using Portal.Core.Aggregation;

namespace Portal.Core.Quality;

/// <summary>AI-versus-human agreement on one category's items: those with both an AI label and a human curated choice.</summary>
/// <param name="Category">The category; null for uncategorised items.</param>
/// <param name="Items">Items with both (human "both bad" left out: an AI label is A, B or tie).</param>
/// <param name="Agreements">Items where the AI's choice is the humans'.</param>
/// <param name="Agreement">Agreements / items; null when there are none.</param>
/// <param name="Low">The 95% Wilson score interval's lower end; null when there are no items.</param>
/// <param name="High">Its upper end.</param>
public sealed record CategoryAgreement(string? Category, int Items, int Agreements, double? Agreement, double? Low, double? High);

/// <summary>A route the rule proposes for a category, with the numbers it decided on.</summary>
/// <param name="Proposed">The route proposed: <c>humans</c> when agreement is below the threshold on enough items, else the current route.</param>
/// <param name="Change">Whether <paramref name="Proposed"/> differs from <paramref name="Current"/>.</param>
/// <param name="Reason">The decision in words, with its numbers.</param>
public sealed record RouteSuggestion(string Category, string Current, string Proposed, bool Change, int Items, double? Agreement, double? Low, double? High,
    double Threshold, int MinItems, string Reason);

/// <summary>
/// Per-category agreement of AI labels with human curated labels, and the routing rule built on it: a category whose
/// agreement on at least <c>minItems</c> items is below the threshold is proposed for humans only. See docs/hybrid-routing.md.
/// </summary>
public static class CategoryRouting
{
    public const double DefaultThreshold = 0.7;
    public const int DefaultMinItems = 20;

    /// <summary>z for a two-sided 95% interval.</summary>
    private const double Z = 1.959963984540054;

    /// <summary>
    /// Agreement per category over the items with both an AI choice and a human choice; items whose human choice is
    /// both bad are left out. Categories in order of name, uncategorised last.
    /// </summary>
    public static IReadOnlyList<CategoryAgreement> Agreement(IEnumerable<(string? Category, PreferenceChoice Ai, PreferenceChoice Human)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return pairs.Where(p => p.Human != PreferenceChoice.BothBad)
            .GroupBy(p => p.Category, StringComparer.Ordinal)
            .Select(g =>
            {
                var n = g.Count();
                var k = g.Count(p => p.Ai == p.Human);
                var (low, high) = Wilson(k, n);
                return new CategoryAgreement(g.Key, n, k, n == 0 ? null : (double)k / n, low, high);
            })
            .OrderBy(a => a.Category is null).ThenBy(a => a.Category, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The 95% Wilson score interval of a proportion k / n: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n).
    /// Returns (null, null) when n is 0.
    /// </summary>
    public static (double? Low, double? High) Wilson(int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        if (n == 0)
        {
            return (null, null);
        }

        var p = (double)k / n;
        var z2 = Z * Z;
        var centre = p + (z2 / (2 * n));
        var spread = Z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n)));
        var denominator = 1 + (z2 / n);
        return (Math.Max(0, (centre - spread) / denominator), Math.Min(1, (centre + spread) / denominator));
    }

    /// <summary>A share as a percentage with at most one decimal, "66.7%".</summary>
    public static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>
    /// The rule: for each category, <c>humans</c> when it has at least <paramref name="minItems"/> items with both labels and
    /// its agreement is below <paramref name="threshold"/>; otherwise the current route stays. Categories with no agreement
    /// numbers (no item with both) keep their route too.
    /// </summary>
    /// <param name="categories">Every category of the project with its current route.</param>
    public static IReadOnlyList<RouteSuggestion> Suggest(IEnumerable<(string Category, string Route)> categories, IReadOnlyList<CategoryAgreement> agreement,
        double threshold, int minItems)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(agreement);
        if (double.IsNaN(threshold) || threshold is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "The threshold is an agreement from 0 to 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minItems, 1);
        var byCategory = agreement.Where(a => a.Category is not null).ToDictionary(a => a.Category!, StringComparer.Ordinal);
        return categories.Select(c =>
        {
            byCategory.TryGetValue(c.Category, out var a);
            var n = a?.Items ?? 0;
            string proposed;
            string reason;
            if (c.Route == "humans")
            {
                proposed = c.Route;
                reason = "Already routed to humans.";
            }
            else if (n < minItems)
            {
                proposed = c.Route;
                reason = $"{n} item(s) with both an AI and a human label; the rule needs at least {minItems}, so the route stays.";
            }
            else if (a!.Agreement < threshold)
            {
                proposed = "humans";
                reason = $"Agreement {Percent(a.Agreement!.Value)} on {n} items is below the threshold {Percent(threshold)}: humans only.";
            }
            else
            {
                proposed = c.Route;
                reason = $"Agreement {Percent(a.Agreement!.Value)} on {n} items meets the threshold {Percent(threshold)}: the route stays.";
            }

            return new RouteSuggestion(c.Category, c.Route, proposed, proposed != c.Route, n, a?.Agreement, a?.Low, a?.High, threshold, minItems, reason);
        }).ToList();
    }
}
