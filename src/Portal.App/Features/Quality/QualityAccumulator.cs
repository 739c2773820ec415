using Portal.App.Data;
using Portal.Core.Agreement;

namespace Portal.App.Features.Quality;

/// <summary>
/// Integer counters over one dimension's ratings from which Krippendorff's alpha and percent agreement follow exactly:
/// per unit size m, the coincidence numerators Σ_u (n_uc n_uk − [c = k] n_uc) (o_ck is their sum divided by m − 1), the
/// agreeing pairs Σ_u Σ_c n_uc (n_uc − 1) and the unit count; and the pairable values per category and per rater.
/// </summary>
/// <remarks>
/// Every counter is an integer, so adding a unit and taking it out again leaves the counters as they were: an incremental
/// update ends with the counters a full count gives, and the coefficients computed from them are the same to the last bit.
/// </remarks>
public sealed class AlphaCounts
{
    public Dictionary<int, Dictionary<long, long>> Coincidences { get; set; } = [];
    public Dictionary<int, long> AgreeingPairs { get; set; } = [];
    public Dictionary<int, long> Units { get; set; } = [];
    public Dictionary<int, long> Marginals { get; set; } = [];
    public Dictionary<Guid, long> Raters { get; set; } = [];

    /// <summary>Nothing counted at all (a week's change that cancelled out, or a dimension no one rated).</summary>
    public bool IsZero => Units.Count == 0 && Coincidences.Count == 0 && AgreeingPairs.Count == 0 && Marginals.Count == 0 && Raters.Count == 0;

    /// <summary>Adds (sign 1) or takes out (sign −1) one unit's ratings; a unit with fewer than two pairs with nothing.</summary>
    public void AddUnit(IReadOnlyList<(Guid Rater, int Value)> ratings, int sign)
    {
        var m = ratings.Count;
        if (m < 2)
        {
            return;
        }

        var counts = new SortedDictionary<int, int>();
        foreach (var (rater, value) in ratings)
        {
            counts[value] = counts.GetValueOrDefault(value) + 1;
            Bump(Raters, rater, sign);
        }

        var coincidences = Coincidences.TryGetValue(m, out var c) ? c : Coincidences[m] = [];
        long agreeing = 0;
        foreach (var (value, n) in counts)
        {
            Bump(Marginals, value, sign * n);
            agreeing += (long)n * (n - 1);
            foreach (var (other, k) in counts)
            {
                Bump(coincidences, Pack(value, other), sign * (((long)n * k) - (value == other ? n : 0)));
            }
        }

        if (coincidences.Count == 0)
        {
            Coincidences.Remove(m);
        }

        Bump(AgreeingPairs, m, sign * agreeing);
        Bump(Units, m, sign);
    }

    /// <summary>Adds (sign 1) or subtracts (sign −1) another set of counters.</summary>
    public void Add(AlphaCounts other, int sign)
    {
        foreach (var (m, cells) in other.Coincidences)
        {
            var mine = Coincidences.TryGetValue(m, out var c) ? c : Coincidences[m] = [];
            foreach (var (cell, count) in cells)
            {
                Bump(mine, cell, sign * count);
            }

            if (mine.Count == 0)
            {
                Coincidences.Remove(m);
            }
        }

        foreach (var (m, count) in other.AgreeingPairs)
        {
            Bump(AgreeingPairs, m, sign * count);
        }

        foreach (var (m, count) in other.Units)
        {
            Bump(Units, m, sign * count);
        }

        foreach (var (value, count) in other.Marginals)
        {
            Bump(Marginals, value, sign * count);
        }

        foreach (var (rater, count) in other.Raters)
        {
            Bump(Raters, rater, sign * count);
        }
    }

