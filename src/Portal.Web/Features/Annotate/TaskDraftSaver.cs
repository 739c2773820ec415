namespace Portal.Web.Features.Annotate;

/// <summary>Where the task page's draft stands, as the header shows it.</summary>
public enum DraftStatus
{
    None,
    Unsaved,
    Saved,
    NotSaved,
    LeaseEnded,
}

/// <summary>
/// Keeps the task page's unsaved answer with the lease: <see cref="DraftDelay"/> after the last change (so typing does not
/// write every key), at once when asked (a new task, the page going away), one save at a time. A save that fails is
/// retried with the next change; a lease that ended shows as <see cref="DraftStatus.LeaseEnded"/>.
/// </summary>
/// <param name="currentForm">The form on the page now; a save finishing for a form that was replaced meanwhile changes no status.</param>
/// <param name="save">Stores the draft of an assignment (<c>TaskService.SaveDraftAsync</c>); false when its lease is no longer live.</param>
/// <param name="clock">The delay's clock (a fake one in tests).</param>
/// <param name="afterDelay">Runs a delayed save on the page's renderer and renders (the component's <c>InvokeAsync</c>).</param>
public sealed class TaskDraftSaver(Func<TaskForm?> currentForm, Func<Guid, string, Task<bool>> save, TimeProvider clock, Func<Func<Task>, Task> afterDelay)
    : IAsyncDisposable
{
    /// <summary>How long the page waits after a change before saving the draft.</summary>
    public static readonly TimeSpan DraftDelay = TimeSpan.FromMilliseconds(300);

    private readonly SemaphoreSlim _saveLock = new(1, 1);
    private CancellationTokenSource? _delay;
    private bool _dirty;
    private bool _disposed;

    public DraftStatus Status { get; private set; }

    /// <summary>What the header says about the draft.</summary>
    public string Text => Status switch
    {
        DraftStatus.Unsaved => "Saving draft…",
        DraftStatus.Saved => "Draft saved",
        DraftStatus.NotSaved => "Draft not saved: will retry",
        DraftStatus.LeaseEnded => "Hold on this task ended",
        _ => "",
    };

    /// <summary>The answer changed: saved after <see cref="DraftDelay"/> unless it changes again first.</summary>
    public void Changed()
    {
        _dirty = true;
        Status = DraftStatus.Unsaved;
        CancelPending();
        _delay = new CancellationTokenSource();
        _ = SaveAfterDelayAsync(_delay.Token);
    }

    /// <summary>A new task is shown: nothing pending, nothing to save. <paramref name="saved"/> when its draft came from the store.</summary>
    public void Reset(bool saved = false)
    {
        CancelPending();
        _dirty = false;
        Status = saved ? DraftStatus.Saved : DraftStatus.None;
    }

    /// <summary>A new task without a stored draft: saved at once, so its time on task and idempotency key survive a reload before any change.</summary>
    public Task StartAsync()
    {
        CancelPending();
        _dirty = true;
        return SaveNowAsync();
    }

    /// <summary>Saves what is not saved yet, now (the page going away, or before leaving the task).</summary>
    public async Task SaveNowAsync()
    {
        if (currentForm() is not { } form || !_dirty)
        {
            return;
        }

        _dirty = false;
        var json = form.Draft.ToJson();
        await _saveLock.WaitAsync();
        try
        {
            var live = await save(form.Task.AssignmentId, json);
            if (ReferenceEquals(form, currentForm()))
            {
                Status = !live ? DraftStatus.LeaseEnded : _dirty ? DraftStatus.Unsaved : DraftStatus.Saved;
            }
        }
        catch (Exception) when (!_disposed)
        {
            // A draft that cannot be saved now is retried with the next change; the annotator's page goes on.
            _dirty = true;
            Status = DraftStatus.NotSaved;
        }
        finally
        {
            _saveLock.Release();
        }
    }

    /// <summary>Forgets a pending delayed save (a submit or skip is on its way).</summary>
    public void CancelPending()
    {
        _delay?.Cancel();
        _delay?.Dispose();
        _delay = null;
    }

    private async Task SaveAfterDelayAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(DraftDelay, clock, ct);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!_disposed)
        {
            await afterDelay(SaveNowAsync);
        }
    }

    /// <summary>Saves what is unsaved, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        CancelPending();
        if (_dirty)
        {
            await SaveNowAsync();
        }

        _disposed = true;
        _saveLock.Dispose();
    }
}
