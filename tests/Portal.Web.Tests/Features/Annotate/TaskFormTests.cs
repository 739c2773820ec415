using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Tests.Features.Annotate;

public class TaskFormTests
{
    private static readonly DateTime ShownAt = new(2026, 5, 1, 9, 0, 0, DateTimeKind.Utc);

    private static readonly AttributeDefinition[] Attributes =
    [
        new("helpfulness", "Helpfulness", "Does what was asked."),
        new("safety", "Safety", "No harm.", LowLabel: "Harmful", HighLabel: "Safe"),
    ];

    private static TaskView View(ProjectKind kind, PairwiseOptions? pairwise = null, IReadOnlyList<AttributeDefinition>? attributes = null) => new(
        Guid.NewGuid(), Guid.NewGuid(), "Project", kind, [new("user", "Hi?")], "left answer",
        kind == ProjectKind.Likert ? null : "right answer", attributes ?? Attributes, pairwise ?? new PairwiseOptions(),
        ShownAt.AddMinutes(30), null);

    private static TaskForm Form(ProjectKind kind, PairwiseOptions? pairwise = null, IReadOnlyList<AttributeDefinition>? attributes = null) =>
        new(View(kind, pairwise, attributes), TaskDraft.Start(ShownAt));

    [Fact]
    public void OnKey_DigitsOnLikert_RateEachRowInTurnAndLeaveNothingCurrentAtTheEnd()
    {
        var form = Form(ProjectKind.Likert);

        Assert.Equal(KeyOutcome.Changed, form.OnKey("6"));
        Assert.Equal(KeyOutcome.Changed, form.OnKey("2"));

        Assert.Equal(new Dictionary<string, int> { ["helpfulness"] = 6, ["safety"] = 2 }, form.Draft.Scores);
        Assert.Null(form.Current);
        Assert.Empty(form.Problems());
    }

    [Fact]
    public void OnKey_DigitOffTheScale_IsIgnoredAndTheRowStaysCurrent()
    {
        var form = Form(ProjectKind.Likert);

        Assert.Equal(KeyOutcome.Ignored, form.OnKey("9"));

        Assert.Empty(form.Draft.Scores);
        Assert.Equal("Score:helpfulness", form.Current?.Id);
    }

    [Fact]
    public void OnKey_ZeroOnAScaleEndingAtTen_RatesTen()
    {
        var form = Form(ProjectKind.Likert, attributes: [new("quality", "Quality", "", Min: 1, Max: 10)]);

        form.OnKey("0");

        Assert.Equal(10, form.Draft.Scores["quality"]);
    }

    [Fact]
    public void OnKey_UpAndDown_MoveBetweenRowsWithoutChangingTheAnswer()
    {
        var form = Form(ProjectKind.Likert);

        Assert.Equal(KeyOutcome.Moved, form.OnKey("ArrowDown"));
        Assert.Equal("Score:safety", form.Current?.Id);
        form.OnKey("ArrowDown");
        Assert.Equal("Score:safety", form.Current?.Id);
        form.OnKey("ArrowUp");

        Assert.Equal("Score:helpfulness", form.Current?.Id);
        Assert.Empty(form.Draft.Scores);
    }

    [Fact]
    public void OnKey_PairwiseChoiceThenDigit_SetsTheStrengthOfTheChoice()
    {
        var form = Form(ProjectKind.Pairwise);

        form.OnKey("ArrowRight");
        Assert.Equal("Strength", form.Current?.Id);
        form.OnKey("3");

        var input = form.ToInput(ShownAt.AddSeconds(12));
        Assert.Equal(ShownChoice.Right, input.Choice);
        Assert.Equal(3, input.Strength);
        Assert.Null(input.Scores);
        Assert.Equal(12_000, input.TimeOnTaskMs);
        Assert.Equal(form.Draft.IdempotencyKey, input.IdempotencyKey);
    }

    [Fact]
    public void Choose_TieAfterAStrength_ClearsTheStrengthAndHidesItsRow()
    {
        var form = Form(ProjectKind.Pairwise);
        form.OnKey("a");
        form.OnKey("2");

        form.OnKey("t");

        Assert.Equal(ShownChoice.Tie, form.Draft.Choice);
        Assert.Null(form.Draft.Strength);
        Assert.DoesNotContain(form.Rows, r => r.Kind == TaskRowKind.Strength);
        Assert.Null(form.ToInput(ShownAt).Strength);
    }

