using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

public sealed class RlthfCommandsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-rlthf-cli").FullName;

    private string PathOf(string name) => Path.Combine(_folder, name);

    private async Task<string> SynthAsync(int pairs, int seed)
    {
        var file = PathOf($"synth-{pairs}-{seed}.jsonl");
        var run = await TestCli.RunAsync(["synth", "--pairs", pairs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", file]);
        Assert.Equal(PortalCli.Ok, run.ExitCode);
        return file;
    }

    [Fact]
    public async Task Synth_ToStdout_WritesOneTrlPairALine()
    {
        var run = await TestCli.RunAsync(["synth", "--pairs", "25", "--seed", "7"]);

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        var lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(25, lines.Length);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("prompt").GetString()));
            Assert.NotEqual(json.RootElement.GetProperty("chosen").GetString(), json.RootElement.GetProperty("rejected").GetString());
        }
    }

    // stanfordnlp/SHP's columns and types.
    public sealed class ShpRow
    {
        [System.Text.Json.Serialization.JsonPropertyName("post_id")] public string PostId { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("domain")] public string Domain { get; set; } = "askculinary_train";
        [System.Text.Json.Serialization.JsonPropertyName("upvote_ratio")] public double UpvoteRatio { get; set; } = 0.99;
        [System.Text.Json.Serialization.JsonPropertyName("history")] public string History { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("c_root_id_A")] public string RootA { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("c_root_id_B")] public string RootB { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("created_at_utc_A")] public long CreatedA { get; set; } = 1593535113;
        [System.Text.Json.Serialization.JsonPropertyName("created_at_utc_B")] public long CreatedB { get; set; } = 1593535524;
        [System.Text.Json.Serialization.JsonPropertyName("score_A")] public long ScoreA { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("score_B")] public long ScoreB { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("human_ref_A")] public string RefA { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("human_ref_B")] public string RefB { get; set; } = "";
        [System.Text.Json.Serialization.JsonPropertyName("labels")] public long Labels { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("seconds_difference")] public double SecondsDifference { get; set; } = 411;
        [System.Text.Json.Serialization.JsonPropertyName("score_ratio")] public double ScoreRatio { get; set; } = 2.9;
    }

    [Fact]
    public async Task Simulate_ShpParquet_ReadsEveryRowOfEveryRowGroup()
    {
        var file = PathOf("shp.parquet");
        var rows = Enumerable.Range(0, 240).Select(i => new ShpRow
        {
            PostId = $"post{i}",
            History = $"How long do I rest steak number {i}?",
            RootA = $"a{i}",
            RootB = $"b{i}",
            ScoreA = 10 + i,
            ScoreB = 3,
            RefA = i % 2 == 0 ? "Rest it five minutes, covered loosely." : "Don't bother.",
            RefB = i % 2 == 0 ? "Don't bother." : "Rest it five minutes, covered loosely.",
            Labels = i % 2 == 0 ? 1 : 0,
        });
        await Parquet.Serialization.ParquetSerializer.SerializeAsync(rows, file, new Parquet.ParquetOptions { RowGroupSize = 100 });

        var run = await TestCli.RunAsync(["rlthf", "simulate", "--input", file, "--budget", "0.1", "--iterations", "1", "--seed", "1"]);

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(240, json.RootElement.GetProperty("pairs").GetInt32());
    }

    [Fact]
    public async Task Simulate_ChatbotArenaWithTies_LeavesTheTiesOutAndSaysHowMany()
    {
        var file = PathOf("arena.jsonl");
        string[] winners = ["model_a", "model_b", "model_a", "tie", "tie (bothbad)"];
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 200).Select(i => JsonSerializer.Serialize(new
        {
            question_id = $"q{i}",
            model_a = "vicuna-13b",
            model_b = "koala-13b",
            winner = winners[i % 5],
            judge = $"arena_user_{i}",
            conversation_a = new[] { new { content = $"Name prime number {i}.", role = "user" }, new { content = $"Prime {i} is {i * 2 + 1}.", role = "assistant" } },
            conversation_b = new[] { new { content = $"Name prime number {i}.", role = "user" }, new { content = "I don't know.", role = "assistant" } },
            turn = 1,
            anony = true,
            language = "English",
            tstamp = 1682351591.1322,
        })));

        var run = await TestCli.RunAsync(["rlthf", "simulate", "--input", file, "--budget", "0.1", "--iterations", "1", "--seed", "1"]);

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(120, json.RootElement.GetProperty("pairs").GetInt32());
        Assert.Contains("80 pair(s) without a preference (ties, both bad, unlabelled) were left out; 120 remain.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_SyntheticPairs_PrintsTheResultWithEveryField()
    {
        var file = await SynthAsync(1200, 3);

        var run = await TestCli.RunAsync(["rlthf", "simulate", "--input", file, "--ai-error", "0.25", "--budget", "0.1", "--iterations", "2", "--seed", "1"]);

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(1200, root.GetProperty("pairs").GetInt32());
        Assert.Equal("rlthf", root.GetProperty("strategy").GetString());
        Assert.Equal(0.1, root.GetProperty("budget").GetDouble());
        Assert.Equal(120, root.GetProperty("human_labels").GetInt32());
        Assert.Equal(0.1, root.GetProperty("human_fraction").GetDouble(), 9);
        var initial = root.GetProperty("initial_label_accuracy").GetDouble();
        var final = root.GetProperty("final_label_accuracy").GetDouble();
        Assert.InRange(initial, 0.70, 0.80);
        Assert.True(final > initial, $"final {final} is not above initial {initial}");
        Assert.InRange(root.GetProperty("random_final_label_accuracy").GetDouble(), initial, 1);
        // The reward model's out-of-fold pairwise accuracy against the truth; synthetic pairs are learnable.
        Assert.InRange(root.GetProperty("reward_model_oof_accuracy").GetDouble(), 0.6, 1);
        var rounds = root.GetProperty("iterations").EnumerateArray().ToList();
        Assert.Equal(2, rounds.Count);
        Assert.Equal(120, rounds.Sum(r => r.GetProperty("selected").GetInt32()));
        Assert.All(rounds, r => Assert.InRange(r.GetProperty("ai_wrong_among_selected").GetInt32(), 0, r.GetProperty("selected").GetInt32()));
        Assert.Equal(final, rounds[^1].GetProperty("label_accuracy").GetDouble());
        Assert.Contains("simulate: 100%", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_SameSeedTwice_GivesTheSameOutput()
    {
        var file = await SynthAsync(600, 5);
        string[] args = ["rlthf", "simulate", "--input", file, "--iterations", "2", "--seed", "9", "--strategy", "uncertainty"];

        var first = await TestCli.RunAsync(args);
        var second = await TestCli.RunAsync(args);

        Assert.Equal(PortalCli.Ok, first.ExitCode);
        Assert.Equal(first.Out, second.Out);
        Assert.Contains("\"strategy\": \"uncertainty\"", first.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_GivenAiLabels_StartsFromThem()
    {
        var file = await SynthAsync(400, 2);
        var labels = PathOf("labels.jsonl");
        // Every AI label right: nothing for humans to correct, accuracy starts and stays at 1.
        await File.WriteAllLinesAsync(labels, Enumerable.Repeat("{\"label\":\"chosen\"}", 400));

        var run = await TestCli.RunAsync(["rlthf", "simulate", "--input", file, "--ai-labels", labels, "--iterations", "1"]);

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(1.0, json.RootElement.GetProperty("initial_label_accuracy").GetDouble());
        Assert.Equal(1.0, json.RootElement.GetProperty("final_label_accuracy").GetDouble());
        Assert.Equal(0, json.RootElement.GetProperty("iterations")[0].GetProperty("ai_wrong_among_selected").GetInt32());
    }

    [Fact]
    public async Task Simulate_BadPairFile_NamesTheLineAndField()
    {
        var file = PathOf("bad.jsonl");
        await File.WriteAllLinesAsync(file, ["{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}", "{\"prompt\":\"p\",\"chosen\":\"a\"}"]);

        var line = (await TestCli.RunAsync(["rlthf", "simulate", "--input", file])).AssertBadInput();

        Assert.Contains("line 2", line, StringComparison.Ordinal);
        Assert.Contains("rejected", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--ai-error", "1.5", "--ai-error must be between 0 and 1")]
    [InlineData("--budget", "-0.1", "--budget must be between 0 and 1")]
    [InlineData("--iterations", "0", "--iterations must be at least 1")]
    [InlineData("--strategy", "psychic", "is not rlthf, random or uncertainty")]
    [InlineData("--featurizer", "bert", "--featurizer: 'bert' is not hashed or minilm[+hashed]")]
    public async Task Simulate_OptionOutOfRange_ExitsTwoSayingWhich(string option, string value, string expected)
    {
        var file = await SynthAsync(50, 1);

        var line = (await TestCli.RunAsync(["rlthf", "simulate", "--input", file, option, value])).AssertBadInput();

        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_MinilmFeaturizer_TrainsOnEmbeddingsAndSaysWhatTheyCost()
    {
        var file = await SynthAsync(30, 2); // 90 short texts: the embedding model runs for about a second

        var run = await TestCli.RunAsync(["rlthf", "simulate", "--input", file, "--featurizer", "minilm", "--iterations", "1", "--budget", "0.1"]);

        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(30, json.RootElement.GetProperty("pairs").GetInt32());
        Assert.InRange(json.RootElement.GetProperty("reward_model_oof_accuracy").GetDouble(), 0, 1);
        Assert.Contains("Embedded ", run.Error, StringComparison.Ordinal);
        Assert.Contains("texts per CPU second", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_AiLabelsOfTheWrongCount_ExitsTwo()
    {
        var file = await SynthAsync(50, 1);
        var labels = PathOf("short.jsonl");
        await File.WriteAllLinesAsync(labels, ["{\"label\":\"chosen\"}", "{\"label\":\"rejected\"}"]);

        var line = (await TestCli.RunAsync(["rlthf", "simulate", "--input", file, "--ai-labels", labels])).AssertBadInput();

        Assert.Contains("2 labels for 50 pairs", line, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

public class RlthfRoundCommandTests
{
    [Fact]
    public async Task Round_OnAProjectWithAiLabels_PlansInTheForegroundAndQueuesTheSelection()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var loop = await db.CreateLoopProjectAsync(tenant.Id, pairs: 150, aiError: 0.25);

        var run = await TestCli.RunAsync(["rlthf", "round", "--org", "Alpha", "--project", loop.Project.Id.ToString(), "--budget", "10%"], db.Settings);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("round 1: 100%", run.Error, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(run.Out);
        Assert.Equal(("AwaitingHumans", 15, 150), (json.RootElement.GetProperty("status").GetString(), json.RootElement.GetProperty("selected").GetInt32(), json.RootElement.GetProperty("pairs").GetInt32()));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(15, await ctx.Items.CountAsync(i => i.ProjectId == loop.Project.Id && i.Overlap == 1));

        // A second round while the first waits for humans is refused, naming the reason, and changes nothing.
        var again = await TestCli.RunAsync(["rlthf", "round", "--org", "Alpha", "--project", loop.Project.Id.ToString()], db.Settings);
        Assert.Contains("waiting for humans", again.AssertBadInput(), StringComparison.Ordinal);
        Assert.Equal(1, await ctx.RlthfRounds.CountAsync());
        Assert.Contains("--budget", (await TestCli.RunAsync(["rlthf", "round", "--org", "Alpha", "--project", loop.Project.Id.ToString(), "--budget", "x"], db.Settings)).AssertBadInput(), StringComparison.Ordinal);
    }
}
