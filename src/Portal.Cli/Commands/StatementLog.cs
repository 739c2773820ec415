using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Cli.Commands;

/// <summary>One SQL text as it ran while recording: how often, and its total wall and CPU time (execute to reader closed).</summary>
public sealed record StatementCost(string Sql, int Count, double WallMs, double CpuMs, long Rows);

/// <summary>
/// Times every SQL statement EF Core runs while <see cref="Recording"/> is on, from EF's diagnostic events (no change to
/// the services): a statement's time runs from its execution to the closing of its reader, so it includes reading and
/// materialising the rows. What a query spends outside its statements (EF's own work between them) is the rest.
/// </summary>
/// <remarks>
/// For <c>portal bench pages --statements</c>: where a page's time goes, statement by statement. Unlike
/// <see cref="StatementTimes"/> (the execution alone) it counts the reading of the rows and the CPU time.
/// </remarks>
internal sealed class StatementLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly PagesBench.CpuClock _cpu;
    private readonly IDisposable _all;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly ConcurrentDictionary<Guid, (TimeSpan Cpu, long Started)> _open = new();
    private readonly ConcurrentDictionary<string, StatementCost> _done = new();

    public StatementLog(PagesBench.CpuClock cpu)
    {
        _cpu = cpu;
        _all = DiagnosticListener.AllListeners.Subscribe(this);
    }

    public bool Recording { get; set; }

    /// <summary>What was recorded, the costliest in CPU first; clears it.</summary>
    public IReadOnlyList<StatementCost> Take()
    {
        var list = _done.Values.OrderByDescending(s => s.CpuMs).ToList();
        _done.Clear();
        return list;
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
        if (!Recording)
        {
            return;
        }

        switch (value.Value)
        {
            case CommandEventData start when value.Key == RelationalEventId.CommandExecuting.Name:
                _open[start.CommandId] = (_cpu.Now(), Stopwatch.GetTimestamp());
                break;
            case DataReaderDisposingEventData reader:
                Finish(reader.CommandId, reader.Command.CommandText, reader.ReadCount);
                break;
            case CommandExecutedEventData executed when executed.ExecuteMethod != DbCommandMethod.ExecuteReader:
                Finish(executed.CommandId, executed.Command.CommandText, 0);
                break;
        }
    }

    private void Finish(Guid commandId, string sql, long rows)
    {
        if (!_open.TryRemove(commandId, out var start))
        {
            return;
        }

        var wall = Stopwatch.GetElapsedTime(start.Started).TotalMilliseconds;
        var cpu = (_cpu.Now() - start.Cpu).TotalMilliseconds;
        _done.AddOrUpdate(sql, new StatementCost(sql, 1, wall, cpu, rows),
            (_, s) => s with { Count = s.Count + 1, WallMs = s.WallMs + wall, CpuMs = s.CpuMs + cpu, Rows = s.Rows + rows });
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
            _subscriptions.ForEach(s => s.Dispose());
        }
    }
}
