using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class AgreementPropertyTests
{
    private const double Tolerance = 1e-9;

    private static readonly MeasurementLevel[] Levels =
        [MeasurementLevel.Nominal, MeasurementLevel.Ordinal, MeasurementLevel.Interval, MeasurementLevel.Ratio];

    /// <summary>A rater × unit matrix of values on a 0..6 scale, a fifth of them missing.</summary>
    private static Gen<double?[][]> Ratings(int minRaters, int maxRaters) =>
        from raters in Gen.Choose(minRaters, maxRaters)
        from units in Gen.Choose(2, 15)
        from cells in Gen.ArrayOf(
            Gen.Frequency((1, Gen.Constant((double?)null)), (4, Gen.Choose(0, 6).Select(v => (double?)v))),
            raters * units)
        select Enumerable.Range(0, raters).Select(r => cells.AsSpan(r * units, units).ToArray()).ToArray();

    [Property(MaxTest = 200)]
    public Property KrippendorffAlpha_PerfectAgreementWithVariation_IsOne() =>
        Prop.ForAll(
            (from truths in Gen.ArrayOf(Gen.Choose(0, 6), 8)
             from raters in Gen.Choose(2, 5)
             select (truths, raters))
            .Where(data => data.truths.Distinct().Count() > 1)
            .ToArbitrary(),
            data =>
            {
                var rows = Enumerable.Range(0, data.raters)
                    .Select(r => data.truths.Select(t => (double?)t).ToArray())
                    .ToArray();
                var table = TestTables.FromRaterRows(rows);
                return Levels.All(level => AgreementMetrics.KrippendorffAlpha(table, level) == 1.0);
            });

    [Property(MaxTest = 200)]
    public Property KrippendorffAlpha_UnitsAndRatersRelabelledAndShuffled_Unchanged() =>
        Prop.ForAll(
            Ratings(2, 6).Zip(Gen.Choose(0, int.MaxValue - 1)).ToArbitrary(),
            data =>
            {
                var (rows, seed) = data;
                var table = TestTables.FromRaterRows(rows);
                var shuffled = Relabel(table, new Random(seed));
                return Levels.All(level => SameOrBothNaN(
                    AgreementMetrics.KrippendorffAlpha(table, level),
                    AgreementMetrics.KrippendorffAlpha(shuffled, level)));
            });

    [Property(MaxTest = 200)]
    public Property CohenKappa_RatersSwapped_Unchanged() =>
        Prop.ForAll(
            Ratings(2, 2).ToArbitrary(),
            rows =>
            {
                var table = TestTables.FromRaterRows(rows);
                var swapped = TestTables.FromRaterRows([rows[1], rows[0]]);
                var raterCount = table.Raters.ToArray().Distinct().Count();
                return raterCount < 2 || Enum.GetValues<KappaWeights>().All(weights => SameOrBothNaN(
                    AgreementMetrics.CohenKappa(table, weights),
                    AgreementMetrics.CohenKappa(swapped, weights)));
            });

    [Property(MaxTest = 200)]
    public Property Metrics_UnitsAndRatersRelabelledAndShuffled_Unchanged() =>
        Prop.ForAll(
            Ratings(2, 6).Zip(Gen.Choose(0, int.MaxValue - 1)).ToArbitrary(),
            data =>
            {
                var (rows, seed) = data;
                var table = TestTables.FromRaterRows(rows);
                var shuffled = Relabel(table, new Random(seed));
                return SameOrBothNaN(AgreementMetrics.PercentAgreement(table), AgreementMetrics.PercentAgreement(shuffled))
                    && SameOrBothNaN(AgreementMetrics.GwetAc1(table), AgreementMetrics.GwetAc1(shuffled));
            });

    private static bool SameOrBothNaN(double a, double b) =>
        (double.IsNaN(a) && double.IsNaN(b)) || Math.Abs(a - b) <= Tolerance;

    /// <summary>The same ratings with units and raters renumbered at random and the rows in random order.</summary>
    private static RatingTable Relabel(RatingTable table, Random random)
    {
        var unitLabel = Permutation(table.UnitCount, random);
        var raterLabel = Permutation(table.RaterCount, random);
        var order = Permutation(table.Count, random);
        var units = new int[table.Count];
        var raters = new int[table.Count];
        var values = new double[table.Count];
        for (var i = 0; i < table.Count; i++)
        {
            units[order[i]] = unitLabel[table.Units[i]];
            raters[order[i]] = raterLabel[table.Raters[i]];
            values[order[i]] = table.Values[i];
        }

        return RatingTable.FromIndices(units, raters, values);
    }

    private static int[] Permutation(int count, Random random)
    {
        var permutation = Enumerable.Range(0, count).ToArray();
        random.Shuffle(permutation);
        return permutation;
    }
}