    /// <summary>
    /// Alpha at the given level (nominal: δ = [c ≠ k]; ordinal: δ = the mid-rank distance), percent agreement, and the
    /// pairable units, ratings and raters. α = 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck; null when no unit pairs or
    /// expected disagreement is 0. Sums run in key order, so equal counters give equal results.
    /// </summary>
    public (double? Alpha, double? Percent, int Units, int Ratings, int Raters) Result(MeasurementLevel level)
    {
        var units = Units.Values.Sum();
        if (units == 0)
        {
            return (null, null, 0, 0, 0);
        }

        var values = Marginals.Keys.Order().ToArray();
        var n = (double)Marginals.Values.Sum();
        var rank = new Dictionary<int, double>();
        double below = 0;
        foreach (var v in values)
        {
            rank[v] = below + (Marginals[v] / 2.0);
            below += Marginals[v];
        }

        double Delta2(int c, int k) => level == MeasurementLevel.Nominal ? (c == k ? 0 : 1) : Math.Pow(rank[k] - rank[c], 2);

        double observed = 0;
        foreach (var m in Coincidences.Keys.Order())
        {
            double sum = 0;
            foreach (var cell in Coincidences[m].Keys.Order())
            {
                var (c, k) = Unpack(cell);
                sum += Coincidences[m][cell] * Delta2(c, k);
            }

            observed += sum / (m - 1);
        }

        double expected = 0;
        foreach (var c in values)
        {
            foreach (var k in values)
            {
                expected += (double)Marginals[c] * Marginals[k] * Delta2(c, k);
            }
        }

        double? alpha = n < 2 || expected == 0 ? null : 1 - ((n - 1) * observed / expected);
        double percent = 0;
        foreach (var m in AgreeingPairs.Keys.Order())
        {
            percent += AgreeingPairs[m] / ((double)m * (m - 1));
        }

        return (alpha, percent / units, (int)units, (int)n, Raters.Count);
    }

    internal static long Pack(int c, int k) => ((long)c << 32) | (uint)k;

    internal static (int C, int K) Unpack(long cell) => ((int)(cell >> 32), (int)(cell & 0xFFFFFFFF));

    internal static void Bump<TKey>(Dictionary<TKey, long> counts, TKey key, long by)
        where TKey : notnull
    {
        var value = counts.GetValueOrDefault(key) + by;
        if (value == 0)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key] = value;
        }
    }
}

/// <summary>One annotator's counters. All but <see cref="Repeats"/>, <see cref="LastAt"/>, <see cref="LastAnswer"/> and <see cref="MedianSeconds"/> are sums over items.</summary>
public sealed class AnnotatorCounts
{
    public long Annotations { get; set; }
    public long Compared { get; set; }
    public long Agreeing { get; set; }

    /// <summary>Σ (n v − Σ others) by n, the number of others: the offsets from the others' mean times n, kept exact.</summary>
    public Dictionary<int, long> OffsetNumerators { get; set; } = [];
    public long Offsets { get; set; }
    public long Fast { get; set; }
    public long Left { get; set; }
    public long Right { get; set; }
    public long SelfSame { get; set; }
    public long SelfChecked { get; set; }

    /// <summary>Answers identical to the one before, in the order they were made (not a sum over items: kept by a pass over the annotator's answers).</summary>
    public long Repeats { get; set; }
    public DateTime LastAt { get; set; }
    public string? LastAnswer { get; set; }

    /// <summary>The times on task around the median (an order statistic, not countable: a window read from an index, re-read when the median leaves it).</summary>
    public TimeWindow Times { get; set; } = new();

    public bool IsEmpty => Annotations == 0 && Compared == 0 && Agreeing == 0 && OffsetNumerators.Count == 0 && Offsets == 0
        && Fast == 0 && Left == 0 && Right == 0 && SelfSame == 0 && SelfChecked == 0;
}

/// <summary>
/// A project's quality report as counters kept up to date item by item: take an item's ratings as last counted out
/// (<see cref="AddItem"/> with sign −1) and its ratings now in (sign 1), and <see cref="Report"/> gives what
/// <see cref="QualityCalculator.Compute"/> gives over all the rows.
/// </summary>
/// <remarks>
/// <para>Countable per item, so updated incrementally: the annotation and item counts; each dimension's alpha and percent
/// agreement (<see cref="AlphaCounts"/>); the weekly alpha (the same counters per week in which an item's ratings
/// changed); the pair kappas (a contingency table per pair of annotators over the units both rated); and per annotator the
/// agreement with the others, the mean offset, the fast, left and right counts and the self-consistency checks.</para>
/// <para>Not countable per item: the repeat share (it depends on the order of an annotator's answers across items; kept by
/// appending their new answers, or by a pass over that annotator's answers when an old one changed), the median time on
/// task (an order statistic: read per annotator from an index), Dawid–Skene labels (a fit over the whole project: a full
/// recompute), trust-weighted labels once gold standings change (every item's weights change: a full recompute), and the
/// AI-versus-humans section (read from the items with AI labels on each run).</para>
/// </remarks>
public sealed class QualityAccumulator
{
    public long Annotations { get; set; }
    public long Items { get; set; }
    public Dictionary<string, AlphaCounts> Dimensions { get; set; } = [];

