using System.Diagnostics;

namespace Portal.Cli.Tests;

/// <summary>The built <c>portal</c> executable, run as a process: exit codes and streams survive the process boundary.</summary>
public class PortalCliProcessTests
{
    private static async Task<CliRun> RunPortalAsync(params string[] args)
    {
        // The project reference copies portal.dll and its runtimeconfig beside this test assembly.
        var portal = Path.Combine(AppContext.BaseDirectory, "portal.dll");
        Assert.True(File.Exists(portal), $"portal.dll is not beside the tests in {AppContext.BaseDirectory}.");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(portal);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Portal_Help_ExitsZero()
    {
        var run = await RunPortalAsync("--help");

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        Assert.Contains("agreement", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Portal_UnknownCommand_ExitsTwoWithOneLine()
    {
        var line = (await RunPortalAsync("frobnicate")).AssertBadInput();

        Assert.Contains("frobnicate", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Portal_AgreementOnMissingFile_ExitsTwoWithOneLine()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"portal-{Guid.NewGuid():N}.csv");

        var line = (await RunPortalAsync("agreement", "--input", missing, "--metric", "percent")).AssertBadInput();

        Assert.Contains(missing, line, StringComparison.Ordinal);
    }
}
