namespace Portal.Core.Text;

public enum DiffKind
{
    Same,
    Removed,
    Added,
}

/// <summary>One line of a diff: kept, removed from the old text or added in the new one.</summary>
public readonly record struct DiffLine(DiffKind Kind, string Text);

/// <summary>A line diff of two texts (a longest common subsequence of lines), as guideline history shows it.</summary>
public static class LineDiff
{
    /// <summary>The largest product of line counts compared line by line; beyond it the texts are shown as wholly removed and added.</summary>
    public const long MaxCells = 4_000_000;

    /// <summary>
    /// The lines of <paramref name="before"/> and <paramref name="after"/> in order, each marked kept, removed or added,
    /// so that the kept lines are a longest common subsequence. Line endings (<c>\r\n</c>, <c>\n</c>) do not count.
    /// </summary>
    public static IReadOnlyList<DiffLine> Compute(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var a = Lines(before);
        var b = Lines(after);

        // Trim the common head and tail first: guideline edits are usually local.
        var head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head])
        {
            head++;
        }

        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[a.Length - 1 - tail] == b[b.Length - 1 - tail])
        {
            tail++;
        }

        var result = new List<DiffLine>(a.Length + b.Length);
        result.AddRange(a.Take(head).Select(l => new DiffLine(DiffKind.Same, l)));
        var n = a.Length - head - tail;
        var m = b.Length - head - tail;
        if ((long)n * m > MaxCells)
        {
            result.AddRange(a.Skip(head).Take(n).Select(l => new DiffLine(DiffKind.Removed, l)));
            result.AddRange(b.Skip(head).Take(m).Select(l => new DiffLine(DiffKind.Added, l)));
        }
        else
        {
            // lcs[i, j] = length of the LCS of a[head+i..] and b[head+j..].
            var lcs = new int[n + 1, m + 1];
            for (var i = n - 1; i >= 0; i--)
            {
                for (var j = m - 1; j >= 0; j--)
                {
                    lcs[i, j] = a[head + i] == b[head + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }

            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && a[head + x] == b[head + y])
                {
                    result.Add(new DiffLine(DiffKind.Same, a[head + x]));
                    x++;
                    y++;
                }
                else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1]))
                {
                    result.Add(new DiffLine(DiffKind.Removed, a[head + x]));
                    x++;
                }
                else
                {
                    result.Add(new DiffLine(DiffKind.Added, b[head + y]));
                    y++;
                }
            }
        }

        result.AddRange(a.Skip(a.Length - tail).Select(l => new DiffLine(DiffKind.Same, l)));
        return result;
    }

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
}
