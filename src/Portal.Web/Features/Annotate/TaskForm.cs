using Portal.App.Data;
using Portal.App.Features.Annotations;

namespace Portal.Web.Features.Annotate;

public enum TaskRowKind
{
    /// <summary>A Likert rating of the single response, or of the left one.</summary>
    Score,

    /// <summary>A Likert rating of the right response.</summary>
    ScoreRight,

    /// <summary>The pairwise choice: A, B, tie or both bad.</summary>
    Choice,

    /// <summary>How much better the chosen response is.</summary>
    Strength,

    /// <summary>A, B or tie on one attribute.</summary>
    AttributeChoice,
}

/// <summary>A stop of the keyboard on the task page: what the number and choice keys act on.</summary>
public readonly record struct TaskRow(TaskRowKind Kind, string? AttributeKey = null)
{
    public string Id => AttributeKey is null ? Kind.ToString() : $"{Kind}:{AttributeKey}";
}

/// <summary>Something to fix before a submit: the field as the engine names it, a message, and the row to go to.</summary>
public sealed record TaskProblem(string Field, string Message, TaskRow? Row = null);

/// <summary>What a key did to the answer.</summary>
public enum KeyOutcome
{
    Ignored,

    /// <summary>Only the current row moved.</summary>
    Moved,

    /// <summary>The answer changed: save the draft.</summary>
    Changed,

    Submit,
    Skip,
    Flag,
    Escape,
}

/// <summary>
/// The answer being given to one task and the keyboard's place in it: which rows the project's kind asks for, what
/// each key does, what is still missing, and the <see cref="AnnotationInput"/> it becomes. No I/O; the page renders it.
/// </summary>
public sealed class TaskForm
{
    public TaskForm(TaskView task, TaskDraft draft)
    {
        Task = task;
        Draft = Clean(draft);
        if (Draft.CurrentRow is null && !Draft.Scores.Any() && Draft.Choice is null)
        {
            var rows = Rows;
            Draft = Draft with { CurrentRow = rows.Count > 0 ? rows[0].Id : null };
        }
    }

    public TaskView Task { get; }

    public TaskDraft Draft { get; private set; }

    public bool HasLikert => Task.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise;

    public bool HasPairwise => Task.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;

    public PairwiseOptions Options => Task.Pairwise;

    /// <summary>The strength row shows once A or B is chosen, unless the project asks for plain A/B.</summary>
    public bool ShowsStrength => HasPairwise && Options.StrengthLevels > 0 && Draft.Choice is ShownChoice.Left or ShownChoice.Right;

    public bool ShowsAttributeChoices => HasPairwise && Options.PerAttribute && Task.Attributes.Count > 0;

    /// <summary>The rows in screen order.</summary>
    public IReadOnlyList<TaskRow> Rows
    {
        get
        {
            var rows = new List<TaskRow>();
            if (HasLikert)
            {
                rows.AddRange(Task.Attributes.Select(a => new TaskRow(TaskRowKind.Score, a.Key)));
            }

            if (Task.Kind == ProjectKind.LikertAndPairwise)
            {
                rows.AddRange(Task.Attributes.Select(a => new TaskRow(TaskRowKind.ScoreRight, a.Key)));
            }

            if (HasPairwise)
            {
                rows.Add(new TaskRow(TaskRowKind.Choice));
                if (ShowsStrength)
                {
                    rows.Add(new TaskRow(TaskRowKind.Strength));
                }

                if (ShowsAttributeChoices)
                {
                    rows.AddRange(Task.Attributes.Select(a => new TaskRow(TaskRowKind.AttributeChoice, a.Key)));
                }
            }

            return rows;
        }
    }

    public TaskRow? Current => Rows.Cast<TaskRow?>().FirstOrDefault(r => r!.Value.Id == Draft.CurrentRow);

    public bool IsCurrent(TaskRow row) => row.Id == Draft.CurrentRow;

