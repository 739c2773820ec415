using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Portal.TestSupport;

namespace Portal.E2E;

/// <summary>
/// The portal as a user runs it: its own process on a loopback port, SQLite in a throwaway folder, the demo
/// seeded on first start. Can be killed and started again on the same port and database.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "portal-e2e", Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _log = new();
    private Process? _process;

    public PortalProcess()
    {
        Directory.CreateDirectory(_dataFolder);
        Port = FreePort();
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string DatabasePath => Path.Combine(_dataFolder, "portal.db");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task StartAsync()
    {
        var dll = TestPaths.BuildOutput("src/Portal.Web", "Portal.Web.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = _dataFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Urls"] = BaseUrl;
        start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={DatabasePath}";
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["Demo__SeedOnStart"] = "true";

        // No timed jobs: a scheduled quality recompute or lease expiry must never race what a test does. Tests that need
        // a job start it themselves ("Expire leases now", opening the quality page).
        start.Environment["Jobs__Schedules"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Every browser test signs in from 127.0.0.1, far faster than people do.
        start.Environment["RateLimits__SignInPerIp"] = "100000";
        start.Environment["RateLimits__SignInPerAccount"] = "100000";
        start.Environment["RateLimits__ApiPerUserOrToken"] = "1000000";
        start.Environment["RateLimits__ApiPerIp"] = "1000000";
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + dll);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                var response = await http.GetAsync(BaseUrl + "/account/login");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The portal did not answer within 60 s:\n{Log}");
    }

    /// <summary>Ends the process at once, as a crash or a pulled plug would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();

        // The server's side of a failure (an exception in a circuit is only "There was an exception invoking …" in the
        // browser): kept under artifacts/logs whenever the portal logged an error, which a passing test may also do on purpose.
        var log = Log;
        if (log.Contains("fail:", StringComparison.Ordinal) || log.Contains("crit:", StringComparison.Ordinal))
        {
            var folder = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "logs");
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, $"portal-{new Uri(BaseUrl).Port}.log"), log);
        }

        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up.
        }
    }
}
