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
    /// The lines of <paramref name="before"/> and <paramref name="after"/> in order, each marked kept, removed or added,
    /// so that the kept lines are a longest common subsequence; within a changed block the removed lines come first.
    /// Line endings (<c>\r\n</c>, <c>\n</c>) do not count; whitespace and case do.
    /// </summary>
    public static IReadOnlyList<DiffLine> Compute(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var diff = Differ.Instance.CreateDiffs(before, after, ignoreWhiteSpace: false, ignoreCase: false, Lines.Instance);
        var (a, b) = (diff.PiecesOld, diff.PiecesNew);
        var result = new List<DiffLine>(a.Count + b.Count);
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
    private sealed class Lines : IChunker
    {
        public static readonly Lines Instance = new();

        public IReadOnlyList<string> Chunk(string text) =>
            text.Length == 0 ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
    }
}