    public int? ScoreOf(TaskRow row) =>
        row.AttributeKey is { } key && (row.Kind == TaskRowKind.ScoreRight ? Draft.ScoresRight : Draft.Scores).TryGetValue(key, out var v) ? v : null;

    public ShownChoice? AttributeChoiceOf(string key) => Draft.AttributeChoices.TryGetValue(key, out var c) ? c : null;

    public int TimeOnTaskMs(DateTime now) => (int)Math.Clamp((now - Draft.ShownAt).TotalMilliseconds, 0, int.MaxValue);

    public void MoveTo(TaskRow? row) => Draft = Draft with { CurrentRow = row?.Id };

    /// <summary>Rates a Likert row and moves on to the next row. False when the value is off the attribute's scale.</summary>
    public bool Rate(TaskRow row, int value)
    {
        if (row.Kind is not (TaskRowKind.Score or TaskRowKind.ScoreRight) || Attribute(row.AttributeKey) is not { } attribute
            || value < attribute.Min || value > attribute.Max)
        {
            return false;
        }

        Draft = row.Kind == TaskRowKind.Score
            ? Draft with { Scores = TaskDraft.With(Draft.Scores, attribute.Key, value) }
            : Draft with { ScoresRight = TaskDraft.With(Draft.ScoresRight, attribute.Key, value) };
        MoveAfter(row);
        return true;
    }

    /// <summary>Chooses A, B, tie or both bad; a new choice clears the strength. Goes to the strength row when it shows.</summary>
    public bool Choose(ShownChoice choice)
    {
        if (!HasPairwise || !Allowed(choice))
        {
            return false;
        }

        Draft = Draft with { Choice = choice, Strength = Draft.Choice == choice ? Draft.Strength : null };
        MoveAfter(new TaskRow(TaskRowKind.Choice));
        return true;
    }

    public bool SetStrength(int strength)
    {
        if (!ShowsStrength || strength < 1 || strength > Options.StrengthLevels)
        {
            return false;
        }

        Draft = Draft with { Strength = strength };
        MoveAfter(new TaskRow(TaskRowKind.Strength));
        return true;
    }

    public bool ChooseForAttribute(string key, ShownChoice choice)
    {
        if (!ShowsAttributeChoices || choice is ShownChoice.BothBad || Attribute(key) is null)
        {
            return false;
        }

        Draft = Draft with { AttributeChoices = TaskDraft.With(Draft.AttributeChoices, key, choice) };
        MoveAfter(new TaskRow(TaskRowKind.AttributeChoice, key));
        return true;
    }

    public void SetRationale(string text) => Draft = Draft with { Rationale = text };

    public void SetComment(string text) => Draft = Draft with { Comment = text };

    public void ToggleFlag(ContentFlags flag) => Draft = Draft with { Flags = Draft.Flags ^ flag };

    public bool Allowed(ShownChoice choice) => choice switch
    {
        ShownChoice.Tie => Options.AllowTie,
        ShownChoice.BothBad => Options.AllowBothBad,
        _ => true,
    };

    /// <summary>
    /// A key pressed outside a text box (<c>0</c>–<c>9</c>, <c>ArrowUp</c> and the like, lower-case letters).
    /// Digits rate the current row, or set the strength; arrows and A/B/T choose on the current per-attribute row,
    /// else overall.
    /// </summary>
    public KeyOutcome OnKey(string key)
    {
        var current = Current;
        switch (key)
        {
            case "Enter":
                return KeyOutcome.Submit;
            case "s":
                return KeyOutcome.Skip;
            case "f":
                return KeyOutcome.Flag;
            case "Escape":
                return KeyOutcome.Escape;
            case "ArrowUp":
                return Move(-1);
            case "ArrowDown":
                return Move(+1);
            case "a" or "ArrowLeft":
                return ChooseKey(current, ShownChoice.Left);
            case "b" or "ArrowRight":
                return ChooseKey(current, ShownChoice.Right);
            case "t":
                return ChooseKey(current, ShownChoice.Tie);
            case "x":
                return Choose(ShownChoice.BothBad) ? KeyOutcome.Changed : KeyOutcome.Ignored;
            case [var d] when char.IsAsciiDigit(d):
                return Digit(current, d - '0');
            default:
                return KeyOutcome.Ignored;
        }
    }

