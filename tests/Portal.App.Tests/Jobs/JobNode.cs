using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Jobs;
using Portal.TestSupport;

namespace Portal.App.Tests.Jobs;

/// <summary>A portal job node in its own process (tests/Portal.ClusterNode) over a test database; its output kept by line.</summary>
internal sealed class JobNode : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private JobNode(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _lines.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _lines.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>
    /// Starts a node named <paramref name="name"/>. Its Hangfire invisibility timeout is short (5 s), so a job that its
    /// killed predecessor had fetched runs again within seconds; the heartbeat is short for the same reason.
    /// </summary>
    public static JobNode Start(TestDatabase db, string name, string? queues = null, params string[] more)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(TestPaths.BuildOutput("tests/Portal.ClusterNode", "Portal.ClusterNode.dll"));
        foreach (var (key, value) in db.Settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.ArgumentList.Add($"--Jobs:NodeName={name}");
        start.ArgumentList.Add("--Jobs:Schedules=false");
        start.ArgumentList.Add("--Jobs:Workers=4");
        start.ArgumentList.Add("--Jobs:InvisibilityTimeoutSeconds=5");
        start.ArgumentList.Add("--Jobs:HeartbeatSeconds=2");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        start.ArgumentList.Add("--Storage:Uploads=" + Path.Combine(Path.GetTempPath(), "portal-tests", "uploads"));
        if (queues is not null)
        {
            start.ArgumentList.Add($"--Jobs:Queues={queues}");
        }

        foreach (var arg in more)
        {
            start.ArgumentList.Add(arg);
        }

        return new JobNode(Process.Start(start)!);
    }

    /// <summary>Waits (bounded) until the node printed a line equal to <paramref name="line"/>.</summary>
    public async Task WaitForLineAsync(string line, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_lines.Contains(line))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"The node never printed '{line}'. It printed:\n{string.Join('\n', _lines)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: the process dies at once, in the middle of whatever it was doing.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    /// <summary>Polls the run's row until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; returns the last row seen.</summary>
    public static async Task<JobRun> WaitForRunAsync(TestDatabase db, Guid runId, Func<JobRun, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var ctx = db.Factory.CreateSystem();
            var run = await ctx.JobRuns.IgnoreQueryFilters().AsNoTracking().SingleAsync(r => r.Id == runId);
            if (condition(run) || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(100);
        }
    }
}
