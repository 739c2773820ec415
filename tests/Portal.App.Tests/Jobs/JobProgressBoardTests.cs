using Portal.App.Data;
using Portal.App.Jobs;

namespace Portal.App.Tests.Jobs;

public class JobProgressBoardTests
{
    private static JobRunView Run(Guid id, RunStatus status, int progress, string? message = "stored") =>
        new(id, "import-items", status, progress, message, null, "node", DateTime.UtcNow, DateTime.UtcNow, null);

    [Fact]
    public void Overlay_RunningRunWithLaterProgressInMemory_ShowsTheLiveProgress()
    {
        var board = new JobProgressBoard();
        var id = Guid.NewGuid();
        board.Set(id, 40, "4000 items read");
        board.Set(id, 45, null);

        var shown = board.Overlay(Run(id, RunStatus.Running, 0));

        Assert.Equal((45, "4000 items read"), (shown.Progress, shown.Message));
    }

    [Fact]
    public void Overlay_FinishedOrAheadInTheDatabase_TheStoredRowWins()
    {
        var board = new JobProgressBoard();
        var id = Guid.NewGuid();
        board.Set(id, 40, "live");

        Assert.Equal(100, board.Overlay(Run(id, RunStatus.Succeeded, 100)).Progress);
        Assert.Equal("stored", board.Overlay(Run(id, RunStatus.Failed, 20)).Message);
        Assert.Equal((60, "stored"), (board.Overlay(Run(id, RunStatus.Running, 60)).Progress, board.Overlay(Run(id, RunStatus.Running, 60)).Message));
        board.Remove(id);
        Assert.Equal(0, board.Overlay(Run(id, RunStatus.Running, 0)).Progress);
        Assert.Equal(0, board.Overlay(Run(Guid.NewGuid(), RunStatus.Running, 0)).Progress);
    }
}