    /// <summary>What is still missing or too short, in screen order; empty when the answer can be submitted.</summary>
    public IReadOnlyList<TaskProblem> Problems()
    {
        var problems = new List<TaskProblem>();
        if (HasLikert)
        {
            Unrated(TaskRowKind.Score, Draft.Scores, "scores", "A", problems);
        }

        if (Task.Kind == ProjectKind.LikertAndPairwise)
        {
            Unrated(TaskRowKind.ScoreRight, Draft.ScoresRight, "scoresRight", "B", problems);
        }

        if (!HasPairwise)
        {
            return problems;
        }

        if (Draft.Choice is null)
        {
            var options = new List<string> { "A", "B" };
            if (Options.AllowTie)
            {
                options.Add("tie");
            }

            if (Options.AllowBothBad)
            {
                options.Add("both bad");
            }

            problems.Add(new("choice", $"Choose {string.Join(", ", options[..^1])} or {options[^1]}.", new TaskRow(TaskRowKind.Choice)));
        }
        else if (ShowsStrength && Draft.Strength is null)
        {
            problems.Add(new("strength", $"Say how much better, 1 to {Options.StrengthLevels}.", new TaskRow(TaskRowKind.Strength)));
        }

        if (ShowsAttributeChoices)
        {
            var missing = Task.Attributes.Where(a => !Draft.AttributeChoices.ContainsKey(a.Key)).ToList();
            if (missing.Count > 0)
            {
                problems.Add(new("attributeChoices", $"Choose A, B or tie for {string.Join(", ", missing.Select(a => a.Name))}.",
                    new TaskRow(TaskRowKind.AttributeChoice, missing[0].Key)));
            }
        }

        var length = Draft.Rationale.Trim().Length;
        if (Options.RequireRationale && length < Options.RationaleMinLength)
        {
            problems.Add(new("rationale", $"Write a rationale of at least {Options.RationaleMinLength} characters ({length} so far)."));
        }

        return problems;
    }

    public AnnotationInput ToInput(DateTime now) => new(
        Draft.IdempotencyKey,
        Scores: HasLikert ? Draft.Scores : null,
        ScoresRight: Task.Kind == ProjectKind.LikertAndPairwise ? Draft.ScoresRight : null,
        Choice: HasPairwise ? Draft.Choice : null,
        Strength: ShowsStrength ? Draft.Strength : null,
        AttributeChoices: ShowsAttributeChoices ? Draft.AttributeChoices : null,
        Rationale: HasPairwise ? NullIfBlank(Draft.Rationale) : null,
        Comment: HasPairwise ? null : NullIfBlank(Draft.Comment),
        Flags: Draft.Flags,
        TimeOnTaskMs: TimeOnTaskMs(now));

    private KeyOutcome Move(int delta)
    {
        var rows = Rows;
        if (rows.Count == 0)
        {
            return KeyOutcome.Ignored;
        }

        var index = Current is { } current ? IndexOf(rows, current) : rows.Count;
        var next = Math.Clamp(index + delta, 0, rows.Count - 1);
        MoveTo(rows[next]);
        return KeyOutcome.Moved;
    }

    private KeyOutcome ChooseKey(TaskRow? current, ShownChoice choice)
    {
        var done = current is { Kind: TaskRowKind.AttributeChoice, AttributeKey: { } key }
            ? ChooseForAttribute(key, choice)
            : Choose(choice);
        return done ? KeyOutcome.Changed : KeyOutcome.Ignored;
    }

