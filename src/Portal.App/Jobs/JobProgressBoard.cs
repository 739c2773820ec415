using System.Collections.Concurrent;

namespace Portal.App.Jobs;

/// <summary>
/// The latest progress of the runs working in this process, kept in memory. The run's row in the database is the
/// record; this board is what the pages read on top of it while a job cannot write that row (SQLite's single writer is
/// held by the job's own transaction, see <see cref="IJobProgress.HoldWrites"/>).
/// </summary>
public sealed class JobProgressBoard
{
    private readonly ConcurrentDictionary<Guid, (int Percent, string? Message)> _runs = new();

    public void Set(Guid runId, int percent, string? message) =>
        _runs.AddOrUpdate(runId, (percent, message), (_, old) => (percent, message ?? old.Message));

    public void Remove(Guid runId) => _runs.TryRemove(runId, out _);

    /// <summary>The run as the pages should show it: its stored row, with this process's later progress while it is running.</summary>
    public JobRunView Overlay(JobRunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Status == Data.RunStatus.Running && _runs.TryGetValue(run.Id, out var live) && live.Percent >= run.Progress
            ? run with { Progress = live.Percent, Message = live.Message ?? run.Message }
            : run;
    }
}