    /// <summary>Per dimension, per week (DateOnly day number of its Monday): how the counters up to that week's end changed.</summary>
    public Dictionary<string, Dictionary<int, AlphaCounts>> Weekly { get; set; } = [];

    /// <summary>Non-repeat ratings per week they were made in (DateOnly day number of its Monday).</summary>
    public Dictionary<int, long> WeekRows { get; set; } = [];

    /// <summary>Per pair of annotators (smaller id first, "a|b"), the counts of (a's value, b's value) on the pair dimension's shared units.</summary>
    public Dictionary<string, Dictionary<long, long>> Pairs { get; set; } = [];
    public Dictionary<Guid, AnnotatorCounts> Annotators { get; set; } = [];

    /// <summary>Whether <see cref="AddItem"/> moves annotators' time windows (an incremental update; a full count reads them afterwards).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool TrackTimes { get; set; }

    /// <summary>Adds (sign 1) or takes out (sign −1) one item's ratings (all of one item, repeats included).</summary>
    internal void AddItem(Project project, IReadOnlyList<QualityCalculator.Dimension> dimensions, IReadOnlyList<RatingRow> itemRows, int sign)
    {
        var rows = itemRows.Where(r => r.RepeatOf is null).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        Annotations += sign * rows.Count;
        Items += sign;
        foreach (var r in rows)
        {
            AlphaCounts.Bump(WeekRows, QualityCalculator.WeekStart(r.CreatedAt).DayNumber, sign);
        }

        foreach (var d in dimensions)
        {
            var all = Dimensions.TryGetValue(d.Key, out var a) ? a : Dimensions[d.Key] = new AlphaCounts();
            AddUnits(all, d, rows, sign);
            if (all.IsZero)
            {
                Dimensions.Remove(d.Key);
            }

            // The weekly alpha counts every rating made before a week's end: the item adds what it holds by each week it changed in.
            var weeks = Weekly.TryGetValue(d.Key, out var w) ? w : Weekly[d.Key] = [];
            List<RatingRow> before = [];
            foreach (var week in rows.Select(r => QualityCalculator.WeekStart(r.CreatedAt)).Distinct().Order())
            {
                var end = week.AddDays(7).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
                var upTo = rows.Where(r => r.CreatedAt < end).ToList();
                var delta = weeks.TryGetValue(week.DayNumber, out var x) ? x : weeks[week.DayNumber] = new AlphaCounts();
                AddUnits(delta, d, upTo, sign);
                AddUnits(delta, d, before, -sign);
                if (delta.IsZero)
                {
                    weeks.Remove(week.DayNumber);
                }

                before = upTo;
            }

            if (weeks.Count == 0)
            {
                Weekly.Remove(d.Key);
            }
        }

        var primary = dimensions.FirstOrDefault(d => d.Key == QualityCalculator.ChoiceKey) ?? (dimensions.Count > 0 ? dimensions[0] : null);
        if (primary is not null)
        {
            AddPairs(primary, rows, sign);
        }

        AddAnnotators(project, rows, itemRows, sign);
    }

    private static void AddUnits(AlphaCounts counts, QualityCalculator.Dimension d, List<RatingRow> rows, int sign)
    {
        foreach (var unit in rows.SelectMany(r => d.Values(r).Select(v => (v.Unit, Rater: r.AnnotatorId, Value: (int)v.Value))).GroupBy(v => v.Unit))
        {
            counts.AddUnit([.. unit.Select(v => (v.Rater, v.Value))], sign);
        }
    }

