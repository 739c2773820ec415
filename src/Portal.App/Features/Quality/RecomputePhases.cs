using System.Diagnostics;

namespace Portal.App.Features.Quality;

/// <summary>
/// One phase of a recompute: the wall time spent in it and this process's CPU time meanwhile (every thread's: the count on
/// the second connection and the garbage collector included), each summed over its repeats (one per chunk of items).
/// </summary>
public sealed record RecomputePhase(string Name, double Seconds, double CpuSeconds);

/// <summary>
/// A stopwatch that charges the time since its last lap to a named phase: how <c>portal bench quality</c> shows where an
/// incremental recompute spends its time (reading the changed annotations, the snapshots, writing them back, the count…).
/// </summary>
internal sealed class PhaseClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<(string Name, TimeSpan Elapsed, TimeSpan Cpu)> _phases = [];
    private TimeSpan _last;
    private TimeSpan _lastCpu = Environment.CpuUsage.TotalTime;

    public void Lap(string name)
    {
        var (now, cpu) = (_watch.Elapsed, Environment.CpuUsage.TotalTime);
        var i = _phases.FindIndex(p => p.Name == name);
        if (i < 0)
        {
            _phases.Add((name, now - _last, cpu - _lastCpu));
        }
        else
        {
            _phases[i] = (name, _phases[i].Elapsed + (now - _last), _phases[i].Cpu + (cpu - _lastCpu));
        }

        (_last, _lastCpu) = (now, cpu);
    }

    public IReadOnlyList<RecomputePhase> Phases =>
        [.. _phases.Select(p => new RecomputePhase(p.Name, Math.Round(p.Elapsed.TotalSeconds, 3), Math.Round(p.Cpu.TotalSeconds, 3)))];
}
