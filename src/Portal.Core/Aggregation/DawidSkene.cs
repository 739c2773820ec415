using System.Numerics.Tensors;
using Portal.Core.Agreement;

namespace Portal.Core.Aggregation;

/// <summary>Settings for <see cref="DawidSkene.Fit"/>.</summary>
/// <param name="MaxIterations">The most EM rounds to run.</param>
/// <param name="Tolerance">Stop when no item's posterior probability of any class moves by more than this in a round.</param>
/// <param name="Smoothing">
/// Pseudo-labels added to every cell of every annotator's confusion counts, and to every class count for the priors
/// (a symmetric Dirichlet prior, so the estimates are MAP). An annotator with few labels thus stays close to uniform
/// confusions and carries little weight, and no probability is ever 0.
/// </param>
public sealed record DawidSkeneOptions(int MaxIterations = 500, double Tolerance = 1e-6, double Smoothing = 1.0);

/// <summary>
/// Dawid and Skene (1979): estimates each annotator's confusion matrix, the class priors and each item's posterior
/// over the true class jointly by expectation–maximization over a whole project.
/// </summary>
/// <remarks>
/// Deterministic: it starts from each item's vote shares (a soft majority vote) and visits everything in index order.
/// Each round is O(n k + a k² + i k) for n labels, k classes, a annotators and i items.
/// </remarks>
public static class DawidSkene
{
    /// <summary>Fits the model to a project's labels: units are items, raters are annotators, values are classes.</summary>
    /// <param name="labels">Each annotator's label of each item they labelled: a whole number 0 .. <paramref name="classCount"/> - 1.</param>
    /// <param name="classCount">The number of classes, 4 for <see cref="PreferenceChoice"/>.</param>
    /// <param name="options">Iterations, tolerance and smoothing; the defaults when null.</param>
    /// <exception cref="ArgumentException">A value is not a class, or an option is out of range.</exception>
    public static DawidSkeneResult Fit(RatingTable labels, int classCount, DawidSkeneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        options ??= new DawidSkeneOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxIterations, 1, nameof(options));
        if (!(options.Tolerance >= 0) || !(options.Smoothing > 0) || !double.IsFinite(options.Smoothing))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "Tolerance must be at least 0 and smoothing a positive number.");
        }

        var k = classCount;
        var items = labels.UnitCount;
        var annotators = labels.RaterCount;
        var classes = Classes(labels.Values, k, nameof(labels));
        var raters = labels.Raters;
        var starts = labels.UnitStarts;

        var votes = new int[items * k];
        for (var i = 0; i < items; i++)
        {
            for (var p = starts[i]; p < starts[i + 1]; p++)
            {
                votes[(i * k) + classes[p]]++;
            }
        }

        var posterior = new double[items * k];
        for (var i = 0; i < items; i++)
        {
            var m = starts[i + 1] - starts[i];
            for (var c = 0; c < k; c++)
            {
                posterior[(i * k) + c] = m == 0 ? 1.0 / k : (double)votes[(i * k) + c] / m;
            }
        }

        var priors = new double[k];
        var confusion = new double[annotators * k * k];
        var logPriors = new double[k];
        var logConfusion = new double[annotators * k * k];
        var logJoint = new double[k];
        double logLikelihood = 0;
        var iterations = 0;
        var converged = false;
        while (iterations < options.MaxIterations && !converged)
        {
            iterations++;

            // M-step: π_c ∝ s + Σ_i T_ic; θ_a[c, l] ∝ s + Σ_{items i a labelled l} T_ic.
            Array.Fill(priors, options.Smoothing);
            Array.Fill(confusion, options.Smoothing);
            for (var i = 0; i < items; i++)
            {
                for (var c = 0; c < k; c++)
                {
                    priors[c] += posterior[(i * k) + c];
                }

                for (var p = starts[i]; p < starts[i + 1]; p++)
                {
                    var cells = raters[p] * k * k;
                    for (var c = 0; c < k; c++)
                    {
                        confusion[cells + (c * k) + classes[p]] += posterior[(i * k) + c];
                    }
                }
            }

            NormalizeRows(priors, k);
            NormalizeRows(confusion, k);
            for (var c = 0; c < k; c++)
            {
                logPriors[c] = Math.Log(priors[c]);
            }

            for (var x = 0; x < confusion.Length; x++)
            {
                logConfusion[x] = Math.Log(confusion[x]);
            }

            // E-step: T_ic ∝ π_c Π_{labels l of i by a} θ_a[c, l], in logs.
            logLikelihood = 0;
            double change = 0;
            for (var i = 0; i < items; i++)
            {
                logPriors.CopyTo(logJoint, 0);
                for (var p = starts[i]; p < starts[i + 1]; p++)
                {
                    var cells = raters[p] * k * k;
                    for (var c = 0; c < k; c++)
                    {
                        logJoint[c] += logConfusion[cells + (c * k) + classes[p]];
                    }
                }

                var max = logJoint.Max();
                double total = 0;
                for (var c = 0; c < k; c++)
                {
                    total += Math.Exp(logJoint[c] - max);
                }

                for (var c = 0; c < k; c++)
                {
                    var updated = Math.Exp(logJoint[c] - max) / total;
                    change = Math.Max(change, Math.Abs(updated - posterior[(i * k) + c]));
                    posterior[(i * k) + c] = updated;
                }

                logLikelihood += max + Math.Log(total);
            }

            converged = change <= options.Tolerance;
        }

        return new DawidSkeneResult(labels, k, priors, confusion, posterior, votes, iterations, converged, logLikelihood);
    }

    private static int[] Classes(ReadOnlySpan<double> values, int classCount, string paramName)
    {
        var classes = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            if (value != Math.Floor(value) || value < 0 || value >= classCount)
            {
                throw new ArgumentException(
                    FormattableString.Invariant($"Value {value} is not a class from 0 to {classCount - 1}."), paramName);
            }

            classes[i] = (int)value;
        }

        return classes;
    }

    private static void NormalizeRows(double[] cells, int width)
    {
        for (var row = 0; row < cells.Length; row += width)
        {
            var span = cells.AsSpan(row, width);
            var sum = TensorPrimitives.Sum<double>(span);
            TensorPrimitives.Divide(span, sum, span);
        }
    }
}

