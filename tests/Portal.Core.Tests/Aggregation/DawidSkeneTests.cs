using Portal.Core.Aggregation;
using Portal.Core.Agreement;

namespace Portal.Core.Tests.Aggregation;

public class DawidSkeneTests
{
    private const int Classes = 3;

    /// <summary>
    /// A synthetic pairwise project: 2,000 items with true choices A, B or tie (45/45/10 %), each labelled by three of
    /// five annotators picked at random, plus a sixth who labels only four items. Annotators 0-2 are honest with the given
    /// accuracy, annotator 3 is adversarial (swaps A and B 90 % of the time), annotator 4 answers at random.
    /// </summary>
    private static (RatingTable Labels, int[] Truth) Project(int seed)
    {
        var random = new Random(seed);
        var confusions = new[] { Honest(0.9), Honest(0.8), Honest(0.75), Adversarial(0.9), Uniform(), Honest(0.8) };
        var truth = new int[2000];
        var builder = new RatingTableBuilder();
        for (var item = 0; item < truth.Length; item++)
        {
            var u = random.NextDouble();
            truth[item] = u < 0.45 ? 0 : u < 0.9 ? 1 : 2;
            var annotators = Enumerable.Range(0, 5).ToArray();
            random.Shuffle(annotators);
            var chosen = annotators.Take(3).ToList();
            if (item % 500 == 0)
            {
                chosen.Add(5);
            }

            foreach (var annotator in chosen)
            {
                builder.Add($"item{item}", $"annotator{annotator}", Sample(confusions[annotator], truth[item], random));
            }
        }

        return (builder.Build(), truth);
    }

    private static double[,] Honest(double accuracy)
    {
        var m = new double[Classes, Classes];
        for (var c = 0; c < Classes; c++)
        {
            for (var l = 0; l < Classes; l++)
            {
                m[c, l] = c == l ? accuracy : (1 - accuracy) / (Classes - 1);
            }
        }

        return m;
    }

    private static double[,] Adversarial(double swap) => new[,]
    {
        { (1 - swap) / 2, swap, (1 - swap) / 2 },
        { swap, (1 - swap) / 2, (1 - swap) / 2 },
        { 0.4, 0.4, 0.2 },
    };

    private static double[,] Uniform() => Honest(1 / 3.0);

    private static int Sample(double[,] confusion, int truth, Random random)
    {
        var u = random.NextDouble();
        for (var label = 0; label < Classes - 1; label++)
        {
            u -= confusion[truth, label];
            if (u < 0)
            {
                return label;
            }
        }

        return Classes - 1;
    }

    private static int Annotator(RatingTable table, int annotator) =>
        Enumerable.Range(0, table.RaterCount).Single(r => table.RaterId(r) == $"annotator{annotator}");

