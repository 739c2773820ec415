using System.Text.Json;
using Microsoft.Data.SqlClient;
using Npgsql;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

public sealed class BenchCommandTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task BenchTasks_Small_PrintsOneJsonObjectWithPassingChecks(TestProvider provider)
    {
        // A short warm-up: the default (rounds of 200 items until the JIT is quiet) takes minutes on a loaded machine.
        string[] args = ["bench", "tasks", "--annotators", "5", "--items", "10", "--overlap", "3", "--warmup-items", "10"];
        if (provider == TestProvider.Postgres)
        {
            args = [.. args, "--provider", "postgres", "--connection", TestDatabase.PostgresServer];
        }
        else if (provider == TestProvider.SqlServer)
        {
            args = [.. args, "--provider", "sqlserver", "--connection", TestDatabase.SqlServer];
        }

        var scratchBefore = await ScratchDatabasesAsync(provider);
        var run = await TestCli.RunAsync(args);

        Assert.True(run.ExitCode == PortalCli.Ok, $"exit {run.ExitCode}: {run.Out} {run.Error}");
        Assert.Equal(scratchBefore, await ScratchDatabasesAsync(provider));
        Assert.Contains("bench tasks: 100%", run.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(provider.ToString().ToLowerInvariant(), root.GetProperty("provider").GetString());
        Assert.Contains("TaskService", root.GetProperty("through").GetString(), StringComparison.Ordinal);
        Assert.Equal((5, 10, 3), (root.GetProperty("annotators").GetInt32(), root.GetProperty("items").GetInt32(), root.GetProperty("overlap").GetInt32()));
        Assert.Equal(30, root.GetProperty("annotations").GetInt32());
        Assert.True(root.GetProperty("seconds").GetDouble() > 0);
        Assert.True(root.GetProperty("throughput").GetDouble() > 0);
        foreach (var op in new[] { "nextMs", "submitMs" })
        {
            var p = root.GetProperty(op);
            var (p50, p95, p99) = (p.GetProperty("p50").GetDouble(), p.GetProperty("p95").GetDouble(), p.GetProperty("p99").GetDouble());
            Assert.True(p50 > 0 && p50 <= p95 && p95 <= p99, $"{op}: {p}");
        }

        var checks = root.GetProperty("checks");
        Assert.True(checks.GetProperty("passed").GetBoolean(), checks.ToString());
        Assert.Equal(3, checks.GetProperty("maxAnnotationsPerItem").GetInt32());
        Assert.Equal(3, checks.GetProperty("minAnnotationsPerItem").GetInt32());
        Assert.Equal(0, checks.GetProperty("duplicateRatings").GetInt32());
        Assert.Equal(0, checks.GetProperty("errors").GetInt32());
        Assert.Equal(0, checks.GetProperty("itemsOverOverlap").GetInt32());
        Assert.Equal(0, checks.GetProperty("lostAnswers").GetInt32());
        Assert.Equal(0, checks.GetProperty("claimCountersOff").GetInt32());

        // The round trips of one next task and one submit: two and two on PostgreSQL (the head read, which also says whether a
        // lease is held, then the one-statement claim; the submit's read and its one statement), eight and five on SQLite, whose
        // portable path reads candidates and writes in a transaction of its own (begin and commit count).
        var trips = root.GetProperty("roundTrips");
        var (next, submit) = (trips.GetProperty("next").GetInt32(), trips.GetProperty("submit").GetInt32());
        Assert.Equal(provider == TestProvider.Postgres ? (2, 2) : (8, 5), (next, submit));
        Assert.True(trips.GetProperty("perTaskInRun").GetDouble() >= next + submit, trips.ToString());

        // The load-independent costs: this process's CPU and allocations per answer always; the server's CPU when it is a
        // PostgreSQL on this machine (the test server is), never for SQLite.
        var costs = root.GetProperty("perAnswer");
        Assert.True(costs.GetProperty("clientCpuMs").GetDouble() > 0, costs.ToString());
        Assert.True(costs.GetProperty("clientAllocatedKb").GetDouble() > 0, costs.ToString());
        var server = costs.GetProperty("serverCpuMs");
        if (provider == TestProvider.Postgres && new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer).Host is "127.0.0.1" or "localhost")
        {
            Assert.True(server.GetDouble() > 0, costs.ToString());
        }
        else if (provider == TestProvider.Sqlite)
        {
            Assert.Equal(JsonValueKind.Null, server.ValueKind);
        }
    }

    [Fact]
    public async Task BenchTasks_SqlServerThatDoesNotAnswer_FailsWithAMessageAndNoStackTrace()
    {
        // Port 1 on loopback refuses at once: the bench cannot create its scratch database and says so.
        var run = await TestCli.RunAsync(["bench", "tasks", "--provider", "sqlserver", "--connection",
            "Server=tcp:127.0.0.1,1;Connect Timeout=2;TrustServerCertificate=true"]);

        Assert.NotEqual(PortalCli.Ok, run.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(run.Error), "no message on stderr");
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The scratch databases left behind: folders in the temp directory, or databases on the server.</summary>
    private static async Task<IReadOnlyList<string>> ScratchDatabasesAsync(TestProvider provider)
    {
        if (provider == TestProvider.Sqlite)
        {
            return [.. Directory.EnumerateDirectories(Path.GetTempPath(), "portal-bench-*").Order()];
        }

        if (provider == TestProvider.SqlServer)
        {
            await using var server = new SqlConnection(TestDatabase.SqlServer);
            await server.OpenAsync();
            await using var databases = new SqlCommand("SELECT name FROM sys.databases WHERE name LIKE 'portal[_]bench[_]%' ORDER BY name", server);
            await using var rows = await databases.ExecuteReaderAsync();
            var found = new List<string>();
            while (await rows.ReadAsync())
            {
                found.Add(rows.GetString(0));
            }

            return found;
        }

        await using var admin = new NpgsqlConnection(TestDatabase.PostgresServer + ";Database=postgres");
        await admin.OpenAsync();
        await using var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'portal_bench_%' ORDER BY datname", admin);
        await using var reader = await list.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public async Task BenchItems_Small_TimesEveryGridQueryOnWhatItSeeded()
    {
        var scratchBefore = await ScratchDatabasesAsync(TestProvider.Sqlite);
        var run = await TestCli.RunAsync(["bench", "items", "--items", "200", "--overlap", "2", "--runs", "2"]);

        Assert.True(run.ExitCode == PortalCli.Ok, $"exit {run.ExitCode}: {run.Out} {run.Error}");
        Assert.Equal(scratchBefore, await ScratchDatabasesAsync(TestProvider.Sqlite));
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;

        // One item in ten stays unrated, the others get two ratings; one in a hundred is gold.
        Assert.Equal((200, 360), (root.GetProperty("items").GetInt32(), root.GetProperty("annotations").GetInt32()));
        var queries = root.GetProperty("queries").EnumerateArray().ToDictionary(q => q.GetProperty("query").GetString()!, q => q);
        Assert.Equal(8, queries.Count);
        Assert.Equal((25, 200), Rows(queries["first page (priority)"]));
        Assert.Equal((0, 200), Rows(queries["page 2,000 (priority)"]));
        Assert.Equal((2, 2), Rows(queries["gold only"]));
        Assert.Equal((20, 20), Rows(queries["unrated only"]));
        Assert.Equal((0, 0), Rows(queries["search \"question 4242\""]));
        Assert.All(queries.Values, q => Assert.True(q.GetProperty("medianMs").GetDouble() <= q.GetProperty("maxMs").GetDouble(), q.ToString()));

        static (int, int) Rows(JsonElement q) => (q.GetProperty("rows").GetInt32(), q.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task BenchTasks_FewerAnnotatorsThanTheOverlap_ExpectsOneRatingPerAnnotator()
    {
        var run = await TestCli.RunAsync(["bench", "tasks", "--annotators", "2", "--items", "4", "--overlap", "3"]);

        Assert.True(run.ExitCode == PortalCli.Ok, run.Out + run.Error);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(8, json.RootElement.GetProperty("annotations").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("checks").GetProperty("expectedPerItem").GetInt32());
    }

    [Fact]
    public async Task BenchTasks_Rate_PacesTheAnnotatorsAndReportsTheOfferedLoad()
    {
        // Five annotators offering 100 tasks/s together: each thinks 50 ms on average (5 / 100 s) before asking again.
        var run = await TestCli.RunAsync(["bench", "tasks", "--annotators", "5", "--items", "10", "--overlap", "3", "--rate", "100", "--warmup-items", "10"]);

        Assert.True(run.ExitCode == PortalCli.Ok, run.Out + run.Error);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(30, root.GetProperty("annotations").GetInt32());
        Assert.True(root.GetProperty("checks").GetProperty("passed").GetBoolean(), root.GetProperty("checks").ToString());
        var pacing = root.GetProperty("pacing");
        Assert.Equal(100, pacing.GetProperty("offeredRate").GetDouble());
        Assert.Equal(50, pacing.GetProperty("meanThinkMs").GetDouble());
        Assert.True(pacing.GetProperty("lateAsks").GetInt32() >= 0, pacing.ToString());

        // The warm-up ran at least one round of its 10-item project before the measured run.
        var warmup = root.GetProperty("warmup");
        Assert.True(warmup.GetProperty("rounds").GetInt32() >= 1, warmup.ToString());
        Assert.Equal(10 * warmup.GetProperty("rounds").GetInt32(), warmup.GetProperty("items").GetInt32());
    }

    [Fact]
    public async Task BenchTasks_NoRate_IsAClosedLoopWithoutPacing()
    {
        var run = await TestCli.RunAsync(["bench", "tasks", "--annotators", "2", "--items", "2", "--overlap", "1", "--warmup-items", "0"]);

        Assert.True(run.ExitCode == PortalCli.Ok, run.Out + run.Error);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("pacing").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("warmup").GetProperty("rounds").GetInt32());
    }

    [Theory]
    [InlineData("--rate", "-1", "--rate must be 0 (no think time) or a positive number")]
    [InlineData("--annotators", "0", "--annotators must be at least 1")]
    [InlineData("--provider", "mysql", "--provider: 'mysql' is not sqlite, postgres or sqlserver")]
    [InlineData("--connection", "Host=x", "--connection is for postgres")]
    public async Task BenchTasks_BadOption_ExitsTwoNamingIt(string option, string value, string message)
    {
        var line = (await TestCli.RunAsync(["bench", "tasks", option, value])).AssertBadInput();

        Assert.Contains(message, line, StringComparison.Ordinal);
    }
}
