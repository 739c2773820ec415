using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Portal.Cli.Tests.Commands;

public sealed class AgreementCommandTests : IDisposable
{
    // Published values are given to three decimals, so they are matched to half a unit in the third.
    private const double PublishedTolerance = 0.0005;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-cli-tests", Guid.NewGuid().ToString("N"));

    public AgreementCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four coders, twelve units,
    /// '.' for a missing value; unit 12 has a single value and drops out.
    /// </summary>
    private static string KrippendorffExampleCsv()
    {
        string[] coders = ["1 2 3 3 2 1 4 1 2 . . .", "1 2 3 3 2 2 4 1 2 5 . 3", ". 3 3 3 2 3 4 2 2 5 1 .", "1 2 3 3 2 4 4 1 2 5 1 ."];
        var csv = new StringBuilder("unit,rater,value\n");
        for (var coder = 0; coder < coders.Length; coder++)
        {
            var values = coders[coder].Split(' ');
            for (var unit = 0; unit < values.Length; unit++)
            {
                if (values[unit] != ".")
                {
                    csv.Append(CultureInfo.InvariantCulture, $"u{unit + 1},coder{coder + 1},{values[unit]}\n");
                }
            }
        }

        return csv.ToString();
    }

    private string WriteCsv(string content, string name = "ratings.csv")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static JsonElement SingleJsonLine(CliRun run)
    {
        Assert.True(run.ExitCode == PortalCli.Ok, $"Expected exit code 0, got {run.ExitCode}: {run.Error}");
        Assert.Equal("", run.Error);
        var line = Assert.Single(run.Out.TrimEnd('\n', '\r').Split('\n'));
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    [Theory]
    [InlineData("nominal", 0.743)]
    [InlineData("ordinal", 0.815)]
    [InlineData("interval", 0.849)]
    [InlineData("ratio", 0.797)]
    public async Task Agreement_KrippendorffPublishedExample_GivesPublishedAlpha(string level, double published)
    {
        var path = WriteCsv(KrippendorffExampleCsv());

        var json = SingleJsonLine(await TestCli.RunAsync(["agreement", "--input", path, "--metric", "krippendorff", "--level", level]));

        Assert.Equal("krippendorff", json.GetProperty("metric").GetString());
        Assert.Equal(published, json.GetProperty("value").GetDouble(), PublishedTolerance);
        Assert.Equal(11, json.GetProperty("units").GetInt32());
        Assert.Equal(4, json.GetProperty("raters").GetInt32());
        Assert.Equal(40, json.GetProperty("ratings").GetInt32());
        Assert.Equal(level, json.GetProperty("level").GetString());
    }

    [Fact]
    public async Task Agreement_FleissWikipediaExample_GivesPublishedKappa()
    {
        // Wikipedia, "Fleiss' kappa": 14 raters put 10 subjects in 5 categories; κ = 0.210.
        int[][] counts =
        [
            [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
        ];
        var csv = new StringBuilder("subject,unit,value,rater\n");
        for (var unit = 0; unit < counts.Length; unit++)
        {
            var rater = 0;
            for (var category = 0; category < counts[unit].Length; category++)
            {
                for (var i = 0; i < counts[unit][category]; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"subject {unit + 1},s{unit + 1},{category + 1},r{++rater}\n");
                }
            }
        }

        var json = SingleJsonLine(await TestCli.RunAsync(["agreement", "--input", WriteCsv(csv.ToString()), "--metric", "fleiss"]));

        Assert.Equal("fleiss", json.GetProperty("metric").GetString());
        Assert.Equal(0.210, json.GetProperty("value").GetDouble(), PublishedTolerance);
        Assert.Equal(10, json.GetProperty("units").GetInt32());
        Assert.Equal(140, json.GetProperty("ratings").GetInt32());
    }

    [Theory]
    [InlineData(null, "none", 0.4)]
    [InlineData("quadratic", "quadratic", 0.4)]
    public async Task Agreement_CohenWikipediaExampleFromStdin_GivesPublishedKappa(string? weights, string expectedWeights, double published)
    {
        // Wikipedia, "Cohen's kappa": yes/yes 20, yes/no 5, no/yes 10, no/no 15; κ = 0.4 (two categories, so any weighting agrees).
        var csv = new StringBuilder("unit,rater,value\n");
        (int First, int Second, int Count)[] cells = [(1, 1, 20), (1, 0, 5), (0, 1, 10), (0, 0, 15)];
        var unit = 0;
        foreach (var (first, second, count) in cells)
        {
            for (var i = 0; i < count; i++)
            {
                unit++;
                csv.Append(CultureInfo.InvariantCulture, $"a{unit},A,{first}\na{unit},B,{second}\n");
            }
        }

        string[] args = weights is null
            ? ["agreement", "--input", "-", "--metric", "cohen"]
            : ["agreement", "--input", "-", "--metric", "cohen", "--weights", weights];
        var json = SingleJsonLine(await TestCli.RunAsync(args, stdin: csv.ToString()));

        Assert.Equal(published, json.GetProperty("value").GetDouble(), 1e-12);
        Assert.Equal(expectedWeights, json.GetProperty("weights").GetString());
        Assert.Equal(50, json.GetProperty("units").GetInt32());
        Assert.Equal(2, json.GetProperty("raters").GetInt32());
    }

    [Theory]
    [InlineData("percent")]
    [InlineData("gwet")]
    public async Task Agreement_OtherMetrics_PrintTheirName(string metric)
    {
        var json = SingleJsonLine(await TestCli.RunAsync(["agreement", "--input", WriteCsv(KrippendorffExampleCsv()), "--metric", metric]));

        Assert.Equal(metric, json.GetProperty("metric").GetString());
        Assert.InRange(json.GetProperty("value").GetDouble(), 0.5, 1.0);
    }

    [Fact]
    public async Task Agreement_EveryRatingTheSame_PrintsNullValueWithReason()
    {
        var json = SingleJsonLine(await TestCli.RunAsync(["agreement", "--input", "-", "--metric", "krippendorff"], stdin: "unit,rater,value\n1,a,3\n1,b,3\n2,a,3\n2,b,3\n"));

        Assert.Equal(JsonValueKind.Null, json.GetProperty("value").ValueKind);
        Assert.Contains("undefined", json.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unit,rater,score\n1,a,1\n1,b,1\n", "percent", "ratings.csv line 1: ", "no 'value' column")]
    [InlineData("unit,rater,value\nu1,a,1\nu1,b,2\nu2,a,1\nu2,b,1\nu3,a,2\nu3,b,high\n", "percent", "ratings.csv line 7: ", "'high' is not a number")]
    [InlineData("unit,rater,value\nu1,a,1\nu1,a,2\n", "percent", "ratings.csv line 3: ", "first on line 2")]
    [InlineData("unit,rater,value\n1,a,1\n1,b,1\n1,c,2\n", "cohen", "ratings.csv: ", "exactly two raters but 3 are present")]
    [InlineData("unit,rater,value\n1,a,1\n2,b,1\n3,a,2\n", "krippendorff", "ratings.csv: ", "no pairable unit")]
    [InlineData("", "percent", "ratings.csv: ", "empty")]
    [InlineData("unit,rater,value\n1,a,1\n1,b,1\n", "kappa", "portal: ", "Unknown metric 'kappa'")]
    public async Task Agreement_BadInput_ExitsTwoWithOneLineNamingTheProblem(string csv, string metric, string where, string what)
    {
        var path = WriteCsv(csv);

        var line = (await TestCli.RunAsync(["agreement", "--input", path, "--metric", metric])).AssertBadInput();

        Assert.Contains(where, line, StringComparison.Ordinal);
        Assert.Contains(what, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agreement_BadLineOnStdin_NamesStdinAndLine()
    {
        var line = (await TestCli.RunAsync(["agreement", "--input", "-", "--metric", "percent"], stdin: "unit,rater,value\n1,a,1\n1,b,\n")).AssertBadInput();

        Assert.StartsWith("portal: stdin line 3: the value field is empty", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agreement_MissingFile_ExitsTwoNamingIt()
    {
        var missing = Path.Combine(_folder, "missing.csv");

        var line = (await TestCli.RunAsync(["agreement", "--input", missing, "--metric", "percent"])).AssertBadInput();

        Assert.Contains(missing, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fleiss", "--level", "ordinal", "level applies only to krippendorff")]
    [InlineData("cohen", "--weights", "cubic", "Unknown weights 'cubic'")]
    [InlineData("gwet", "--categories", "1,two", "Category 'two'")]
    public async Task Agreement_BadOption_ExitsTwo(string metric, string option, string value, string what)
    {
        var line = (await TestCli.RunAsync(["agreement", "--input", WriteCsv(KrippendorffExampleCsv()), "--metric", metric, option, value])).AssertBadInput();

        Assert.Contains(what, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agreement_MissingMetric_ExitsTwo()
    {
        var line = (await TestCli.RunAsync(["agreement", "--input", "-"])).AssertBadInput();

        Assert.Contains("--metric", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agreement_Help_ExitsZeroAndListsTheOptions()
    {
        var run = await TestCli.RunAsync(["agreement", "--help"]);

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        Assert.Contains("--metric", run.Out, StringComparison.Ordinal);
        Assert.Contains("--categories", run.Out, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Agreement_Verbose_PrintsTheSameJsonAndTimingsToStandardError()
    {
        var path = WriteCsv(KrippendorffExampleCsv());
        var plain = await TestCli.RunAsync(["agreement", "--input", path, "--metric", "krippendorff"]);

        var run = await TestCli.RunAsync(["agreement", "--input", path, "--metric", "krippendorff", "--verbose"]);

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        Assert.Equal(plain.Out, run.Out);
        var phases = run.Error.TrimEnd('\n', '\r').Split('\n').Select(line => line.Split(':')[1].Trim()).ToArray();
        Assert.Equal(["start", "read", "compute", "output"], phases);
        Assert.Contains("ms since process start", run.Error, StringComparison.Ordinal);
    }
}
