using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Portal.Core.Agreement;

/// <summary>
/// Collects ratings keyed by unit and rater ids (compared ordinally) and numbers the ids densely
/// in order of first appearance, so unit 0 is the first unit added.
/// </summary>
public sealed class RatingTableBuilder
{
    private readonly Dictionary<string, int> _unitIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _raterIndex = new(StringComparer.Ordinal);
    private readonly List<string> _unitIds = [];
    private readonly List<string> _raterIds = [];
    private readonly List<int> _units = [];
    private readonly List<int> _raters = [];
    private readonly List<double> _values = [];
    private int _lastUnit = -1;

    /// <summary>The number of ratings added so far.</summary>
    public int Count => _values.Count;

    /// <summary>Adds one rating.</summary>
    /// <exception cref="ArgumentException">An id is empty, or the value is NaN or infinite.</exception>
    public void Add(string unitId, string raterId, double value)
    {
        ArgumentNullException.ThrowIfNull(unitId);
        ArgumentNullException.ThrowIfNull(raterId);
        Add(unitId.AsSpan(), raterId.AsSpan(), value);
    }

    /// <summary>Adds one rating; an id is copied to a string only the first time it is seen.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <exception cref="ArgumentException">An id is empty, or the value is NaN or infinite.</exception>
    public void Add(ReadOnlySpan<char> unitId, ReadOnlySpan<char> raterId, double value)
    {
        if (unitId.IsEmpty)
        {
            throw new ArgumentException("The unit id is empty.", nameof(unitId));
        }

        if (raterId.IsEmpty)
        {
            throw new ArgumentException("The rater id is empty.", nameof(raterId));
        }

        if (!double.IsFinite(value))
        {
            throw new ArgumentException(FormattableString.Invariant($"Value {value} is not a finite number."), nameof(value));
        }

        // Files list a unit's ratings together as a rule: the unit of the last rating needs no lookup.
        if (_lastUnit < 0 || !unitId.SequenceEqual(_unitIds[_lastUnit]))
        {
            _lastUnit = IndexOf(_unitIndex, _unitIds, unitId);
        }

        _units.Add(_lastUnit);
        _raters.Add(IndexOf(_raterIndex, _raterIds, raterId));
        _values.Add(value);
    }

    /// <summary>Creates the table: O(n + units + raters).</summary>
    /// <exception cref="ArgumentException">A rater rated the same unit twice.</exception>
    public RatingTable Build()
    {
        if (TryBuild(out var table, out var duplicate))
        {
            return table;
        }

        var (unit, rater) = IdsOf(duplicate.Second);
        throw new ArgumentException(
            $"Rater '{rater}' rates unit '{unit}' twice (ratings {duplicate.First + 1} and {duplicate.Second + 1} in the order added).");
    }

    /// <summary>Creates the table, or reports the first repeated rating by its position in the order added.</summary>
    internal bool TryBuild([NotNullWhen(true)] out RatingTable? table, out DuplicateRating duplicate)
    {
        table = RatingTable.Create(
            CollectionsMarshal.AsSpan(_units),
            CollectionsMarshal.AsSpan(_raters),
            CollectionsMarshal.AsSpan(_values),
            _unitIds.ToArray(), _raterIds.ToArray(), out duplicate);
        return table is not null;
    }

    /// <summary>The unit and rater ids of the rating added at <paramref name="position"/>.</summary>
    internal (string Unit, string Rater) IdsOf(int position) => (_unitIds[_units[position]], _raterIds[_raters[position]]);

    private static int IndexOf(Dictionary<string, int> index, List<string> ids, ReadOnlySpan<char> id)
    {
        var lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(id, out var existing))
        {
            return existing;
        }

        var text = id.ToString();
        index.Add(text, ids.Count);
        ids.Add(text);
        return ids.Count - 1;
    }
}
