using System.Globalization;
using Portal.App.Data;

namespace Portal.Web.Features.Annotate;

/// <summary>One line of the key legend: the keys (shown as <c>kbd</c>) and what they do.</summary>
public sealed record KeyHint(IReadOnlyList<string> Keys, string Action);

/// <summary>The keys of the task page for a project's kind and options, as the legend and the <c>?</c> overlay list them.</summary>
public static class TaskKeys
{
    /// <summary>
    /// The keys in the order an annotator uses them. A null kind (nothing loaded yet) lists the keys of every kind.
    /// </summary>
    public static IReadOnlyList<KeyHint> For(ProjectKind? kind, PairwiseOptions? options, IReadOnlyList<AttributeDefinition>? attributes)
    {
        var hints = new List<KeyHint>();
        if (kind is null or ProjectKind.Likert or ProjectKind.LikertAndPairwise)
        {
            var (low, high) = attributes is { Count: > 0 } a ? (a.Min(x => x.Min), a.Max(x => x.Max)) : (1, 7);
            hints.Add(new([Invariant(low), "…", Invariant(high)], "rate the current row, then the next"));
            hints.Add(new(["↑", "↓"], "previous / next row (Tab too)"));
        }

        if (kind is null or ProjectKind.Pairwise or ProjectKind.LikertAndPairwise)
        {
            hints.Add(new(["←", "A"], "A is better"));
            hints.Add(new(["→", "B"], "B is better"));
            if (options?.AllowTie != false)
            {
                hints.Add(new(["T"], "tie"));
            }

            if (options?.AllowBothBad != false)
            {
                hints.Add(new(["X"], "both bad"));
            }

            if (options?.StrengthLevels is not 0)
            {
                hints.Add(new(["1", "…", Invariant(options?.StrengthLevels ?? 3)], "how much better, after A or B"));
            }
        }

        hints.Add(new(["Enter"], "submit"));
        hints.Add(new(["S"], "skip: type why, then Enter"));
        hints.Add(new(["F"], "flag content: then 1 unsafe, 2 broken, 3 wrong language"));
        hints.Add(new(["Backspace"], "back: change your last answer while its time allows (Esc leaves it as it was)"));
        hints.Add(new(["?"], "show or hide this list of keys"));
        hints.Add(new(["Esc"], "leave a text box, close a panel"));
        hints.Add(new(["Ctrl", "Enter"], "submit from a text box"));
        return hints;
    }

    private static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Where a problem is shown: next to its field when the page has it, else above the buttons.</summary>
public static class TaskSections
{
    public const string General = "general";

    public static string Of(string field)
    {
        var f = field.ToLowerInvariant();
        return f switch
        {
            _ when f.Contains("scoresright", StringComparison.Ordinal) => "scoresRight",
            _ when f.Contains("score", StringComparison.Ordinal) => "scores",
            _ when f.Contains("attributechoice", StringComparison.Ordinal) => "attributeChoices",
            _ when f.Contains("strength", StringComparison.Ordinal) => "strength",
            _ when f.Contains("choice", StringComparison.Ordinal) => "choice",
            _ when f.Contains("rationale", StringComparison.Ordinal) => "rationale",
            _ when f.Contains("comment", StringComparison.Ordinal) => "comment",
            _ when f.Contains("reason", StringComparison.Ordinal) => "reason",
            _ => General,
        };
    }

    /// <summary>The messages of one section, joined for a field's error text; null when it has none.</summary>
    public static string? MessageOf(IEnumerable<TaskProblem> problems, string section)
    {
        var messages = problems.Where(p => Of(p.Field) == section).Select(p => p.Message).ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }
}
