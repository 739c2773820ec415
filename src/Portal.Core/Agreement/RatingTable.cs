using System.Globalization;
using System.Runtime.CompilerServices;
using Portal.Core.Common;

namespace Portal.Core.Agreement;

/// <summary>
/// Reliability data as three parallel arrays: for rating <c>i</c>, unit <c>Units[i]</c> was rated
/// <c>Values[i]</c> by rater <c>Raters[i]</c>. A missing rating is a rating that is not in the table.
/// </summary>
/// <remarks>
/// Ratings are held grouped by unit (stable, so within a unit they keep the order they were given in);
/// <see cref="UnitStarts"/> marks where each unit's ratings begin. Every metric walks the groups once.
/// A table never holds two ratings of the same unit by the same rater, nor a value that is NaN or infinite.
/// Build one from string ids with <see cref="RatingTableBuilder"/>, or from dense indices with <see cref="FromIndices"/>.
/// </remarks>
public sealed class RatingTable
{
    private readonly int[] _units;
    private readonly int[] _raters;
    private readonly double[] _values;
    private readonly int _count;
    private readonly int[] _unitStarts;
    private readonly IReadOnlyList<string>? _unitIds;
    private readonly IReadOnlyList<string>? _raterIds;

    private RatingTable(int[] units, int[] raters, double[] values, int count, int[] unitStarts, int raterCount,
        IReadOnlyList<string>? unitIds, IReadOnlyList<string>? raterIds)
    {
        _units = units;
        _raters = raters;
        _values = values;
        _count = count;
        _unitStarts = unitStarts;
        RaterCount = raterCount;
        _unitIds = unitIds;
        _raterIds = raterIds;
    }

    /// <summary>The number of ratings.</summary>
    public int Count => _count;

    /// <summary>The number of unit indices: units are numbered <c>0 .. UnitCount - 1</c>.</summary>
    public int UnitCount => _unitStarts.Length - 1;

    /// <summary>The number of rater indices: raters are numbered <c>0 .. RaterCount - 1</c>.</summary>
    public int RaterCount { get; }

    /// <summary>The unit of each rating, in ascending order.</summary>
    public ReadOnlySpan<int> Units => _units.AsSpan(0, _count);

    /// <summary>The rater of each rating.</summary>
    public ReadOnlySpan<int> Raters => _raters.AsSpan(0, _count);

    /// <summary>The value of each rating.</summary>
    public ReadOnlySpan<double> Values => _values.AsSpan(0, _count);

    /// <summary>
    /// <c>UnitCount + 1</c> offsets: the ratings of unit <c>u</c> are at <c>UnitStarts[u] .. UnitStarts[u + 1] - 1</c>.
    /// </summary>
    public ReadOnlySpan<int> UnitStarts => _unitStarts;

    /// <summary>The number of ratings of unit <paramref name="unit"/>.</summary>
    public int RatingsOf(int unit) => _unitStarts[unit + 1] - _unitStarts[unit];

    /// <summary>The id the unit was given, or its index as text when the table was built from indices.</summary>
    public string UnitId(int unit) => _unitIds?[unit] ?? unit.ToString(CultureInfo.InvariantCulture);

    /// <summary>The id the rater was given, or its index as text when the table was built from indices.</summary>
    public string RaterId(int rater) => _raterIds?[rater] ?? rater.ToString(CultureInfo.InvariantCulture);

    /// <summary>Creates a table from dense, non-negative unit and rater indices.</summary>
    /// <exception cref="ArgumentException">
    /// The spans differ in length, an index is negative, a value is NaN or infinite, or a rater rates a unit twice.
    /// </exception>
    public static RatingTable FromIndices(ReadOnlySpan<int> units, ReadOnlySpan<int> raters, ReadOnlySpan<double> values)
    {
        Guard.SameLength(units.Length, raters.Length, nameof(units), nameof(raters));
        Guard.SameLength(units.Length, values.Length, nameof(units), nameof(values));
        for (var i = 0; i < units.Length; i++)
        {
            if (units[i] < 0)
            {
                throw new ArgumentException($"Unit index {units[i]} of rating {i} is negative.", nameof(units));
            }

            if (raters[i] < 0)
            {
                throw new ArgumentException($"Rater index {raters[i]} of rating {i} is negative.", nameof(raters));
            }

            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException(FormattableString.Invariant($"Value {values[i]} of rating {i} is not a finite number."), nameof(values));
            }
        }

