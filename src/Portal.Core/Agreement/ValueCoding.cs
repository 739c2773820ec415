using System.Globalization;

namespace Portal.Core.Agreement;

/// <summary>The distinct values of a set of ratings in ascending order, and each rating's position among them.</summary>
internal sealed class ValueCoding
{
    // Whole-number scales up to this wide (Likert, -3..+3, star ratings) are coded by offset, without hashing.
    private const int MaxDirectRange = 1 << 16;

    private ValueCoding(double[] distinct, int[] codes)
    {
        Distinct = distinct;
        Codes = codes;
    }

    /// <summary>The distinct values, ascending.</summary>
    public double[] Distinct { get; }

    /// <summary>For each rating, the index of its value in <see cref="Distinct"/>.</summary>
    public int[] Codes { get; }

    public int Count => Distinct.Length;

    /// <summary>Codes finite values in O(n) for small whole-number scales, O(n + V log V) otherwise.</summary>
    public static ValueCoding Create(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return new ValueCoding([], []);
        }

        var min = values[0];
        var max = values[0];
        var whole = true;
        foreach (var value in values)
        {
            min = Math.Min(min, value);
            max = Math.Max(max, value);
            whole &= value == Math.Floor(value);
        }

        return whole && max - min < MaxDirectRange ? ByOffset(values, min, (int)(max - min) + 1) : ByLookup(values);
    }

    /// <summary>Codes values against a caller's category list, which may hold categories no rating uses: O(n log q).</summary>
    /// <exception cref="ArgumentException">A category repeats or is not finite, or a value is not among the categories.</exception>
    public static ValueCoding Create(ReadOnlySpan<double> values, ReadOnlySpan<double> categories, string categoriesName)
    {
        if (categories.IsEmpty)
        {
            return Create(values);
        }

        var sorted = categories.ToArray();
        Array.Sort(sorted);
        for (var c = 0; c < sorted.Length; c++)
        {
            if (!double.IsFinite(sorted[c]))
            {
                throw new ArgumentException(FormattableString.Invariant($"Category {sorted[c]} is not a finite number."), categoriesName);
            }

            if (c > 0 && sorted[c] == sorted[c - 1])
            {
                throw new ArgumentException(FormattableString.Invariant($"Category {sorted[c]} is listed twice."), categoriesName);
            }
        }

        var codes = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            codes[i] = Array.BinarySearch(sorted, values[i]);
            if (codes[i] < 0)
            {
                throw new ArgumentException(
                    FormattableString.Invariant($"Value {values[i]} is not among the categories {Format(sorted)}."), categoriesName);
            }
        }

        return new ValueCoding(sorted, codes);
    }

    internal static string Format(ReadOnlySpan<double> values)
    {
        var parts = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            parts[i] = values[i].ToString(CultureInfo.InvariantCulture);
        }

        return string.Join(", ", parts);
    }

    private static ValueCoding ByOffset(ReadOnlySpan<double> values, double min, int range)
    {
        var codeOfOffset = new int[range];
        foreach (var value in values)
        {
            codeOfOffset[(int)(value - min)] = 1;
        }

        var distinct = new List<double>();
        for (var offset = 0; offset < range; offset++)
        {
            if (codeOfOffset[offset] != 0)
            {
                codeOfOffset[offset] = distinct.Count;
                distinct.Add(min + offset);
            }
        }

        var codes = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            codes[i] = codeOfOffset[(int)(values[i] - min)];
        }

        return new ValueCoding([.. distinct], codes);
    }

    private static ValueCoding ByLookup(ReadOnlySpan<double> values)
    {
        var firstSeen = new Dictionary<double, int>();
        var codes = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (!firstSeen.TryGetValue(values[i], out var code))
            {
                code = firstSeen.Count;
                firstSeen.Add(values[i], code);
            }

            codes[i] = code;
        }

        var distinct = new double[firstSeen.Count];
        var order = new int[firstSeen.Count];
        foreach (var (value, code) in firstSeen)
        {
            distinct[code] = value;
            order[code] = code;
        }

        Array.Sort(distinct, order);
        var rank = new int[order.Length];
        for (var r = 0; r < order.Length; r++)
        {
            rank[order[r]] = r;
        }

        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = rank[codes[i]];
        }

        return new ValueCoding(distinct, codes);
    }
}
