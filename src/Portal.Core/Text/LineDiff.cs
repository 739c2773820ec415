using DiffPlex;

namespace Portal.Core.Text;

public enum DiffKind
{
    Same,
    Removed,
    Added,
}

/// <summary>One line of a diff: kept, removed from the old text or added in the new one.</summary>
public readonly record struct DiffLine(DiffKind Kind, string Text);

/// <summary>A line diff of two texts (DiffPlex's Myers diff: a shortest edit script), as guideline history shows it.</summary>
public static class LineDiff
{
    /// <summary>
    /// The most lines, both texts together, that the diff compares once their common first and last lines are set aside;
    /// beyond it the rest is shown as wholly removed and added.
    /// </summary>
    /// <remarks>
    /// Myers' diff takes time in proportion to (lines × differences): two unrelated texts of this many lines take about a
    /// second here, and a larger pair (guidelines go up to 200,000 characters) would hold a request for minutes.
    /// </remarks>
    public const int MaxChangedLines = 20_000;

    /// <summary>
    /// The lines of <paramref name="before"/> and <paramref name="after"/> in order, each marked kept, removed or added,
    /// so that the kept lines are a longest common subsequence; within a changed block the removed lines come first.
    /// Line endings (<c>\r\n</c>, <c>\n</c>) do not count; whitespace and case do.
    /// </summary>
    public static IReadOnlyList<DiffLine> Compute(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var lines = new Lines();
        var (a, b) = (lines.Chunk(before), lines.Chunk(after));
        var head = 0;
        while (head < a.Count && head < b.Count && a[head] == b[head])
        {
            head++;
        }

        var tail = 0;
        while (tail < a.Count - head && tail < b.Count - head && a[a.Count - 1 - tail] == b[b.Count - 1 - tail])
        {
            tail++;
        }

        var result = new List<DiffLine>(a.Count + b.Count);
        if (a.Count + b.Count - (2 * (head + tail)) > MaxChangedLines)
        {
            result.AddRange(a.Take(head).Select(l => new DiffLine(DiffKind.Same, l)));
            result.AddRange(a.Skip(head).Take(a.Count - head - tail).Select(l => new DiffLine(DiffKind.Removed, l)));
            result.AddRange(b.Skip(head).Take(b.Count - head - tail).Select(l => new DiffLine(DiffKind.Added, l)));
            result.AddRange(a.Skip(a.Count - tail).Select(l => new DiffLine(DiffKind.Same, l)));
            return result;
        }

        var diff = Differ.Instance.CreateDiffs(before, after, ignoreWhiteSpace: false, ignoreCase: false, lines);
        var x = 0;
        foreach (var block in diff.DiffBlocks)
        {
            for (; x < block.DeleteStartA; x++)
            {
                result.Add(new DiffLine(DiffKind.Same, a[x]));
            }

            for (var i = 0; i < block.DeleteCountA; i++)
            {
                result.Add(new DiffLine(DiffKind.Removed, a[x++]));
            }

            for (var j = 0; j < block.InsertCountB; j++)
            {
                result.Add(new DiffLine(DiffKind.Added, b[block.InsertStartB + j]));
            }
        }

        for (; x < a.Count; x++)
        {
            result.Add(new DiffLine(DiffKind.Same, a[x]));
        }

        return result;
    }

    /// <summary>Splits on <c>\n</c> after folding <c>\r\n</c>, keeping a last empty line (DiffPlex's own chunker drops it).</summary>
    /// <remarks>Remembers the two texts it split last, so that the diff does not split them again.</remarks>
    private sealed class Lines : IChunker
    {
        private readonly Dictionary<string, string[]> _split = new(ReferenceEqualityComparer.Instance);

        public IReadOnlyList<string> Chunk(string text)
        {
            if (!_split.TryGetValue(text, out var lines))
            {
                lines = text.Length == 0 ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
                _split[text] = lines;
            }

            return lines;
        }
    }
}
