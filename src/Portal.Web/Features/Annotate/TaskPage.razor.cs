using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Organisations;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Annotate;

/// <summary>
/// The annotator's task page: shows the leased task, takes the answer from the keyboard or the mouse, keeps it as a
/// draft with the lease, submits it once and shows the next task in place.
/// </summary>
public sealed partial class TaskPage
{
    private const string General = TaskSections.General;

    private TaskDraftSaver _drafts = default!;
    private PageState _state = PageState.Loading;
    private string _projectName = "";
    private bool _missing;
    private TaskForm? _form;

    /// <summary>The texts of the task in <see cref="_form"/>, rendered once; the form's task has none of them (see <see cref="TaskContent"/>).</summary>
    private TaskContent? _content;

    // The legend keeps showing the project's keys between tasks (feedback, conflict, nothing left).
    private ProjectKind? _kind;
    private PairwiseOptions? _options;
    private IReadOnlyList<AttributeDefinition>? _attributes;
    private int _seq;
    private int? _doneByMe;
    private int? _available;
    private bool _keysOpen;

    /// <summary>The next task is on its way: the current one stays in place (dimmed) until it arrives, so nothing jumps.</summary>
    private bool _loading;
    private string? _message;
    private Portal.App.Features.Guidelines.GuidelinePanel? _guidelines;
    private GoldFeedback? _feedback;
    private List<TaskProblem> _errors = [];
    private bool _submitting;
    private bool _skipOpen;
    private bool _flagsOpen;
    private string _skipReason = "";
    private bool _disposed;

    /// <summary>Set while the annotator changes their last answer (Back): the form shows it, and a submit revises it.</summary>
    private RevisableAnswer? _revising;

    /// <summary>Why Back found nothing to change, until the next action.</summary>
    private string? _backMessage;
    private Guid _userId;

    /// <summary>An open calibration round of this project that still waits for the annotator's answers.</summary>
    private Portal.App.Features.Calibration.MyCalibrationRound? _calibration;
    private Guid? _loadedProjectId;
    private string? _focusSelector;
    private DotNetObjectReference<TaskPage>? _self;
    private IJSObjectReference? _keys;

    private enum PageState
    {
        Loading,
        Task,
        NothingLeft,
        Paused,
        NeedsAcknowledgement,
        NeedsQualification,
        ProjectPaused,
        NotChosen,
        Conflict,
        Feedback,
    }

    [Parameter]
    public Guid OrgId { get; set; }

    [Parameter]
    public Guid ProjectId { get; set; }

    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private DateTime Now => Clock.GetUtcNow().UtcDateTime;

    private IReadOnlyList<KeyHint> KeyHints => TaskKeys.For(_kind, _options, _attributes);

    protected override void OnInitialized() =>
        _drafts = new TaskDraftSaver(() => _revising is null ? _form : null, (assignmentId, json) => Tasks.SaveDraftAsync(OrgId, assignmentId, _userId, json), Clock,
            save => InvokeAsync(async () =>
            {
                await save();
                if (!_disposed)
                {
                    StateHasChanged();
                }
            }));

    protected override async Task OnParametersSetAsync()
    {
        _userId = Guid.Parse((await AuthenticationState).User.FindFirstValue(ClaimTypes.NameIdentifier)!);

        // The first, static render leases nothing: it only answers 404 for a project of another organisation.
        if (!RendererInfo.IsInteractive)
        {
            var project = await Projects.GetAsync(OrgId, ProjectId);
            _missing = project is null;
            _projectName = project?.Name ?? "";
            HttpContext.MarkNotFoundIf(_missing);
            return;
        }

        if (_loadedProjectId == ProjectId)
        {
            return;
        }

        _loadedProjectId = ProjectId;
        var mine = (await Tasks.ProjectsAsync(OrgId, _userId)).FirstOrDefault(p => p.ProjectId == ProjectId);
        _projectName = mine?.Name ?? _projectName;
        (_doneByMe, _available) = (mine?.DoneByMe, mine?.Available);
        _kind = mine?.Kind;
        _calibration = (await Calibration.MineAsync(OrgId, _userId))
            .FirstOrDefault(r => r.ProjectId == ProjectId && r.Status == Portal.App.Data.CalibrationStatus.Open && r.Answered < r.Items);
        await LoadNextAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!RendererInfo.IsInteractive || _disposed)
        {
            return;
        }

