using System.Text;
using BenchmarkDotNet.Attributes;
using Portal.Core.Agreement;

namespace Portal.Benchmarks;

/// <summary>
/// Each agreement metric over seeded reliability data: units rated by four of fifty raters on a 1..5 scale, the same
/// units with continuous values for interval alpha, and two raters for Cohen's kappa.
/// </summary>
[MemoryDiagnoser]
public class AgreementBenchmarks
{
    private const int RatersPerUnit = 4;

    private RatingTable _likert = null!;
    private RatingTable _continuous = null!;
    private RatingTable _twoRaters = null!;
    private string _csv = null!;

    [Params(10_000, 100_000, 1_000_000)]
    public int Ratings { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20_240_601);
        var units = Ratings / RatersPerUnit;
        var unitIndex = new int[Ratings];
        var raterIndex = new int[Ratings];
        var likert = new double[Ratings];
        var continuous = new double[Ratings];
        var raters = Enumerable.Range(0, 50).ToArray();
        var csv = new StringBuilder("unit,rater,value\n");
        for (var unit = 0; unit < units; unit++)
        {
            var truth = random.Next(1, 6);
            random.Shuffle(raters);
            for (var r = 0; r < RatersPerUnit; r++)
            {
                var i = (unit * RatersPerUnit) + r;
                unitIndex[i] = unit;
                raterIndex[i] = raters[r];
                likert[i] = random.NextDouble() < 0.7 ? truth : random.Next(1, 6);
                continuous[i] = truth + random.NextDouble();
                csv.Append('u').Append(unit).Append(",r").Append(raters[r]).Append(',').Append((int)likert[i]).Append('\n');
            }
        }

        _likert = RatingTable.FromIndices(unitIndex, raterIndex, likert);
        _continuous = RatingTable.FromIndices(unitIndex, raterIndex, continuous);
        _csv = csv.ToString();

        var pairs = Ratings / 2;
        var pairUnits = new int[Ratings];
        var pairRaters = new int[Ratings];
        var pairValues = new double[Ratings];
        for (var unit = 0; unit < pairs; unit++)
        {
            var truth = random.Next(1, 6);
            for (var r = 0; r < 2; r++)
            {
                pairUnits[(2 * unit) + r] = unit;
                pairRaters[(2 * unit) + r] = r;
                pairValues[(2 * unit) + r] = random.NextDouble() < 0.7 ? truth : random.Next(1, 6);
            }
        }

        _twoRaters = RatingTable.FromIndices(pairUnits, pairRaters, pairValues);
    }

    [Benchmark]
    public double KrippendorffNominal() => AgreementMetrics.KrippendorffAlpha(_likert, MeasurementLevel.Nominal);

    [Benchmark]
    public double KrippendorffOrdinal() => AgreementMetrics.KrippendorffAlpha(_likert, MeasurementLevel.Ordinal);

    [Benchmark]
    public double KrippendorffInterval() => AgreementMetrics.KrippendorffAlpha(_likert, MeasurementLevel.Interval);

    [Benchmark]
    public double KrippendorffIntervalContinuous() => AgreementMetrics.KrippendorffAlpha(_continuous, MeasurementLevel.Interval);

    [Benchmark]
    public double KrippendorffRatio() => AgreementMetrics.KrippendorffAlpha(_likert, MeasurementLevel.Ratio);

    [Benchmark]
    public double FleissKappa() => AgreementMetrics.FleissKappa(_likert);

    [Benchmark]
    public double CohenKappa() => AgreementMetrics.CohenKappa(_twoRaters);

    [Benchmark]
    public double CohenKappaQuadratic() => AgreementMetrics.CohenKappa(_twoRaters, KappaWeights.Quadratic);

    [Benchmark]
    public double PercentAgreement() => AgreementMetrics.PercentAgreement(_likert);

    [Benchmark]
    public double GwetAc1() => AgreementMetrics.GwetAc1(_likert);

    [Benchmark]
    public int ReadCsv() => AgreementFile.Read(new StringReader(_csv)).Count;
}
