using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Cli.Commands;

/// <summary>A statement's text (its first 300 characters), how often it ran and the time EF Core measured for it in all.</summary>
public sealed record StatementTiming(string Sql, int Count, double Seconds);

/// <summary>
/// The SQL statements EF Core runs while this is alive, with their durations, from its diagnostic events (no logging
/// provider, no change to the services): what <c>portal bench quality</c> shows beside each phase of a timed run.
/// </summary>
internal sealed class StatementTimes : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly IDisposable _all;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Dictionary<string, (int Count, TimeSpan Time)> _statements = [];

    public StatementTimes() => _all = DiagnosticListener.AllListeners.Subscribe(this);

    /// <summary>The statements that took the most time, most first.</summary>
    public IReadOnlyList<StatementTiming> Top(int count)
    {
        lock (_statements)
        {
            return [.. _statements.OrderByDescending(s => s.Value.Time).Take(count)
                .Select(s => new StatementTiming(s.Key, s.Value.Count, Math.Round(s.Value.Time.TotalSeconds, 3)))];
        }
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is CommandExecutedEventData executed)
        {
            var text = executed.Command.CommandText.ReplaceLineEndings(" ");
            var key = text.Length > 300 ? text[..300] : text;
            lock (_statements)
            {
                var (count, time) = _statements.GetValueOrDefault(key);
                _statements[key] = (count + 1, time + executed.Duration);
            }
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions)
        {
            foreach (var s in _subscriptions)
            {
                s.Dispose();
            }
        }
    }
}