    private KeyOutcome Digit(TaskRow? current, int digit)
    {
        if (current is { Kind: TaskRowKind.Score or TaskRowKind.ScoreRight } row && Attribute(row.AttributeKey) is { } attribute)
        {
            // A scale that ends at 10 has no key of its own for it: 0 stands for 10 when 0 is not on the scale.
            var value = digit == 0 && attribute.Min > 0 && attribute.Max == 10 ? 10 : digit;
            return Rate(row, value) ? KeyOutcome.Changed : KeyOutcome.Ignored;
        }

        // Digits after a choice set its strength, from the choice row or wherever the pairwise part has the keyboard.
        var onPairwise = current is null or { Kind: TaskRowKind.Choice or TaskRowKind.Strength } || Task.Kind == ProjectKind.Pairwise;
        return onPairwise && SetStrength(digit) ? KeyOutcome.Changed : KeyOutcome.Ignored;
    }

    private void MoveAfter(TaskRow row)
    {
        var rows = Rows;
        var index = IndexOf(rows, row);
        MoveTo(index >= 0 && index + 1 < rows.Count ? rows[index + 1] : null);
    }

    private static int IndexOf(IReadOnlyList<TaskRow> rows, TaskRow row)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Id == row.Id)
            {
                return i;
            }
        }

        return -1;
    }

    private AttributeDefinition? Attribute(string? key) => Task.Attributes.FirstOrDefault(a => a.Key == key);

    private void Unrated(TaskRowKind kind, IReadOnlyDictionary<string, int> scores, string field, string side, List<TaskProblem> problems)
    {
        var missing = Task.Attributes.Where(a => !scores.ContainsKey(a.Key)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var which = Task.Kind == ProjectKind.LikertAndPairwise ? $" of {side}" : "";
        problems.Add(new(field, $"Rate {string.Join(", ", missing.Select(a => a.Name))}{which}.", new TaskRow(kind, missing[0].Key)));
    }

    /// <summary>A stored draft as this task allows it: values off the scale, unknown attributes and choices the project no longer offers are dropped.</summary>
    private TaskDraft Clean(TaskDraft draft)
    {
        IReadOnlyDictionary<string, int> OnScale(IReadOnlyDictionary<string, int> scores) => scores
            .Where(s => Attribute(s.Key) is { } a && s.Value >= a.Min && s.Value <= a.Max)
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

        var choice = HasPairwise && draft.Choice is { } c && Enum.IsDefined(c) && Allowed(c) ? c : (ShownChoice?)null;
        var cleaned = draft with
        {
            Scores = HasLikert ? OnScale(draft.Scores) : TaskDraft.Empty<int>(),
            ScoresRight = Task.Kind == ProjectKind.LikertAndPairwise ? OnScale(draft.ScoresRight) : TaskDraft.Empty<int>(),
            Choice = choice,
            AttributeChoices = draft.AttributeChoices
                .Where(x => Attribute(x.Key) is not null && x.Value is ShownChoice.Left or ShownChoice.Right or ShownChoice.Tie)
                .ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal),
            Flags = draft.Flags & (ContentFlags.Unsafe | ContentFlags.Broken | ContentFlags.WrongLanguage),
        };
        Draft = cleaned; // ShowsStrength and Rows read the cleaned choice.
        var strength = ShowsStrength && draft.Strength is { } s && s >= 1 && s <= Options.StrengthLevels ? s : (int?)null;
        Draft = cleaned with { Strength = strength };
        return Draft with { CurrentRow = Rows.Any(r => r.Id == draft.CurrentRow) ? draft.CurrentRow : null };
    }

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>A score clicked on a Likert row.</summary>
public readonly record struct RowRating(TaskRow Row, int Value);

/// <summary>A choice clicked on a per-attribute row.</summary>
public readonly record struct AttributeChoice(string AttributeKey, ShownChoice Choice);