    private void AddPairs(QualityCalculator.Dimension d, List<RatingRow> rows, int sign)
    {
        foreach (var unit in rows.SelectMany(r => d.Values(r).Select(v => (v.Unit, Rater: r.AnnotatorId, Value: (int)v.Value))).GroupBy(v => v.Unit))
        {
            var ratings = unit.OrderBy(v => v.Rater).ToList();
            for (var i = 0; i < ratings.Count; i++)
            {
                for (var j = i + 1; j < ratings.Count; j++)
                {
                    if (ratings[i].Rater == ratings[j].Rater)
                    {
                        continue;
                    }

                    var key = PairKey(ratings[i].Rater, ratings[j].Rater);
                    var table = Pairs.TryGetValue(key, out var t) ? t : Pairs[key] = [];
                    AlphaCounts.Bump(table, AlphaCounts.Pack(ratings[i].Value, ratings[j].Value), sign);
                    if (table.Count == 0)
                    {
                        Pairs.Remove(key);
                    }
                }
            }
        }
    }

    internal static string PairKey(Guid a, Guid b) => a.CompareTo(b) < 0 ? $"{a}|{b}" : $"{b}|{a}";

    private void AddAnnotators(Project project, List<RatingRow> rows, IReadOnlyList<RatingRow> itemRows, int sign)
    {
        var settings = project.Settings;
        var likert = project.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise;
        var pairwise = project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;
        foreach (var r in rows)
        {
            var counts = Counts(r.AnnotatorId);
            counts.Annotations += sign;
            if (TrackTimes)
            {
                counts.Times.Add(r.TimeOnTaskMs, sign);
            }
            if (r.TimeOnTaskMs < settings.Quality.MinSecondsPerTask * 1000)
            {
                counts.Fast += sign;
            }

            if ((r.Choice == Core.Aggregation.PreferenceChoice.A && r.LeftIsA) || (r.Choice == Core.Aggregation.PreferenceChoice.B && !r.LeftIsA))
            {
                counts.Left += sign;
            }

            if ((r.Choice == Core.Aggregation.PreferenceChoice.B && r.LeftIsA) || (r.Choice == Core.Aggregation.PreferenceChoice.A && !r.LeftIsA))
            {
                counts.Right += sign;
            }

            var others = rows.Where(o => o.AnnotatorId != r.AnnotatorId).ToList();
            if (others.Count > 0)
            {
                counts.Compared += sign;
                if (pairwise && r.Choice is { } choice)
                {
                    var votes = new int[QualityCalculator.ChoiceClasses];
                    foreach (var o in others.Where(o => o.Choice is not null))
                    {
                        votes[(int)o.Choice!.Value]++;
                    }

                    if (votes.Max() > 0 && votes[(int)choice] == votes.Max())
                    {
                        counts.Agreeing += sign;
                    }
                }
                else if (likert && r.Scores is { } scores)
                {
                    var within = true;
                    foreach (var (key, value) in scores)
                    {
                        var theirs = others.Where(o => o.Scores?.ContainsKey(key) == true).Select(o => (long)o.Scores![key]).ToList();
                        if (theirs.Count == 0)
                        {
                            continue;
                        }

                        // n (v − mean) = n v − Σ, an integer; |v − mean| ≤ 1 exactly when |n v − Σ| ≤ n.
                        var numerator = (theirs.Count * (long)value) - theirs.Sum();
                        AlphaCounts.Bump(counts.OffsetNumerators, theirs.Count, sign * numerator);
                        counts.Offsets += sign;
                        within &= Math.Abs(numerator) <= theirs.Count;
                    }

                    counts.Agreeing += within ? sign : 0;
                }
            }
        }

        foreach (var repeat in itemRows.Where(r => r.RepeatOf is not null))
        {
            if (rows.FirstOrDefault(r => r.Id == repeat.RepeatOf) is { } original)
            {
                var counts = Counts(repeat.AnnotatorId);
                counts.SelfChecked += sign;
                counts.SelfSame += QualityCalculator.Consistent(original, repeat) ? sign : 0;
            }
        }
    }

    private AnnotatorCounts Counts(Guid id) => Annotators.TryGetValue(id, out var c) ? c : Annotators[id] = new AnnotatorCounts();

    /// <summary>Drops annotators left with nothing counted (their last answer was taken out).</summary>
    public void Prune()
    {
        foreach (var id in Annotators.Where(a => a.Value.IsEmpty).Select(a => a.Key).ToList())
        {
            Annotators.Remove(id);
        }
    }

