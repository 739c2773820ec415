namespace Portal.Cli;

/// <summary>A progress line on stderr for long commands: "name: 42%", rewritten in place on a terminal, one line per 10% otherwise.</summary>
public sealed class ProgressLine(TextWriter error, string name) : IProgress<double>, IDisposable
{
    private readonly bool _terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
    private readonly Lock _gate = new();
    private int _shown = -1;

    public void Report(double value)
    {
        var percent = (int)Math.Clamp(Math.Round(value * 100), 0, 100);
        lock (_gate)
        {
            if (percent == _shown || (!_terminal && percent / 10 == _shown / 10))
            {
                return;
            }

            _shown = percent;
            if (_terminal)
            {
                error.Write($"\r{name}: {percent,3}%");
            }
            else
            {
                error.WriteLine($"{name}: {percent}%");
            }
        }
    }

    public void Done() => Report(1);

    public void Dispose()
    {
        if (_terminal && _shown >= 0)
        {
            error.WriteLine();
        }
    }
}
