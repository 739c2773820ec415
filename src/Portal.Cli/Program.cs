using Portal.Cli;

return await PortalCli.RunAsync(args, new CliContext(Console.Out, Console.Error));
