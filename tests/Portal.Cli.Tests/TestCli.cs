namespace Portal.Cli.Tests;

/// <summary>What one in-process run of <c>portal</c> returned and wrote.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>The lines written to stderr, without the final line break.</summary>
    public string[] ErrorLines => Error.Length == 0 ? [] : Error.TrimEnd('\n', '\r').Split('\n');

    /// <summary>Asserts the bad-input contract: exit 2, nothing on stdout, exactly one line on stderr starting "portal: ".</summary>
    public string AssertBadInput()
    {
        Assert.True(ExitCode == PortalCli.BadInput, $"Expected exit code 2, got {ExitCode}. stdout: {Out} stderr: {Error}");
        Assert.Equal("", Out);
        var line = Assert.Single(ErrorLines);
        Assert.StartsWith("portal: ", line, StringComparison.Ordinal);
        return line;
    }
}

public static class TestCli
{
    /// <summary>Runs <c>portal</c> with <paramref name="args"/> in this process, with its own writers, settings and standard input.</summary>
    public static async Task<CliRun> RunAsync(string[] args, IReadOnlyDictionary<string, string?>? settings = null, string? stdin = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin ?? "");
        var exitCode = await PortalCli.RunAsync(args, new CliContext(output, error, settings, input));
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