/// <summary>A fitted Dawid–Skene model: class priors, each annotator's confusion matrix and each item's posterior.</summary>
public sealed class DawidSkeneResult
{
    private readonly RatingTable _labels;
    private readonly double[] _priors;
    private readonly double[] _confusion;
    private readonly double[] _posterior;
    private readonly int[] _votes;

    internal DawidSkeneResult(RatingTable labels, int classCount, double[] priors, double[] confusion, double[] posterior,
        int[] votes, int iterations, bool converged, double logLikelihood)
    {
        _labels = labels;
        ClassCount = classCount;
        _priors = priors;
        _confusion = confusion;
        _posterior = posterior;
        _votes = votes;
        Iterations = iterations;
        Converged = converged;
        LogLikelihood = logLikelihood;
    }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The EM rounds run.</summary>
    public int Iterations { get; }

    /// <summary>Whether the posteriors settled within the tolerance before the iteration limit.</summary>
    public bool Converged { get; }

    /// <summary>The log-likelihood of the labels under the fitted model (smoothing aside) after the last round.</summary>
    public double LogLikelihood { get; }

    /// <summary>The estimated share of items in each class.</summary>
    public ReadOnlySpan<double> ClassPriors => _priors;

    /// <summary>The items, numbered as the table's units.</summary>
    public int ItemCount => _labels.UnitCount;

    /// <summary>The annotators, numbered as the table's raters.</summary>
    public int AnnotatorCount => _labels.RaterCount;

    /// <summary>The item's posterior probability of each true class.</summary>
    public ReadOnlySpan<double> Posterior(int item) => _posterior.AsSpan(item * ClassCount, ClassCount);

    /// <summary>
    /// The annotator's confusion matrix, row-major: entry <c>[trueClass * ClassCount + label]</c> is the probability
    /// that they give <c>label</c> to an item whose true class is <c>trueClass</c>; each row sums to 1.
    /// </summary>
    public ReadOnlySpan<double> Confusion(int annotator) =>
        _confusion.AsSpan(annotator * ClassCount * ClassCount, ClassCount * ClassCount);

    /// <summary>The probability that <paramref name="annotator"/> labels an item of <paramref name="trueClass"/> as <paramref name="label"/>.</summary>
    public double Confusion(int annotator, int trueClass, int label) => Confusion(annotator)[(trueClass * ClassCount) + label];

    /// <summary>The item's curated choice: the class of highest posterior, ties broken by <paramref name="tieBreakOrder"/>.</summary>
    /// <param name="item">The item, as the table's unit index; its id is <c>labels.UnitId(item)</c>.</param>
    /// <param name="tieBreakOrder">Every class once, most preferred first; empty for ascending class index.</param>
    public CuratedChoice Label(int item, ReadOnlySpan<int> tieBreakOrder = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(item);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(item, ItemCount);
        CuratedChoice.RequireTieBreakOrder(tieBreakOrder, ClassCount, nameof(tieBreakOrder));
        var candidates = new bool[ClassCount];
        Array.Fill(candidates, true);
        return CuratedChoice.Decide(AggregationMethod.DawidSkene, _votes.AsSpan(item * ClassCount, ClassCount).ToArray(),
            Posterior(item).ToArray(), candidates, tieBreakOrder);
    }
}
