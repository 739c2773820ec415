using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

public class RlthfRoundTests
{
    private static RoundPlan Plan(int n, int[] selected, int[] autoFlip, int[] keep) =>
        new(0, selected.Length, new float[n], new SelectionResult(SelectionStrategy.Rlthf, selected, autoFlip, keep, new MarginCurve(n, [], 0, n - 1, 0, 0)));

    [Fact]
    public void Apply_HumanAnswers_ReplaceLabelsAndAreAmplified()
    {
        var state = RlthfState.Start([Preference.A, Preference.A, Preference.B, Preference.B]);
        var plan = Plan(4, selected: [0, 1], autoFlip: [], keep: [2, 3]);

        var next = RlthfRound.Apply(state, plan, new Dictionary<int, Preference> { [0] = Preference.B, [1] = Preference.A }, new RoundOptions { AmplificationRatio = 3 });

        Assert.Equal([Preference.B, Preference.A, Preference.B, Preference.B], next.Labels);
        Assert.Equal([LabelSource.Human, LabelSource.Human, LabelSource.Ai, LabelSource.Ai], next.Sources);
        Assert.Equal([3f, 3f, 1f, 1f], next.Weights);
        Assert.Equal(1, next.Round);
        Assert.Equal(2, next.HumanLabels);
    }

    [Fact]
    public void Apply_AiLabelsNotKept_LeftOutOfTraining()
    {
        var state = RlthfState.Start([Preference.A, Preference.A, Preference.A]);

        var next = RlthfRound.Apply(state, Plan(3, [], [], keep: [2]), new Dictionary<int, Preference>(), new RoundOptions());

        Assert.Equal([0f, 0f, 1f], next.Weights);
    }

    [Fact]
    public void Apply_AutoFlip_FlipsOnlyUntouchedAiLabels()
    {
        var state = RlthfState.Start([Preference.A, Preference.A, Preference.A, Preference.A]) with
        {
            Sources = [LabelSource.Ai, LabelSource.Human, LabelSource.AutoFlip, LabelSource.Ai],
        };
        var plan = Plan(4, selected: [3], autoFlip: [0, 1, 2, 3], keep: [0, 2, 3]);

        var next = RlthfRound.Apply(state, plan, new Dictionary<int, Preference> { [3] = Preference.A }, new RoundOptions());

        Assert.Equal([Preference.B, Preference.A, Preference.A, Preference.A], next.Labels);
        Assert.Equal([LabelSource.AutoFlip, LabelSource.Human, LabelSource.AutoFlip, LabelSource.Human], next.Sources);
    }

    [Fact]
    public async Task PlanAsync_HumanLabelledPairs_AreNotCandidates()
    {
        var pairs = TestPairs.Synthetic(120, seed: 1);
        var state = RlthfState.Start([.. pairs.Select(p => p.Label!.Value)]);
        var sources = state.Sources.ToArray();
        for (var i = 0; i < 60; i++)
        {
            sources[i] = LabelSource.Human;
        }

        var plan = await RlthfRound.PlanAsync(new LinearRewardTrainer(), pairs, state with { Sources = sources }, 100, new RoundOptions { L2Grid = [] });

        Assert.All(plan.Selection.Selected, i => Assert.InRange(i, 60, 119));
        Assert.Equal(60, plan.Selection.Selected.Count);
        // Human-labelled pairs are scored out of fold too: that is the reward model's accuracy on human labels.
        Assert.All(plan.Margins, m => Assert.True(float.IsFinite(m)));
        Assert.Equal(60, plan.HumanLabelled);
        var agree = Enumerable.Range(0, 60).Count(i => plan.Margins[i] * state.Labels[i].Sign() > 0);
        Assert.Equal(agree / 60.0, plan.HumanAccuracy, 10);
        Assert.InRange(plan.HumanAccuracy, 0.5, 1.0); // better than chance on 120 pairs of learnable synthetic data
    }