    private static int Item(RatingTable table, int item) => int.Parse(table.UnitId(item)[4..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Fit_AdversarialAndRandomAnnotators_BeatsMajorityVote()
    {
        var (labels, truth) = Project(seed: 42);

        var model = DawidSkene.Fit(labels, Classes);

        int majorityRight = 0, modelRight = 0;
        for (var item = 0; item < labels.UnitCount; item++)
        {
            var itemLabels = labels.Values[labels.UnitStarts[item]..labels.UnitStarts[item + 1]].ToArray().Select(v => (int)v).ToArray();
            majorityRight += ChoiceVote.Majority(itemLabels, Classes).Label == truth[Item(labels, item)] ? 1 : 0;
            modelRight += model.Label(item).Label == truth[Item(labels, item)] ? 1 : 0;
        }

        var majorityAccuracy = majorityRight / (double)labels.UnitCount;
        var modelAccuracy = modelRight / (double)labels.UnitCount;
        Assert.True(model.Converged);
        Assert.True(majorityAccuracy < 0.8, $"majority vote {majorityAccuracy:P1}");
        Assert.True(modelAccuracy > majorityAccuracy + 0.1, $"Dawid–Skene {modelAccuracy:P1}, majority vote {majorityAccuracy:P1}");
    }

    [Fact]
    public void Fit_ManyLabelsPerAnnotator_RecoversConfusionMatrices()
    {
        var (labels, truth) = Project(seed: 42);

        var model = DawidSkene.Fit(labels, Classes);

        // Compared with each annotator's actual confusions in the sample, so only the estimation error is measured.
        // Annotators 0-4 label about 1,200 items each, but the tie class is rare (about 120 of them), so its row is
        // estimated from fewer items and checked more loosely.
        for (var annotator = 0; annotator < 5; annotator++)
        {
            var index = Annotator(labels, annotator);
            var actual = ActualConfusion(labels, truth, index);
            for (var c = 0; c < Classes; c++)
            {
                var tolerance = c == 2 ? 0.12 : 0.06;
                for (var l = 0; l < Classes; l++)
                {
                    Assert.True(Math.Abs(actual[c, l] - model.Confusion(index, c, l)) < tolerance,
                        $"annotator {annotator}, true {c}, label {l}: actual {actual[c, l]:F3}, estimated {model.Confusion(index, c, l):F3}");
                }
            }
        }

        Assert.Equal(truth.Count(t => t == 0) / (double)truth.Length, model.ClassPriors[0], 0.03);
        Assert.Equal(truth.Count(t => t == 2) / (double)truth.Length, model.ClassPriors[2], 0.03);
    }

    private static double[,] ActualConfusion(RatingTable labels, int[] truth, int annotator)
    {
        var counts = new double[Classes, Classes];
        for (var p = 0; p < labels.Count; p++)
        {
            if (labels.Raters[p] == annotator)
            {
                counts[truth[Item(labels, labels.Units[p])], (int)labels.Values[p]]++;
            }
        }

        for (var c = 0; c < Classes; c++)
        {
            var row = Enumerable.Range(0, Classes).Sum(l => counts[c, l]);
            for (var l = 0; l < Classes; l++)
            {
                counts[c, l] /= row;
            }
        }

        return counts;
    }

    [Fact]
    public void Fit_AnnotatorWithFewLabels_SmoothedTowardsUniform()
    {
        var (labels, _) = Project(seed: 42);

        var model = DawidSkene.Fit(labels, Classes);

        var sparse = model.Confusion(Annotator(labels, 5));
        Assert.All(sparse.ToArray(), p => Assert.InRange(p, 0.1, 0.7));
        for (var c = 0; c < Classes; c++)
        {
            Assert.Equal(1.0, sparse.Slice(c * Classes, Classes).ToArray().Sum(), 1e-12);
        }
    }

    [Fact]
    public void Fit_SameInput_SameResult()
    {
        var (labels, _) = Project(seed: 7);

        var first = DawidSkene.Fit(labels, Classes);
        var second = DawidSkene.Fit(labels, Classes);

        Assert.Equal(first.Iterations, second.Iterations);
        for (var item = 0; item < labels.UnitCount; item++)
        {
            Assert.Equal(first.Posterior(item).ToArray(), second.Posterior(item).ToArray());
        }
    }

    [Fact]
    public void Label_CarriesVotesAndPosterior()
    {
        var builder = new RatingTableBuilder();
        foreach (var (item, annotator, label) in new[] { ("i1", "a", 0), ("i1", "b", 0), ("i1", "c", 1), ("i2", "a", 1), ("i2", "b", 1) })
        {
            builder.Add(item, annotator, label);
        }

        var model = DawidSkene.Fit(builder.Build(), classCount: 2);
        var choice = model.Label(0);

        Assert.Equal(AggregationMethod.DawidSkene, choice.Method);
        Assert.Equal(0, choice.Label);
        Assert.Equal([2, 1], choice.Votes);
        Assert.Equal(model.Posterior(0).ToArray(), choice.Scores);
        Assert.Equal(1.0, choice.Scores.Sum(), 1e-12);
    }

    [Fact]
    public void Fit_ValueNotAClass_Throws()
    {
        var table = RatingTable.FromIndices([0], [0], [2.0]);

        Assert.Throws<ArgumentException>(() => DawidSkene.Fit(table, classCount: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DawidSkene.Fit(table, classCount: 3, new DawidSkeneOptions(Smoothing: 0)));
    }
}