        if (firstRender)
        {
            _self = DotNetObjectReference.Create(this);
            _keys = await JS.InvokeAsync<IJSObjectReference>("portalAnnotate.attach", _self);
        }

        if (_keys is not null && _focusSelector is { } selector)
        {
            _focusSelector = null;
            await _keys.InvokeVoidAsync("focus", selector);
        }
    }

    /// <summary>A shortcut typed outside a text box (see annotate.js).</summary>
    [JSInvokable]
    public async Task OnKey(string key)
    {
        if (_disposed)
        {
            return;
        }

        // The list of keys opens and closes anywhere on the page; while it shows, the other keys wait.
        if (key == "?" || (_keysOpen && key == "Escape"))
        {
            _keysOpen = key == "?" && !_keysOpen;
            StateHasChanged();
            return;
        }

        if (_keysOpen || _submitting || _loading)
        {
            return;
        }

        if (key == "Backspace" && _revising is null && _state is PageState.Task or PageState.NothingLeft or PageState.Conflict or PageState.Feedback)
        {
            await BackAsync();
            return;
        }

        if (key == "Escape" && _revising is not null && !_skipOpen && !_flagsOpen)
        {
            await CancelRevisionAsync();
            return;
        }

        if (_state is PageState.Conflict or PageState.Feedback)
        {
            if (key == "Enter")
            {
                await NextTaskAsync();
            }

            return;
        }

        if (_state != PageState.Task || _form is not { } form)
        {
            return;
        }

        if (_flagsOpen && key is "1" or "2" or "3")
        {
            await ToggleFlagAsync(TaskFlags.All[key[0] - '1'].Flag);
            return;
        }

        if (_skipOpen && key == "Enter")
        {
            await ConfirmSkipAsync();
            return;
        }

        switch (form.OnKey(key))
        {
            case KeyOutcome.Submit:
                await SubmitAsync();
                return;
            case KeyOutcome.Skip when _revising is null:
                OpenSkip();
                break;
            case KeyOutcome.Flag:
                ToggleFlagsPanel();
                break;
            case KeyOutcome.Escape:
                _skipOpen = false;
                _flagsOpen = false;
                FocusCurrent();
                break;
            case KeyOutcome.Changed:
                _errors.RemoveAll(e => e.Field != General);
                DraftChanged();
                FocusCurrent();
                break;
            case KeyOutcome.Moved:
                FocusCurrent();
                break;
            default:
                return;
        }

        StateHasChanged();
    }

    /// <summary>A row focused by Tab or the mouse becomes the one the number keys rate.</summary>
    [JSInvokable]
    public void OnRowFocused(string rowId)
    {
        if (_form is { } form && form.Rows.Where(r => r.Id == rowId).Select(r => (TaskRow?)r).FirstOrDefault() is { } row && !form.IsCurrent(row))
        {
            form.MoveTo(row);
            StateHasChanged();
        }
    }

    /// <summary>The page is going away (reload, tab closed): save what is not saved yet.</summary>
    [JSInvokable]
    public Task FlushDraft() => _drafts.SaveNowAsync();

    private Task RateAsync(RowRating rating) => Change(f => f.Rate(rating.Row, rating.Value));

    private Task ChooseAsync(ShownChoice choice) => Change(f => f.Choose(choice));

    private Task StrengthAsync(int level) => Change(f => f.SetStrength(level));

    private Task AttributeChoiceAsync(AttributeChoice choice) => Change(f => f.ChooseForAttribute(choice.AttributeKey, choice.Choice));

    private Task ToggleFlagAsync(ContentFlags flag) => Change(f =>
    {
        f.ToggleFlag(flag);
        return true;
    }, focus: false);

    private Task Change(Func<TaskForm, bool> change, bool focus = true)
    {
        if (_form is not null && !_submitting && !_loading && change(_form))
        {
            _errors.RemoveAll(e => e.Field != General);
            DraftChanged();
            if (focus)
            {
                FocusCurrent();
            }

            StateHasChanged();
        }

        return Task.CompletedTask;
    }

    private void CommentChanged(string? text)
    {
        _form?.SetComment(text ?? "");
        TextChanged("comment");
    }

    private void RationaleChanged(string? text)
    {
        _form?.SetRationale(text ?? "");
        TextChanged("rationale");
    }

    private static string RationaleLabel(TaskForm form) => form.Options.RequireRationale
        ? $"Rationale (required, at least {form.Options.RationaleMinLength} characters)"
        : "Rationale (optional)";

    private void ToggleKeys() => _keysOpen = !_keysOpen;

    private void CloseKeys() => _keysOpen = false;

    private void TextChanged(string section)
    {
        _errors.RemoveAll(p => TaskSections.Of(p.Field) == section);
        DraftChanged();
    }

    private void OpenSkip()
    {
        _skipOpen = true;
        _focusSelector = "[data-testid=skip-reason]";
    }

    private void CancelSkip()
    {
        _skipOpen = false;
        _errors.RemoveAll(p => p.Field == "reason");
        FocusCurrent();
    }

    private void ToggleFlagsPanel() => _flagsOpen = !_flagsOpen;

    private async Task SubmitAsync()
    {
        if (_form is not { } form || _submitting || _state != PageState.Task)
        {
            return;
        }

        _errors = [.. form.Problems()];
        if (_errors.Count > 0)
        {
            _focusSelector = _errors[0].Row is { } row ? RowSelector(row) : "[data-testid=rationale]";
            StateHasChanged();
            return;
        }

        if (_revising is { } revising)
        {
            await SendAsync(async () =>
            {
                await Tasks.ReviseAsync(OrgId, revising.AnnotationId, _userId, form.ToInput(Now));
                _backMessage = "Your answer was changed.";
                await LoadNextAsync();
            });
            return;
        }

        _backMessage = null;
        await SendAsync(async () =>
        {
            var result = await Tasks.SubmitAsync(OrgId, form.Task.AssignmentId, _userId, form.ToInput(Now));
            _drafts.CancelPending();
            await RefreshProgressAsync();

            if (result.Feedback is { } feedback)
            {
                _form = null;
                _content = null;
                _feedback = feedback;
                _state = PageState.Feedback;
                _focusSelector = "[data-testid=feedback-next]";
            }
            else
            {
                await LoadNextAsync();
            }
        });
    }

    private async Task ConfirmSkipAsync()
    {
        if (_form is not { } form || _submitting)
        {
            return;
        }

        var reason = _skipReason.Trim();
        if (reason.Length == 0)
        {
            _errors = [new("reason", "Say why you skip this task.")];
            _focusSelector = "[data-testid=skip-reason]";
            StateHasChanged();
            return;
        }

        await SendAsync(async () =>
        {
            await Tasks.SkipAsync(OrgId, form.Task.AssignmentId, _userId, reason, form.Draft.Flags);
            _drafts.CancelPending();
            await RefreshProgressAsync();
            await LoadNextAsync();
        });
    }

    /// <summary>Sends a submit or a skip once at a time; the engine's refusals show on the page, next to the field or as a conflict.</summary>
    private async Task SendAsync(Func<Task> send)
    {
        _submitting = true;
        StateHasChanged();
        try
        {
            await send();
        }
        catch (PortalValidationException e)
        {
            _errors = [new(e.Field, e.Message)];
        }
        catch (Exception e) when (e is TaskConflictException or TaskNotFoundException)
        {
            ShowConflict(e.Message);
        }
        finally
        {
            _submitting = false;
        }

        StateHasChanged();
    }

    /// <summary>
    /// Brings the annotator's last answer back to be changed, while the project's lease length since they gave it allows;
    /// the task they hold now keeps its draft and comes back after.
    /// </summary>
    private async Task BackAsync()
    {
        if (_submitting || _loading || _revising is not null)
        {
            return;
        }

        await _drafts.SaveNowAsync();
        _drafts.CancelPending();
        var last = await Tasks.LastAnswerAsync(OrgId, ProjectId, _userId);
        if (last is null)
        {
            _backMessage = "There is no answer of yours here that can still be changed.";
            StateHasChanged();
            return;
        }

        _backMessage = null;
        _content = TaskContent.Render(last.Task);
        _revising = last with { Task = TaskContent.Strip(last.Task) };
        _form = new TaskForm(_revising.Task, TaskDraft.FromAnswer(last.Answer, Now));
        _feedback = null;
        _message = null;
        _errors = [];
        _skipOpen = false;
        _flagsOpen = false;
        _seq++;
        _state = PageState.Task;
        _drafts.Reset();
        FocusCurrent();
        StateHasChanged();
    }

    /// <summary>Leaves the answer as it was and goes back to the task at hand.</summary>
    private async Task CancelRevisionAsync()
    {
        await LoadNextAsync();
        StateHasChanged();
    }

    private async Task NextTaskAsync()
    {
        await LoadNextAsync();
        StateHasChanged();
    }

    /// <summary>The counts of the header, read again after an answer (a gold item or a replayed submit changes neither).</summary>
    private async Task RefreshProgressAsync()
    {
        var mine = (await Tasks.ProjectsAsync(OrgId, _userId)).FirstOrDefault(p => p.ProjectId == ProjectId);
        (_doneByMe, _available) = (mine?.DoneByMe ?? _doneByMe, mine?.Available ?? _available);
    }

    private async Task LoadNextAsync()
    {
        _drafts.Reset();
        _revising = null;
        _loading = true;
        if (RendererInfo.IsInteractive && _state != PageState.Loading)
        {
            StateHasChanged();
        }

        NextTaskResult? next;
        try
        {
            next = await Tasks.NextAsync(OrgId, ProjectId, _userId);
        }
        finally
        {
            _loading = false;
        }

        // The answer replaces what was shown in one render: the old task, feedback or message goes when the new one comes.
        _form = null;
        _content = null;
        _feedback = null;
        _message = null;
        _errors = [];
        _skipOpen = false;
        _flagsOpen = false;
        _skipReason = "";
        if (next is null)
        {
            _missing = true;
            return;
        }

        // The side panel shows the guidelines the next answer is made under.
        _guidelines = await GuidelinePanels.CurrentAsync(OrgId, ProjectId);

        _message = next.Message;
        switch (next.Status)
        {
            case NextTaskStatus.Assigned when next.Task is { } task:
                var stored = TaskDraft.Parse(task.DraftJson);
                _content = TaskContent.Render(task);
                _form = new TaskForm(TaskContent.Strip(task), stored ?? TaskDraft.Start(Now));
                _projectName = task.ProjectName;
                (_kind, _options, _attributes) = (task.Kind, task.Pairwise, task.Attributes);
                _seq++;
                _state = PageState.Task;
                FocusCurrent();
                if (stored is null)
                {
                    await _drafts.StartAsync();
                }
                else
                {
                    _drafts.Reset(saved: true);
                }

                break;
            case NextTaskStatus.Paused:
                _state = PageState.Paused;
                break;
            case NextTaskStatus.NeedsAcknowledgement:
                _state = PageState.NeedsAcknowledgement;
                break;
            case NextTaskStatus.NeedsQualification:
                _state = PageState.NeedsQualification;
                break;
            case NextTaskStatus.ProjectPaused:
                _state = PageState.ProjectPaused;
                break;
            case NextTaskStatus.NotChosen:
                _state = PageState.NotChosen;
                break;
            default:
                _state = PageState.NothingLeft;
                break;
        }
    }

    private void ShowConflict(string message)
    {
        _drafts.CancelPending();
        _revising = null;
        _form = null;
        _content = null;
        _message = message;
        _state = PageState.Conflict;
        _focusSelector = "[data-testid=take-next]";
    }

    private void DraftChanged()
    {
        // A revision has no lease to keep a draft with: it is sent whole, or left.
        if (_revising is null)
        {
            _drafts.Changed();
        }
    }

    private void FocusCurrent() =>
        _focusSelector = _form?.Current is { } row ? RowSelector(row) : "[data-testid=submit]";

    private static string RowSelector(TaskRow row) => $"[data-row=\"{row.Id}\"]";

    private static string SideLabel(string side) => side == "left" ? "A" : "B";

    public async ValueTask DisposeAsync()
    {
        await _drafts.DisposeAsync();
        _disposed = true;
        if (_keys is not null)
        {
            try
            {
                await _keys.InvokeVoidAsync("dispose");
                await _keys.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone already, and its listeners with it.
            }
        }

        _self?.Dispose();
    }
}