        var table = Create(units, raters, values, null, null, out var duplicate);
        return table ?? throw new ArgumentException(
            $"Rater {raters[duplicate.Second]} rates unit {units[duplicate.Second]} twice (ratings {duplicate.First} and {duplicate.Second}).",
            nameof(raters));
    }

    /// <summary>
    /// Groups the ratings by unit with a counting sort and checks that no rater rates a unit twice: O(n + units + raters).
    /// Returns null and the positions (in input order) of the first repeated rating when one is found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static RatingTable? Create(ReadOnlySpan<int> units, ReadOnlySpan<int> raters, ReadOnlySpan<double> values,
        IReadOnlyList<string>? unitIds, IReadOnlyList<string>? raterIds, out DuplicateRating duplicate)
    {
        var unitCount = unitIds?.Count ?? (units.IsEmpty ? 0 : Max(units) + 1);
        var raterCount = raterIds?.Count ?? (raters.IsEmpty ? 0 : Max(raters) + 1);

        var starts = new int[unitCount + 1];
        foreach (var unit in units)
        {
            starts[unit + 1]++;
        }

        for (var u = 0; u < unitCount; u++)
        {
            starts[u + 1] += starts[u];
        }

        var next = starts.AsSpan(0, unitCount).ToArray();
        var order = new int[units.Length];
        for (var i = 0; i < units.Length; i++)
        {
            order[next[units[i]]++] = i;
        }

        var sortedUnits = new int[units.Length];
        var sortedRaters = new int[units.Length];
        var sortedValues = new double[units.Length];
        var lastUnitOfRater = new int[raterCount];
        var lastPositionOfRater = new int[raterCount];
        Array.Fill(lastUnitOfRater, -1);
        duplicate = new DuplicateRating(-1, int.MaxValue);
        for (var u = 0; u < unitCount; u++)
        {
            for (var p = starts[u]; p < starts[u + 1]; p++)
            {
                var i = order[p];
                var rater = raters[i];
                if (lastUnitOfRater[rater] == u)
                {
                    // Keep looking: the caller reports the repeat that comes first in its input.
                    if (i < duplicate.Second)
                    {
                        duplicate = new DuplicateRating(lastPositionOfRater[rater], i);
                    }

                    continue;
                }

                lastUnitOfRater[rater] = u;
                lastPositionOfRater[rater] = i;
                sortedUnits[p] = u;
                sortedRaters[p] = rater;
                sortedValues[p] = values[i];
            }
        }

        if (duplicate.First >= 0)
        {
            return null;
        }

        duplicate = default;
        return new RatingTable(sortedUnits, sortedRaters, sortedValues, units.Length, starts, raterCount, unitIds, raterIds);
    }

    /// <summary>
    /// As <see cref="Create"/>, over the first <paramref name="count"/> ratings of arrays the table may keep: when the
    /// ratings are grouped by unit already (units numbered in order of first appearance, each unit's ratings together, as
    /// files list them), the table takes the arrays as they are instead of sorting copies. Every unit and rater id has a rating.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static RatingTable? CreateOwning(int[] units, int[] raters, double[] values, int count,
        IReadOnlyList<string> unitIds, IReadOnlyList<string> raterIds, out DuplicateRating duplicate)
    {
        var unitSpan = units.AsSpan(0, count);
        var raterSpan = raters.AsSpan(0, count);
        var starts = new int[unitIds.Count + 1];
        var previous = 0;
        foreach (var unit in unitSpan)
        {
            if (unit < previous)
            {
                return Create(unitSpan, raterSpan, values.AsSpan(0, count), unitIds, raterIds, out duplicate);
            }

            previous = unit;
            starts[unit + 1]++;
        }

        for (var u = 0; u < unitIds.Count; u++)
        {
            starts[u + 1] += starts[u];
        }

        // In input order, so the first repeat found is the first in the input.
        var lastUnitOfRater = new int[raterIds.Count];
        var lastPositionOfRater = new int[raterIds.Count];
        Array.Fill(lastUnitOfRater, -1);
        for (var i = 0; i < unitSpan.Length; i++)
        {
            var (unit, rater) = (unitSpan[i], raterSpan[i]);
            if (lastUnitOfRater[rater] == unit)
            {
                duplicate = new DuplicateRating(lastPositionOfRater[rater], i);
                return null;
            }

            lastUnitOfRater[rater] = unit;
            lastPositionOfRater[rater] = i;
        }

        duplicate = default;
        return new RatingTable(units, raters, values, count, starts, raterIds.Count, unitIds, raterIds);
    }

    private static int Max(ReadOnlySpan<int> indices)
    {
        var max = indices[0];
        foreach (var index in indices)
        {
            max = Math.Max(max, index);
        }

        return max;
    }
}

/// <summary>Two ratings, by position in the order they were given, of the same unit by the same rater.</summary>
internal readonly record struct DuplicateRating(int First, int Second);
