namespace Portal.Core.Rlthf;

/// <summary>How a round picks the pairs that go to humans.</summary>
public enum SelectionStrategy
{
    /// <summary>Targeted selection on the reward-margin curve (Xu et al., 2025), with sanitisation of the next training set.</summary>
    Rlthf,

    /// <summary>A seeded uniform sample: the baseline.</summary>
    Random,

    /// <summary>Smallest |margin| first: the pairs the reward model is least sure about, whichever way.</summary>
    Uncertainty,
}

/// <summary>Knobs of <see cref="Selection.Select"/>.</summary>
public sealed record SelectionOptions
{
    public SelectionStrategy Strategy { get; init; } = SelectionStrategy.Rlthf;

    /// <summary>
    /// Share of the trusted side (right of the knee) that is also left out of the next training set, nearest the knee first:
    /// the next round trains on AI labels at ranks ≥ knee + BackOffRatio·(n − knee). 0 keeps every pair right of the knee.
    /// </summary>
    public double BackOffRatio { get; init; } = 0.1;

    /// <summary>Flip the AI labels beyond the mirror point without asking anyone. Off by default: it only pays when the reward
    /// model is strong enough that the pairs it disagrees with most are wrong more often than not.</summary>
    public bool AutoFlip { get; init; }

    /// <summary>Seed of the <see cref="SelectionStrategy.Random"/> sample.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Most points kept in <see cref="MarginCurve.Points"/>.</summary>
    public int CurvePoints { get; init; } = 500;
}

/// <summary>One point of the sorted-margin curve: the pair's rank (0 = most suspicious) and its margin.</summary>
public readonly record struct CurvePoint(int Rank, float Margin);

/// <summary>
/// The candidates' margins in favour of their current labels, sorted ascending, downsampled for a chart, with the ranks of the
/// three landmarks. <see cref="Knee"/> ≤ <see cref="Elbow"/>; <see cref="Mirror"/> is the number of margins below minus the
/// elbow's margin; <see cref="ZeroCrossing"/> the number below 0.
/// </summary>
public sealed record MarginCurve(int Count, IReadOnlyList<CurvePoint> Points, int Knee, int Elbow, int Mirror, int ZeroCrossing);

/// <summary>
/// What a round does with its candidates. Indices are positions in the margins span given to <see cref="Selection.Select"/>.
/// </summary>
/// <param name="Selected">Pairs for humans, most suspicious first, at most the budget.</param>
/// <param name="AutoFlip">Pairs whose AI label is flipped without a human (empty unless <see cref="SelectionOptions.AutoFlip"/>).</param>
/// <param name="KeepForTraining">Candidates whose (possibly flipped) AI label the next round trains on.</param>
public sealed record SelectionResult(
    SelectionStrategy Strategy,
    IReadOnlyList<int> Selected,
    IReadOnlyList<int> AutoFlip,
    IReadOnlyList<int> KeepForTraining,
    MarginCurve Curve);

