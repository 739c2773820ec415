using System.Diagnostics;

namespace Portal.App.Features.Quality;

/// <summary>One phase of a recompute and the wall time spent in it (summed over its repeats, such as one per chunk of items).</summary>
public sealed record RecomputePhase(string Name, double Seconds);

/// <summary>
/// A stopwatch that charges the time since its last lap to a named phase: how <c>portal bench quality</c> shows where an
/// incremental recompute spends its time (reading the changed annotations, the snapshots, writing them back, the count…).
/// </summary>
internal sealed class PhaseClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<(string Name, TimeSpan Elapsed)> _phases = [];
    private TimeSpan _last;

    public void Lap(string name)
    {
        var now = _watch.Elapsed;
        var i = _phases.FindIndex(p => p.Name == name);
        if (i < 0)
        {
            _phases.Add((name, now - _last));
        }
        else
        {
            _phases[i] = (name, _phases[i].Elapsed + (now - _last));
        }

        _last = now;
    }

    public IReadOnlyList<RecomputePhase> Phases => [.. _phases.Select(p => new RecomputePhase(p.Name, Math.Round(p.Elapsed.TotalSeconds, 3)))];
}