    [Fact]
    public async Task PlanAsync_Repeats_AverageTheSplitsOutOfFoldMargins()
    {
        var pairs = TestPairs.Synthetic(120, seed: 3).Select(p => p with { Label = null }).ToList();
        var labels = TestPairs.Synthetic(120, seed: 3).Select(p => p.Label!.Value).ToList();
        var trainer = new LinearRewardTrainer(new FeatureOptions { HashBits = 12 });
        var options = new RoundOptions { Folds = 3, Seed = 5, L2Grid = [1e-2], Repeats = 2 };
        var weights = Enumerable.Repeat(1f, 120).ToList();

        var plan = await RlthfRound.PlanAsync(trainer, pairs, RlthfState.Start(labels), 10, options);

        var first = await CrossFitting.OutOfFoldMarginsAsync(trainer, pairs, labels, weights, null, 3, 5, new TrainOptions { L2 = 1e-2 });
        var second = await CrossFitting.OutOfFoldMarginsAsync(trainer, pairs, labels, weights, null, 3, 5 + 7919, new TrainOptions { L2 = 1e-2 });
        for (var i = 0; i < pairs.Count; i++)
        {
            Assert.Equal((first[i] / 2) + (second[i] / 2), plan.Margins[i], 1e-5f);
        }
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task PlanAsync_CommitteeDoubt_MovesTheMeanTowardsTheLabelBySpreadOfTheSplits()
    {
        var pairs = TestPairs.Synthetic(120, seed: 3).Select(p => p with { Label = null }).ToList();
        var labels = TestPairs.Synthetic(120, seed: 3).Select((p, i) => i % 4 == 0 ? p.Label!.Value.Flip() : p.Label!.Value).ToList();
        var trainer = new LinearRewardTrainer(new FeatureOptions { HashBits = 12 });
        var options = new RoundOptions { Folds = 3, Seed = 5, L2Grid = [1e-2], Repeats = 2, CommitteeDoubt = 1.5 };
        var weights = Enumerable.Repeat(1f, 120).ToList();

        var plan = await RlthfRound.PlanAsync(trainer, pairs, RlthfState.Start(labels), 10, options);

        var first = await CrossFitting.OutOfFoldMarginsAsync(trainer, pairs, labels, weights, null, 3, 5, new TrainOptions { L2 = 1e-2 });
        var second = await CrossFitting.OutOfFoldMarginsAsync(trainer, pairs, labels, weights, null, 3, 5 + 7919, new TrainOptions { L2 = 1e-2 });
        for (var i = 0; i < pairs.Count; i++)
        {
            // Two splits: the standard deviation of {a, b} is |a − b| / 2.
            var expected = ((first[i] + second[i]) / 2) + (1.5f * MathF.Abs(first[i] - second[i]) / 2 * labels[i].Sign());
            Assert.Equal(expected, plan.Margins[i], 1e-4f);
        }
    }

    [Fact]
    public async Task PlanAsync_CalibrateFolds_EachFoldHasUnitRootMeanSquare()
    {
        var pairs = TestPairs.Synthetic(90, seed: 4).Select(p => p with { Label = null }).ToList();
        var labels = TestPairs.Synthetic(90, seed: 4).Select(p => p.Label!.Value).ToList();
        var options = new RoundOptions { Folds = 3, Seed = 2, L2Grid = [1e-2], CalibrateFolds = true };

        var plan = await RlthfRound.PlanAsync(new LinearRewardTrainer(new FeatureOptions { HashBits = 12 }), pairs, RlthfState.Start(labels), 10, options);

        var fold = CrossFitting.FoldOf(90, 3, 2);
        for (var f = 0; f < 3; f++)
        {
            var inFold = plan.Margins.Where((_, i) => fold[i] == f).ToList();
            Assert.Equal(1.0, Math.Sqrt(inFold.Average(m => (double)m * m)), 1e-4);
        }
    }
}