/// <summary>
/// Targeted selection of the pairs humans should label, from reward margins in favour of the current (AI) labels.
/// </summary>
/// <remarks>
/// <para>Sort the margins ascending: rank 0 is the pair the reward model most disagrees with. (The paper sorts descending;
/// its "left of the knee" is our "right of the knee".) The sorted curve is steep at both ends and flatter in the middle.</para>
/// <para><b>Landmarks.</b> Normalise x = rank/(n − 1) and y = (margin − lo)/(hi − lo), where lo and hi are the 0.5% and 99.5%
/// quantiles (y clipped to [0, 1], so a few extreme margins cannot flatten the rest), and smooth y with a centred moving
/// average over w = max(1, n/100) ranks. The chord from (0, 0) to (1, 1) has slope 1. The first derivative of the curve
/// crosses 1 twice, at the extremes of y − x (Kneedle; Satopää et al., 2011):</para>
/// <list type="bullet">
/// <item><b>Knee</b> = argmax (y − x): the slope falls through 1 as the steep tail of pairs the model disagrees with gives way
/// to the flat middle.</item>
/// <item><b>Elbow</b> = argmin (y − x) at or after the knee: the slope rises through 1 where the steep head of confident
/// agreement begins.</item>
/// <item><b>Mirror</b>: the elbow reflected through margin 0, the rank of the first margin ≥ −margin(elbow). Pairs beyond it
/// (ranks below) are as confidently against their label as the head right of the elbow is for theirs; 0 when margin(elbow) ≤ 0.
/// As labels get fixed the tail of disagreement thins and the mirror moves left by itself.</item>
/// </list>
/// <para>A curve without a bend (a straight line, fewer than 5 pairs) gets knee 0 and elbow n − 1.</para>
/// <para><b>Rlthf.</b> Auto-flip (optional) takes ranks [0, min(mirror, knee)). Humans get the band from there to the knee,
/// most suspicious first; when auto-flip is off nothing is flipped and the band starts at rank 0, the pairs beyond the mirror
/// being the most suspicious of all. A budget larger than the band continues past the knee in rank order. The next round
/// trains on the candidates at ranks ≥ knee + BackOffRatio·(n − knee), plus the auto-flipped ones.</para>
/// <para><b>Random</b> and <b>Uncertainty</b> keep every candidate for training.</para>
/// </remarks>
public static class Selection
{
    /// <summary>Selects from candidates with the given margins in favour of their current labels.</summary>
    /// <param name="margins">One margin per candidate; NaN is not allowed (a candidate without a margin is not a candidate).</param>
    /// <param name="budget">How many pairs humans can label this round (0 or more).</param>
    public static SelectionResult Select(ReadOnlySpan<float> margins, int budget, SelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        if (options.BackOffRatio is < 0 or > 1 || double.IsNaN(options.BackOffRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BackOffRatio, "BackOffRatio must be between 0 and 1.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CurvePoints, 2, nameof(options));
        for (var i = 0; i < margins.Length; i++)
        {
            if (!float.IsFinite(margins[i]))
            {
                throw new ArgumentException($"Margin {i} is {margins[i]}; every candidate needs a finite margin.", nameof(margins));
            }
        }

        var n = margins.Length;
        var order = new int[n];
        var sorted = margins.ToArray();
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        // Ties broken by index so the order is deterministic.
        Array.Sort(sorted, order);
        SortTiesByIndex(sorted, order);

        var (knee, elbow) = Landmarks(sorted);
        var mirror = n == 0 || sorted[elbow] <= 0 ? 0 : LowerBound(sorted, -sorted[elbow]);
        var zero = LowerBound(sorted, 0f);
        var curve = new MarginCurve(n, Downsample(sorted, options.CurvePoints), knee, elbow, mirror, zero);
        var take = Math.Min(budget, n);

        switch (options.Strategy)
        {
            case SelectionStrategy.Random:
                {
                    var shuffled = AllIndices(n);
                    new Random(options.Seed).Shuffle(shuffled);
                    return new SelectionResult(options.Strategy, shuffled[..take], [], AllIndices(n), curve);
                }
            case SelectionStrategy.Uncertainty:
                {
                    var byDistance = (int[])order.Clone();
                    var keys = new float[n];
                    for (var i = 0; i < n; i++)
                    {
                        keys[i] = MathF.Abs(margins[byDistance[i]]);
                    }
                    Array.Sort(keys, byDistance);
                    SortTiesByIndex(keys, byDistance);
                    return new SelectionResult(options.Strategy, byDistance[..take], [], AllIndices(n), curve);
                }
            case SelectionStrategy.Rlthf:
                {
                    var flipEnd = options.AutoFlip ? Math.Min(mirror, knee) : 0;
                    var selected = order[flipEnd..Math.Min(n, flipEnd + take)];
                    var autoFlip = order[..flipEnd];
                    var keepFrom = knee + (int)Math.Ceiling(options.BackOffRatio * (n - knee));
                    var keep = new List<int>(n - keepFrom + flipEnd);
                    keep.AddRange(autoFlip);
                    keep.AddRange(order[Math.Min(n, keepFrom)..]);
                    return new SelectionResult(options.Strategy, selected, autoFlip, keep, curve);
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Strategy, "Unknown selection strategy.");
        }
    }

    /// <summary>
    /// Knee and elbow ranks of an ascending curve, as described on <see cref="Selection"/>. Returns (0, n − 1) when the curve
    /// has fewer than 5 points or no spread.
    /// </summary>
    public static (int Knee, int Elbow) Landmarks(ReadOnlySpan<float> ascending)
    {
        var n = ascending.Length;
        if (n < 5)
        {
            return (0, Math.Max(0, n - 1));
        }
        for (var i = 1; i < n; i++)
        {
            if (!(ascending[i] >= ascending[i - 1]))
            {
                throw new ArgumentException("The curve must be sorted ascending and free of NaN.", nameof(ascending));
            }
        }
        var lo = ascending[(int)(0.005 * (n - 1))];
        var hi = ascending[(int)Math.Ceiling(0.995 * (n - 1))];
        if (!(hi > lo))
        {
            return (0, n - 1);
        }

        // Centred moving average of the clipped, normalised curve via prefix sums.
        var prefix = new double[n + 1];
        for (var i = 0; i < n; i++)
        {
            prefix[i + 1] = prefix[i] + Math.Clamp((ascending[i] - lo) / (hi - lo), 0.0, 1.0);
        }
        var half = Math.Max(1, n / 100) / 2;
        double Difference(int i)
        {
            var from = Math.Max(0, i - half);
            var to = Math.Min(n, i + half + 1);
            var y = (prefix[to] - prefix[from]) / (to - from);
            return y - ((double)i / (n - 1));
        }

        int knee = 0, elbow = n - 1;
        var best = double.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            var d = Difference(i);
            if (d > best)
            {
                best = d;
                knee = i;
            }
        }
        var worst = double.PositiveInfinity;
        for (var i = knee; i < n; i++)
        {
            var d = Difference(i);
            if (d < worst)
            {
                worst = d;
                elbow = i;
            }
        }
        return best <= 1e-9 && worst >= -1e-9 ? (0, n - 1) : (knee, elbow);
    }

    private static List<CurvePoint> Downsample(float[] sorted, int maxPoints)
    {
        var n = sorted.Length;
        var count = Math.Min(n, maxPoints);
        var points = new List<CurvePoint>(count);
        for (var j = 0; j < count; j++)
        {
            var rank = count == 1 ? 0 : (int)Math.Round((double)j * (n - 1) / (count - 1));
            points.Add(new CurvePoint(rank, sorted[rank]));
        }
        return points;
    }

    private static int LowerBound(float[] sorted, float value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    // Array.Sort is not stable: put equal keys in index order.
    private static void SortTiesByIndex(float[] keys, int[] items)
    {
        var start = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[start])
            {
                if (i - start > 1)
                {
                    Array.Sort(items, start, i - start);
                }
                start = i;
            }
        }
    }

    private static int[] AllIndices(int n)
    {
        var all = new int[n];
        for (var i = 0; i < n; i++)
        {
            all[i] = i;
        }
        return all;
    }
}
