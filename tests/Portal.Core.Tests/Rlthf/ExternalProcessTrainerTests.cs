using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.Core.Tests.Rlthf;

public class ExternalProcessTrainerTests
{
    private static readonly string Script = TestPairs.RepositoryFile(Path.Combine("tests", "Portal.Core.Tests", "Rlthf", "length-trainer.sh"));

    private static ExternalProcessTrainer Trainer(string mode, TimeSpan? timeout = null) => new(new ExternalTrainerOptions
    {
        FileName = "bash",
        Arguments = [Script, "{train}", "{score}", "{out}", mode],
        Timeout = timeout ?? TimeSpan.FromMinutes(1),
    });

    private static readonly List<TrainingPair> Train =
    [
        new(TestPairs.Pair("long answer here", "short"), Preference.A),
        new(TestPairs.Pair("x", "yy"), Preference.B, 2f),
    ];

    private static readonly List<PreferencePair> Score =
    [
        TestPairs.Pair("four", "seven!!", id: "p1"),
        TestPairs.Pair("Quote \"this\" and a\nnewline", "ok"),
        new(null, [new Turn("system", "Be kind."), new Turn("user", "Hi?"), new Turn("assistant", "Hello."), new Turn("user", "More?")], "abc", "a", null, null),
    ];

    [Fact]
    public async Task ScoreAsync_LengthScript_MarginsInOrder()
    {
        var model = await Trainer("length").TrainAsync(Train, new TrainOptions(), null, default);

        var margins = await model.ScoreAsync(Score);

        // The script counts characters of the JSON text: the escaped quotes and newline count two each (29 for 26).
        Assert.Equal(new[] { 4f - 7f, 29f - 2f, 3f - 1f }, margins);
    }

    [Fact]
    public async Task ScoreAsync_ScoreChosenRejected_Subtracted()
    {
        var model = await Trainer("scores").TrainAsync(Train, new TrainOptions(), null, default);

        Assert.Equal(new[] { -3f, 27f, 2f }, await model.ScoreAsync(Score));
    }

    [Fact]
    public async Task ScoreAsync_InCrossFitting_WorksAsAnyTrainer()
    {
        var pairs = Enumerable.Range(0, 12).Select(i => TestPairs.Pair(new string('a', i + 1), "aaaaaa")).ToList();

        var margins = await CrossFitting.OutOfFoldMarginsAsync(
            Trainer("length"), pairs, [.. pairs.Select(_ => Preference.A)], [.. pairs.Select(_ => 1f)], null, 3, 1, new TrainOptions());

        Assert.Equal(pairs.Select((_, i) => i + 1f - 6f), margins);
    }

    [Fact]
    public async Task TrainAndScoreAsync_ReportsProgressFromStdout()
    {
        var reports = new List<double>();

        await Trainer("length").TrainAndScoreAsync(Train, Score, new TrainOptions(), new SyncProgress(reports.Add));

        Assert.Equal([0.5, 1.0], reports);
    }

    [Fact]
    public async Task ScoreAsync_CommandFails_SurfacesExitCodeAndStderr()
    {
        var model = await Trainer("fail").TrainAsync(Train, new TrainOptions(), null, default);

        var ex = await Assert.ThrowsAsync<ExternalTrainerException>(() => model.ScoreAsync(Score));

        Assert.Equal(3, ex.ExitCode);
        Assert.Contains("CUDA out of memory (simulated)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("trained on 2 pairs", ex.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drop", "margins for 2 of the 3 pairs")]
    [InlineData("duplicate", "id 0 appears twice")]
    [InlineData("garbage", "line 1: not valid JSON")]
    public async Task ScoreAsync_BrokenOutput_Explained(string mode, string problem)
    {
        var ex = await Assert.ThrowsAsync<ExternalTrainerException>(() => Trainer(mode).TrainAndScoreAsync(Train, Score, new TrainOptions()));

        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScoreAsync_TooSlow_KilledAfterTimeout()
    {
        var ex = await Assert.ThrowsAsync<ExternalTrainerException>(() =>
            Trainer("sleep", TimeSpan.FromMilliseconds(500)).TrainAndScoreAsync(Train, Score, new TrainOptions()));

        Assert.Contains("did not finish within", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScoreAsync_MissingProgram_Explained()
    {
        var trainer = new ExternalProcessTrainer(new ExternalTrainerOptions { FileName = "/nonexistent/trainer" });

        var ex = await Assert.ThrowsAsync<ExternalTrainerException>(() => trainer.TrainAndScoreAsync(Train, Score, new TrainOptions()));

        Assert.Contains("could not be started", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_ExternalModel_NotSupported()
    {
        var model = await Trainer("length").TrainAsync(Train, new TrainOptions(), null, default);

        await Assert.ThrowsAsync<NotSupportedException>(() => model.SaveAsync(Stream.Null));
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
