namespace Portal.Cli;

// Not top-level statements: .NET 10 makes that Program public, and it would clash with the web app's in tests.
internal static class EntryPoint
{
    public static Task<int> Main(string[] args) => PortalCli.RunAsync(args, new CliContext(Console.Out, Console.Error));
}
