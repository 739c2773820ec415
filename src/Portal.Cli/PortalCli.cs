using System.CommandLine;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Portal.App.Features.Organisations;
using Portal.Cli.Commands;

namespace Portal.Cli;

/// <summary>The <c>portal</c> command line: exit code 0 on success, 2 with a one-line reason on bad input, 1 on failure.</summary>
public static class PortalCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    public static async Task<int> RunAsync(string[] args, CliContext cli, CancellationToken ct = default)
    {
        var root = new RootCommand("Portal: preference-data collection for LLM alignment. Administration, import, export and analysis.");
        if (args is ["agreement", ..])
        {
            // The agreement command alone: it is timed end to end against pandas (README), and the other commands' options
            // need not be built (nor their code compiled) to parse its arguments.
            AgreementCommand.Add(root, cli);
            return await InvokeAsync(root, args, cli, ct);
        }

        PortalCommands.AddAdministration(root, cli);
        ImportCommand.Add(root, cli);
        ExportCommand.Add(root, cli);
        AiLabelsCommand.Add(root, cli);
        RlthfCommands.Add(root, cli);
        AgreementCommand.Add(root, cli);
        BenchCommands.Add(root, cli);
        WorkerCommand.Add(root, cli);
        TokenCommands.Add(root, cli);
        return await InvokeAsync(root, args, cli, ct);
    }

    private static async Task<int> InvokeAsync(RootCommand root, string[] args, CliContext cli, CancellationToken ct)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            cli.Error.WriteLine($"portal: {string.Join(" ", parse.Errors.Select(e => e.Message))} (see 'portal --help')");
            return BadInput;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = cli.Out, Error = cli.Error, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (CliUsageException ex)
        {
            cli.Error.WriteLine($"portal: {ex.Message}");
            return BadInput;
        }
        catch (PortalValidationException ex)
        {
            cli.Error.WriteLine($"portal: {ex.Field}: {ex.Message}");
            return BadInput;
        }
        // A database that cannot be reached or refuses a write is a failure to report in one line, not a stack trace.
        catch (Exception ex) when (ex is InvalidOperationException or IOException or DbException or DbUpdateException)
        {
            cli.Error.WriteLine($"portal: {ex.Message}");
            return Failed;
        }
    }
}