    /// <summary>The report the counters describe; annotators' names, gold and pauses from <paramref name="annotators"/>.</summary>
    public QualityReport Report(Project project, IReadOnlyDictionary<Guid, AnnotatorInfo> annotators, DateTime now)
    {
        var dimensions = QualityCalculator.Dimensions(project).ToList();
        var agreements = dimensions.Select(d =>
        {
            var (alpha, percent, units, ratings, raters) = Dimensions.TryGetValue(d.Key, out var c) ? c.Result(d.Level) : (null, null, 0, 0, 0);
            return new DimensionAgreement(d.Key, d.Name, AgreementRequest.NameOf(d.Level), alpha, percent, units, ratings, raters);
        }).ToList();
        var primary = dimensions.FirstOrDefault(d => d.Key == QualityCalculator.ChoiceKey) ?? dimensions.FirstOrDefault();
        return new QualityReport(now, (int)Annotations, (int)Items, agreements, WeeklyPoints(dimensions),
            primary?.Name, primary is null ? [] : PairPoints(primary, annotators), AnnotatorPoints(project, annotators));
    }

    private List<WeeklyAgreement> WeeklyPoints(List<QualityCalculator.Dimension> dimensions)
    {
        var points = new List<WeeklyAgreement>();
        if (WeekRows.Count == 0)
        {
            return points;
        }

        var first = DateOnly.FromDayNumber(WeekRows.Keys.Min());
        var last = DateOnly.FromDayNumber(WeekRows.Keys.Max());
        if (first < last.AddDays(-7 * (QualityCalculator.MaxWeeks - 1)))
        {
            first = last.AddDays(-7 * (QualityCalculator.MaxWeeks - 1));
        }

        var running = dimensions.ToDictionary(d => d.Key, _ => new AlphaCounts());
        var deltas = dimensions.ToDictionary(d => d.Key, d => Weekly.TryGetValue(d.Key, out var w) ? w.OrderBy(x => x.Key).ToList() : []);
        var next = dimensions.ToDictionary(d => d.Key, _ => 0);
        for (var week = first; week <= last; week = week.AddDays(7))
        {
            foreach (var d in dimensions)
            {
                var list = deltas[d.Key];
                while (next[d.Key] < list.Count && list[next[d.Key]].Key <= week.DayNumber)
                {
                    running[d.Key].Add(list[next[d.Key]].Value, 1);
                    next[d.Key]++;
                }

                var (alpha, _, units, _, _) = running[d.Key].Result(d.Level);
                points.Add(new WeeklyAgreement(week, d.Key, alpha, units));
            }
        }

        return points;
    }

    private List<PairAgreement> PairPoints(QualityCalculator.Dimension d, IReadOnlyDictionary<Guid, AnnotatorInfo> annotators)
    {
        var ids = Annotators.Where(a => a.Value.Annotations > 0)
            .OrderByDescending(a => a.Value.Annotations).ThenBy(a => a.Key)
            .Take(QualityCalculator.MaxHeatMapAnnotators).Select(a => a.Key).ToList();
        var weights = d.Level == MeasurementLevel.Nominal ? KappaWeights.None : KappaWeights.Quadratic;
        var pairs = new List<PairAgreement>();
        for (var i = 0; i < ids.Count; i++)
        {
            for (var j = i + 1; j < ids.Count; j++)
            {
                if (!Pairs.TryGetValue(PairKey(ids[i], ids[j]), out var table))
                {
                    continue;
                }

                var swapped = ids[i].CompareTo(ids[j]) > 0;
                var first = new List<double>();
                var second = new List<double>();
                foreach (var cell in table.Keys.Order())
                {
                    var (va, vb) = AlphaCounts.Unpack(cell);
                    for (var k = 0; k < table[cell]; k++)
                    {
                        first.Add(swapped ? vb : va);
                        second.Add(swapped ? va : vb);
                    }
                }

                var kappa = first.Count < 2 ? double.NaN : AgreementMetrics.CohenKappa([.. first], [.. second], weights);
                pairs.Add(new PairAgreement(ids[i], ids[j], QualityCalculator.NameOf(annotators, ids[i]), QualityCalculator.NameOf(annotators, ids[j]),
                    double.IsFinite(kappa) ? kappa : null, first.Count));
            }
        }

        return pairs;
    }

