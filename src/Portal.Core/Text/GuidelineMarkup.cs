using System.Text.RegularExpressions;

namespace Portal.Core.Text;

/// <summary>A piece of a guideline document: Markdown, or a reference to an example item shown inline with its expected answer.</summary>
public sealed record GuidelinePart(string? Markdown, string? ExampleId);

/// <summary>
/// Guidelines are Markdown in which a line <c>@example(external-id)</c> stands for an actual item of the project (a pair
/// with its expected answer and why), which the page shows inline in its place.
/// </summary>
public static partial class GuidelineMarkup
{
    /// <summary>The Markdown between example lines and the example references, in order; empty Markdown runs are left out.</summary>
    public static IReadOnlyList<GuidelinePart> Split(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var parts = new List<GuidelinePart>();
        var run = new List<string>();
        var fenced = false;
        foreach (var line in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
            }

            if (!fenced && ExampleLine().Match(line) is { Success: true } match)
            {
                Flush();
                parts.Add(new GuidelinePart(null, match.Groups[1].Value.Trim()));
                continue;
            }

            run.Add(line);
        }

        Flush();
        return parts;

        void Flush()
        {
            var text = string.Join('\n', run);
            if (text.Trim().Length > 0)
            {
                parts.Add(new GuidelinePart(text, null));
            }

            run.Clear();
        }
    }

    /// <summary>The example references of a document, in order, each once.</summary>
    public static IReadOnlyList<string> ExampleIds(string markdown) =>
        [.. Split(markdown).Where(p => p.ExampleId is not null).Select(p => p.ExampleId!).Distinct(StringComparer.Ordinal)];

    [GeneratedRegex(@"^\s*@example\(([^()\r\n]{1,200})\)\s*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ExampleLine();
}