    [Fact]
    public void OnKey_TieAndBothBadNotAllowed_AreIgnored()
    {
        var form = Form(ProjectKind.Pairwise, new PairwiseOptions { AllowTie = false, AllowBothBad = false, StrengthLevels = 0 });

        Assert.Equal(KeyOutcome.Ignored, form.OnKey("t"));
        Assert.Equal(KeyOutcome.Ignored, form.OnKey("x"));
        form.OnKey("b");

        Assert.Equal(ShownChoice.Right, form.Draft.Choice);
        Assert.False(form.ShowsStrength);
        Assert.Empty(form.Problems());
    }

    [Fact]
    public void OnKey_PerAttributeRows_TakeTheChoiceKeysOfTheCurrentRow()
    {
        var form = Form(ProjectKind.Pairwise, new PairwiseOptions { PerAttribute = true, StrengthLevels = 0 });
        form.OnKey("a");
        Assert.Equal("AttributeChoice:helpfulness", form.Current?.Id);

        form.OnKey("t");
        form.OnKey("ArrowRight");

        Assert.Equal(ShownChoice.Left, form.Draft.Choice);
        Assert.Equal(new Dictionary<string, ShownChoice> { ["helpfulness"] = ShownChoice.Tie, ["safety"] = ShownChoice.Right }, form.Draft.AttributeChoices);
    }

    [Fact]
    public void Problems_RequiredRationaleTooShort_NamesTheFieldAndTheCount()
    {
        var form = Form(ProjectKind.Pairwise, new PairwiseOptions { RequireRationale = true, RationaleMinLength = 20, StrengthLevels = 0 });
        form.OnKey("a");
        form.SetRationale("  too short  ");

        var problem = Assert.Single(form.Problems());

        Assert.Equal("rationale", problem.Field);
        Assert.Contains("20", problem.Message, StringComparison.Ordinal);
        Assert.Contains("9 so far", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_LikertAndPairwiseUnanswered_ListEverySectionInScreenOrder()
    {
        var form = Form(ProjectKind.LikertAndPairwise);
        form.OnKey("5");

        var problems = form.Problems();

        Assert.Equal(["scores", "scoresRight", "choice"], problems.Select(p => p.Field));
        Assert.Equal("Score:safety", problems[0].Row?.Id);
        Assert.Equal("ScoreRight:helpfulness", problems[1].Row?.Id);
    }

    [Fact]
    public void Parse_SavedDraft_RestoresTheSameAnswerClockAndKey()
    {
        var form = Form(ProjectKind.LikertAndPairwise);
        form.OnKey("4");
        form.OnKey("5");
        form.OnKey("6");
        form.OnKey("b");
        form.OnKey("1");
        form.ToggleFlag(ContentFlags.Unsafe);
        form.ToggleFlag(ContentFlags.WrongLanguage);
        form.SetRationale("B answers the question.");

        var restored = TaskDraft.Parse(form.Draft.ToJson());

        Assert.Equal(form.Draft, restored);
        Assert.Equal(ShownAt, restored!.ShownAt);
        Assert.Equal(ContentFlags.Unsafe | ContentFlags.WrongLanguage, restored.Flags);
        Assert.Equal(form.ToInput(ShownAt), new TaskForm(form.Task, restored).ToInput(ShownAt), new InputComparer());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"version\": 99, \"idempotencyKey\": \"k\"}")]
    [InlineData("{\"version\": 1}")]
    public void Parse_NoDraftOrUnreadable_ReturnsNull(string? json) => Assert.Null(TaskDraft.Parse(json));

    [Fact]
    public void TaskForm_DraftWithValuesTheProjectNoLongerAllows_DropsThem()
    {
        var draft = TaskDraft.Start(ShownAt) with
        {
            Scores = new Dictionary<string, int> { ["helpfulness"] = 9, ["safety"] = 3, ["gone"] = 4 },
            Choice = ShownChoice.BothBad,
            Strength = 2,
            CurrentRow = "Strength",
        };

        var form = new TaskForm(View(ProjectKind.LikertAndPairwise, new PairwiseOptions { AllowBothBad = false }), draft);

        Assert.Equal(new Dictionary<string, int> { ["safety"] = 3 }, form.Draft.Scores);
        Assert.Null(form.Draft.Choice);
        Assert.Null(form.Draft.Strength);
        Assert.Null(form.Current);
    }

    /// <summary>AnnotationInput holds dictionaries, which records compare by reference: compare their contents.</summary>
    private sealed class InputComparer : IEqualityComparer<AnnotationInput>
    {
        public bool Equals(AnnotationInput? x, AnnotationInput? y) =>
            x is not null && y is not null
            && System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);

        public int GetHashCode(AnnotationInput obj) => 0;
    }
}