    private List<AnnotatorQuality> AnnotatorPoints(Project project, IReadOnlyDictionary<Guid, AnnotatorInfo> annotators)
    {
        var settings = project.Settings;
        var pairwise = project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;
        var result = new List<AnnotatorQuality>();
        foreach (var (id, c) in Annotators.Where(a => a.Value.Annotations > 0))
        {
            var info = annotators.GetValueOrDefault(id);
            var external = info?.External ?? false;
            var (leftShare, p) = Core.Quality.AnnotatorSignals.PositionBias((int)c.Left, (int)c.Right);
            double offsetSum = 0;
            foreach (var n in c.OffsetNumerators.Keys.Order())
            {
                offsetSum += c.OffsetNumerators[n] / (double)n;
            }

            var q = new AnnotatorQuality(
                id,
                QualityCalculator.NameOf(annotators, id),
                (int)c.Annotations,
                c.Compared == 0 ? null : (double)c.Agreeing / c.Compared,
                (int)c.Compared,
                c.Offsets == 0 ? null : offsetSum / c.Offsets,
                external || c.Annotations < 2 ? null : (double)c.Repeats / (c.Annotations - 1),
                external ? null : (double)c.Fast / c.Annotations,
                external ? null : c.Times.MedianSeconds(c.Annotations),
                pairwise && !external && !double.IsNaN(leftShare) ? leftShare : null,
                pairwise && !external && c.Left + c.Right > 0 ? p : null,
                info is { GoldAnswered: > 0 } ? (double)info.GoldCorrect / info.GoldAnswered : null,
                info?.GoldAnswered ?? 0,
                c.SelfChecked == 0 ? null : (double)c.SelfSame / c.SelfChecked,
                (int)c.SelfChecked,
                info?.Paused ?? false,
                [],
                external);
            result.Add(q with { Flags = QualityCalculator.Flags(q, settings) });
        }

        return [.. result.OrderByDescending(q => q.Flags.Count).ThenBy(q => q.Name, StringComparer.Ordinal)];
    }
}

/// <summary>
/// An annotator's times on task at consecutive ranks around the median, with how many lie below and above: a new time
/// or a removed one moves a count or the window, and the median is read from the window while it still holds the middle
/// ranks. Equal times are interchangeable, so a time equal to the window's edge may go in either.
/// </summary>
public sealed class TimeWindow
{
    /// <summary>How many times a window read from the database holds either side of the median.</summary>
    public const int Reach = 32;

    public long Below { get; set; }
    public long Above { get; set; }
    public List<int> Values { get; set; } = [];

    /// <summary>False once a change could not be placed (the window is empty): the window must be read again.</summary>
    public bool Valid { get; set; } = true;

    public void Add(int ms, int sign)
    {
        if (!Valid)
        {
            return;
        }

        if (Values.Count == 0)
        {
            if (sign > 0 && Below == 0 && Above == 0)
            {
                Values.Add(ms);
            }
            else
            {
                Valid = false;
            }

            return;
        }

        if (ms < Values[0])
        {
            Below += sign;
        }
        else if (ms > Values[^1])
        {
            Above += sign;
        }
        else if (sign > 0)
        {
            var at = Values.BinarySearch(ms);
            Values.Insert(at < 0 ? ~at : at, ms);
        }
        else
        {
            var at = Values.BinarySearch(ms);
            if (at < 0)
            {
                Valid = false;
            }
            else
            {
                Values.RemoveAt(at);
            }
        }

        Valid &= Below >= 0 && Above >= 0;
    }

    /// <summary>Whether the window holds the middle rank(s) of <paramref name="count"/> times.</summary>
    public bool Covers(long count) => Valid && count > 0 && Below + Values.Count + Above == count
        && (count - 1) / 2 >= Below && count / 2 < Below + Values.Count;

    /// <summary>The median in seconds, as <see cref="QualityCalculator"/> takes it; null when there are no times or the window does not cover it.</summary>
    public double? MedianSeconds(long count)
    {
        if (!Covers(count))
        {
            return null;
        }

        var lower = Values[(int)(((count - 1) / 2) - Below)] / 1000.0;
        var upper = Values[(int)((count / 2) - Below)] / 1000.0;
        return count % 2 == 1 ? lower : (lower + upper) / 2;
    }
}
