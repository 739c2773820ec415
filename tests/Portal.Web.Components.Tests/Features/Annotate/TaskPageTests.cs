using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

/// <summary>
/// The task page over a real database: the keys the browser's annotate.js hands to <see cref="TaskPage.OnKey"/>, the
/// clicks, and what is stored. Real key presses in a browser are the Playwright tests' part.
/// </summary>
public class TaskPageTests : PortalComponentTest
{
    private static readonly AttributeDefinition[] TwoAttributes =
    [
        new("helpfulness", "Helpfulness", "Does what was asked.", 1, 5),
        new("accuracy", "Accuracy", "No false statements.", 1, 5),
    ];

    private TestDatabase _db = default!;
    private TestTenant _tenant = default!;
    private Project _project = default!;

    private Guid Me => _tenant.Members[OrgRoles.Annotator].Id;

    private async Task<IRenderedComponent<TaskPage>> OpenAsync(ProjectKind kind, int items = 3, PairwiseOptions? pairwise = null, GoldOptions? gold = null,
        PreferenceChoice? goldFirstItem = null, string? responseTurnsAJson = null)
    {
        _db = await UseDatabaseAsync();
        _tenant = await _db.CreateTestTenantAsync("Acme");
        var settings = ProjectSettings.Default with
        {
            Attributes = TwoAttributes,
            Pairwise = pairwise ?? new PairwiseOptions(),
            Gold = gold ?? new GoldOptions { Rate = 0 },
        };
        _project = await _db.CreateTaskProjectAsync(_tenant.Organisation.Id, kind, items, overlap: 1, settings: settings, name: "Sample project");
        if (goldFirstItem is { } expected)
        {
            await MarkGoldAsync(expected);
        }

        if (responseTurnsAJson is not null)
        {
            await using var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id);
            await ctx.Items.Where(i => i.ProjectId == _project.Id).ExecuteUpdateAsync(x => x.SetProperty(i => i.ResponseTurnsAJson, responseTurnsAJson));
        }

        SignIn("annotator", Me);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return Render();
    }

    private IRenderedComponent<TaskPage> Render()
    {
        var cut = Render<TaskPage>(p => p.Add(x => x.OrgId, _tenant.Organisation.Id).Add(x => x.ProjectId, _project.Id));
        cut.WaitForState(() => cut.FindAll("[data-testid=task], [data-testid^=task-nothing], [data-testid=task-paused]").Count > 0);
        return cut;
    }

    [Fact]
    public async Task Task_TextNestedAHundredThousandLevels_ShownAsEscapedTextInsteadOfNothing()
    {
        _db = await UseDatabaseAsync();
        _tenant = await _db.CreateTestTenantAsync("Acme");
        _project = await _db.CreateTaskProjectAsync(_tenant.Organisation.Id, ProjectKind.Likert, items: 1, overlap: 1,
            settings: ProjectSettings.Default with { Attributes = TwoAttributes, Gold = new GoldOptions { Rate = 0 } }, name: "Sample project");
        var hostile = new string('>', 100_000) + " the end <b>not bold</b>";
        await using (var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id))
        {
            var conversation = System.Text.Json.JsonSerializer.Serialize(new[] { new { role = "user", content = hostile } });
            await ctx.Items.Where(i => i.ProjectId == _project.Id)
                .ExecuteUpdateAsync(x => x.SetProperty(i => i.ResponseA, hostile).SetProperty(i => i.ConversationJson, conversation));
        }

        SignIn("annotator", Me);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var cut = Render();

        var response = cut.Find("[data-testid=response]");
        Assert.Equal("markdown-as-text", response.QuerySelector("pre")!.ClassName);
        Assert.EndsWith("the end <b>not bold</b>", response.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Empty(response.QuerySelectorAll("b"));
        Assert.NotEmpty(cut.FindAll("[data-testid=task]"));
    }

    private static Task Key(IRenderedComponent<TaskPage> cut, string key) => cut.InvokeAsync(() => cut.Instance.OnKey(key));

    private async Task<List<Annotation>> AnnotationsAsync()
    {
        await using var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id);
        return await ctx.Annotations.Where(a => a.ProjectId == _project.Id).ToListAsync();
    }

    private async Task MarkGoldAsync(PreferenceChoice expected)
    {
        await using var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id);
        await ctx.Items.Where(i => i.ProjectId == _project.Id && i.ExternalId == "item-001").ExecuteUpdateAsync(x => x
            .SetProperty(i => i.IsGold, true)
            .SetProperty(i => i.Gold, new GoldAnswer { Choice = expected, Explanation = "Response A answers it." }));
    }

    [Fact]
    public async Task PairwiseTask_ResponseOfSeveralTurns_ShowsItsTurnsOnItsSide()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise, items: 1,
            responseTurnsAJson: """[{"role":"assistant","content":"Call a locksmith."},{"role":"user","content":"Thanks."},{"role":"assistant","content":"You're welcome."}]""");

        var turns = cut.FindAll("[data-testid=response-left] [data-testid=turn], [data-testid=response-right] [data-testid=turn]");
        Assert.Equal(["assistant", "user", "assistant"], turns.Select(t => t.GetAttribute("data-role")));
        Assert.Equal("Call a locksmith.", turns[0].QuerySelector(".chat-bubble")!.TextContent.Trim());
        Assert.Equal("You're welcome.", turns[2].QuerySelector(".chat-bubble")!.TextContent.Trim());
        // The other side is one plain response, and the conversation above stays one list of its own.
        Assert.Single(cut.FindAll("[data-testid=conversation]"));
        Assert.Equal(1, cut.FindAll("[data-testid=response-left], [data-testid=response-right]").Count(e => e.GetAttribute("data-turns") is null));
    }

    [Fact]
    public async Task DigitKeys_OnALikertTask_RateEachRowInTurn()
    {
        var cut = await OpenAsync(ProjectKind.Likert);

        await Key(cut, "4");
        await Key(cut, "2");

        var rows = cut.FindAll("[data-testid=rating-row]");
        Assert.Equal(["4", "2"], rows.Select(r => r.GetAttribute("data-value")));
        Assert.Equal("true", rows[0].QuerySelector("[data-testid=rate-4]")!.GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task ArrowKeys_MoveTheRowTheDigitsRate()
    {
        var cut = await OpenAsync(ProjectKind.Likert);

        await Key(cut, "ArrowDown");
        await Key(cut, "5");
        await Key(cut, "ArrowUp");
        await Key(cut, "ArrowUp");
        await Key(cut, "1");

        Assert.Equal(["1", "5"], cut.FindAll("[data-testid=rating-row]").Select(r => r.GetAttribute("data-value")));
    }

    [Fact]
    public async Task Enter_WithEveryRowRated_StoresTheAnnotationAndShowsTheNextTaskInPlaceWithTheProgress()
    {
        var cut = await OpenAsync(ProjectKind.Likert);
        Assert.Contains("0 of 3 items of this project rated by you", cut.Find("[data-testid=done-by-me]").TextContent, StringComparison.Ordinal);

        await Key(cut, "4");
        await Key(cut, "2");
        await Key(cut, "Enter");

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=task]").GetAttribute("data-task-seq")));
        var stored = Assert.Single(await AnnotationsAsync());
        Assert.Equal(new Dictionary<string, int> { ["helpfulness"] = 4, ["accuracy"] = 2 }, stored.Scores);
        Assert.Contains("1 of 3 items of this project rated by you", cut.Find("[data-testid=done-by-me]").TextContent, StringComparison.Ordinal);
        Assert.Equal(["", ""], cut.FindAll("[data-testid=rating-row]").Select(r => r.GetAttribute("data-value")));
    }

    [Fact]
    public async Task Enter_WithARowMissing_SaysWhatIsMissingAndStoresNothing()
    {
        var cut = await OpenAsync(ProjectKind.Likert);

        await Key(cut, "4");
        await Key(cut, "Enter");

        Assert.Equal("Rate Accuracy.", cut.Find("[data-testid=error-scores]").TextContent);
        Assert.Empty(await AnnotationsAsync());
        Assert.Equal("1", cut.Find("[data-testid=task]").GetAttribute("data-task-seq"));
    }

    [Fact]
    public async Task ArrowRightThenDigit_OnAPairwiseTask_ChoosesBWithItsStrengthAndStoresItInTheItemsTerms()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise);
        Assert.Empty(cut.FindAll("[data-testid=strength-row]"));

        await Key(cut, "ArrowRight");
        await Key(cut, "2");

        Assert.Equal("Right", cut.Find("[data-testid=choice-row]").GetAttribute("data-value"));
        Assert.Equal("2", cut.Find("[data-testid=strength-row]").GetAttribute("data-value"));
        await Key(cut, "Enter");
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=task]").GetAttribute("data-task-seq")));
        var stored = Assert.Single(await AnnotationsAsync());
        Assert.Equal(stored.LeftIsA ? PreferenceChoice.B : PreferenceChoice.A, stored.Choice);
        Assert.Equal(2, stored.Strength);
    }

    [Theory]
    [InlineData("a", "Left")]
    [InlineData("b", "Right")]
    [InlineData("ArrowLeft", "Left")]
    [InlineData("t", "Tie")]
    [InlineData("x", "BothBad")]
    public async Task ChoiceKeys_OnAPairwiseTask_Choose(string key, string shown)
    {
        var cut = await OpenAsync(ProjectKind.Pairwise);

        await Key(cut, key);

        Assert.Equal(shown, cut.Find("[data-testid=choice-row]").GetAttribute("data-value"));
    }

    [Fact]
    public async Task TieKey_WhenTheProjectAllowsNoTie_DoesNothing()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise, pairwise: new PairwiseOptions { AllowTie = false });

        await Key(cut, "t");

        Assert.Equal("", cut.Find("[data-testid=choice-row]").GetAttribute("data-value"));
        Assert.Empty(cut.FindAll("[data-testid=choose-tie]"));
    }

    [Fact]
    public async Task SKey_OpensTheSkipBox_AndASkipWithoutAReasonIsRefusedUnderTheBox()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise);

        await Key(cut, "s");
        Assert.Single(cut.FindAll("[data-testid=skip-box]"));
        await Key(cut, "Enter");

        Assert.Contains("Say why you skip this task.", cut.Find("[data-testid=skip-box]").TextContent, StringComparison.Ordinal);
        Assert.Equal("1", cut.Find("[data-testid=task]").GetAttribute("data-task-seq"));
    }

    [Fact]
    public async Task Skip_WithAReason_StoresTheSkipAndShowsTheNextTask()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise);

        await Key(cut, "s");
        cut.Find("input[data-testid=skip-reason]").Input("cannot judge this topic");
        cut.Find("[data-testid=confirm-skip]").Click();

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=task]").GetAttribute("data-task-seq")));
        await using var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id);
        var skipped = await ctx.Assignments.SingleAsync(a => a.ProjectId == _project.Id && a.Status == AssignmentStatus.Skipped);
        Assert.Equal("cannot judge this topic", skipped.SkipReason);
        Assert.Empty(await AnnotationsAsync());
    }

    [Fact]
    public async Task FKeyThenDigit_FlagsTheContent_AndTheSubmitCarriesTheFlag()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise);

        await Key(cut, "f");
        await Key(cut, "2");
        Assert.Equal("true", cut.Find("[data-testid=flag-broken]").GetAttribute("aria-pressed"));
        await Key(cut, "Escape");
        await Key(cut, "a");
        await Key(cut, "1");
        await Key(cut, "Enter");

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=task]").GetAttribute("data-task-seq")));
        await using var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id);
        Assert.Equal(ContentFlags.Broken, (await ctx.Assignments.SingleAsync(a => a.Status == AssignmentStatus.Submitted)).Flags);
    }

    [Fact]
    public async Task QuestionMark_OpensTheListOfKeys_AndEscClosesItWithoutTouchingTheAnswer()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise);
        await Key(cut, "a");

        await Key(cut, "?");
        Assert.Contains("Keyboard shortcuts", cut.Find("[data-testid=keys-overlay]").TextContent, StringComparison.Ordinal);
        await Key(cut, "b");
        await Key(cut, "Escape");

        Assert.Empty(cut.FindAll("[data-testid=keys-overlay]"));
        Assert.Equal("Left", cut.Find("[data-testid=choice-row]").GetAttribute("data-value"));
        await Key(cut, "?");
        await Key(cut, "?");
        Assert.Empty(cut.FindAll("[data-testid=keys-overlay]"));
    }

    [Fact]
    public async Task Draft_AfterARating_IsSavedWithTheLeaseAndComesBackOnANewPage()
    {
        var cut = await OpenAsync(ProjectKind.Likert);

        await Key(cut, "3");
        cut.WaitForAssertion(() => Assert.Equal("Saved", cut.Find("[data-testid=draft-state]").GetAttribute("data-state")));
        await using (var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id))
        {
            var draft = (await ctx.Assignments.SingleAsync(a => a.Status == AssignmentStatus.Leased)).DraftJson;
            Assert.Contains("\"helpfulness\":3", draft, StringComparison.Ordinal);
        }

        var again = Render();
        Assert.Equal(["3", ""], again.FindAll("[data-testid=rating-row]").Select(r => r.GetAttribute("data-value")));
        Assert.Contains("is-current", again.FindAll("[data-testid=rating-row]")[1].ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GoldItem_AnsweredRight_SaysItMatched_AndCountsNeitherAsDoneNorAsLeft()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise, items: 2, gold: new GoldOptions { Rate = 1, MinAnswers = 10 }, goldFirstItem: PreferenceChoice.A);
        var leftIsA = cut.Find("[data-testid=response-left]").TextContent.Contains("Answer A", StringComparison.Ordinal);

        await Key(cut, leftIsA ? "a" : "b");
        await Key(cut, "3");
        await Key(cut, "Enter");

        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=gold-feedback]").GetAttribute("data-correct")));
        Assert.Contains("Response A answers it.", cut.Find("[data-testid=gold-explanation]").TextContent, StringComparison.Ordinal);
        Assert.Equal("0", cut.Find("[data-testid=done-by-me]").GetAttribute("data-count"));
        Assert.Equal("1", cut.Find("[data-testid=done-by-me]").GetAttribute("data-total"));
        await Key(cut, "Enter");
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=task]").GetAttribute("data-task-seq")));
    }

    [Fact]
    public async Task GoldItem_AnsweredWrong_SaysWhatWasExpectedInTheSidesShown()
    {
        var cut = await OpenAsync(ProjectKind.Pairwise, items: 2, gold: new GoldOptions { Rate = 1, MinAnswers = 10 }, goldFirstItem: PreferenceChoice.A);
        var leftIsA = cut.Find("[data-testid=response-left]").TextContent.Contains("Answer A", StringComparison.Ordinal);

        await Key(cut, leftIsA ? "b" : "a");
        await Key(cut, "1");
        await Key(cut, "Enter");

        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=gold-feedback]").GetAttribute("data-correct")));
        Assert.Equal($"Expected: {(leftIsA ? "A" : "B")} is better", cut.Find("[data-testid=gold-expected]").TextContent.Trim());
    }

    [Fact]
    public async Task Gate_PausedAnnotator_SeesWhyAndNoTask()
    {
        var cut = await OpenAsync(ProjectKind.Likert);
        await using (var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id))
        {
            var standing = await ctx.ProjectAnnotators.SingleAsync(s => s.ProjectId == _project.Id && s.AnnotatorId == Me);
            standing.PausedAt = DateTime.UtcNow;
            standing.PauseReason = "gold accuracy 40%";
            await ctx.SaveChangesAsync();
        }

        cut = Render();

        Assert.Contains("You are paused in this project: gold accuracy 40%.", cut.Find("[data-testid=task-paused]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=task]"));
    }

    [Fact]
    public async Task Gate_NothingLeft_SaysSoWithTheWayBack()
    {
        var cut = await OpenAsync(ProjectKind.Likert, items: 1);
        await Key(cut, "4");
        await Key(cut, "4");
        await Key(cut, "Enter");

        cut.WaitForAssertion(() => Assert.Contains("Nothing in this project needs you right now", cut.Find("[data-testid=task-nothing-left]").TextContent, StringComparison.Ordinal));
        Assert.Equal($"/orgs/{_tenant.Organisation.Id}/annotate", cut.Find("[data-testid=task-nothing-left] a").GetAttribute("href"));
        Assert.Contains("1 of 1 items", cut.Find("[data-testid=done-by-me]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rationale_TooShortOnSubmit_ShowsItsErrorUnderThePlainFieldUntilTyped()
    {
        // A plain textarea with a MudTextField's classes (MudMarkupTests), not the five components a MudTextField is.
        var cut = await OpenAsync(ProjectKind.Pairwise, pairwise: new PairwiseOptions { RequireRationale = true, RationaleMinLength = 10 });
        Assert.Empty(cut.FindComponents<MudBlazor.MudTextField<string>>());
        var field = cut.Find("textarea[data-testid=rationale]");
        Assert.Equal("Rationale (required, at least 10 characters)", cut.Find($"label[for={field.Id}]").TextContent);
        Assert.Equal("false", field.GetAttribute("aria-invalid"));
        Assert.DoesNotContain("mud-shrink", cut.Find(".task-section .mud-input").ClassList);

        await cut.InvokeAsync(() => cut.Find("textarea[data-testid=rationale]").Input("Shorter"));
        Assert.Equal("7 / 10", cut.Find("[data-testid=rationale-count]").TextContent.Trim());
        Assert.Contains("mud-shrink", cut.Find(".task-section .mud-input").ClassList);
        await cut.InvokeAsync(() => cut.Find("[data-testid=submit]").Click());

        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("textarea[data-testid=rationale]").GetAttribute("aria-invalid")));
        var error = cut.Find($"#{field.Id}-error");
        Assert.Equal("Write a rationale of at least 10 characters (7 so far).", error.TextContent);
        Assert.Equal(error.Id, cut.Find("textarea[data-testid=rationale]").GetAttribute("aria-describedby"));
        Assert.Contains("mud-input-error", cut.Find(".task-section .mud-input-control").ClassList);
        Assert.Equal("Shorter", cut.Find("textarea[data-testid=rationale]").GetAttribute("value"));

        await cut.InvokeAsync(() => cut.Find("textarea[data-testid=rationale]").Input("Shorter and clearer."));
        Assert.Empty(cut.FindAll($"#{field.Id}-error"));
        Assert.Equal("false", cut.Find("textarea[data-testid=rationale]").GetAttribute("aria-invalid"));
    }

    [Fact]
    public async Task PairwiseTask_StaticButtonsAndIcons_ArePlainElementsThatStillAct()
    {
        // Hundreds of annotators keep this page open: every MudBlazor button is two or three live components in their
        // circuit, a plain element with the same classes none (README, "Server memory per annotator page").
        var cut = await OpenAsync(ProjectKind.Pairwise);

        Assert.Empty(cut.FindComponents<MudBlazor.MudButton>());
        Assert.Empty(cut.FindComponents<MudBlazor.MudIconButton>());
        Assert.Empty(cut.FindComponents<MudBlazor.MudIcon>());
        Assert.Empty(cut.FindComponents<MudBlazor.MudBreadcrumbs>());
        Assert.Empty(cut.FindComponents<TaskKeysOverlay>());
        var left = cut.Find("[data-testid=choose-left]");
        Assert.Contains("mud-button-outlined", left.ClassList);
        Assert.Equal("false", left.GetAttribute("aria-pressed"));

        await cut.InvokeAsync(() => cut.Find("[data-testid=choose-left]").Click());
        await cut.InvokeAsync(() => cut.Find("[data-testid=submit]").Click());

        cut.WaitForAssertion(() => Assert.Equal("Say how much better, 1 to 3.", cut.Find("[data-testid=error-strength]").TextContent));
        Assert.Equal("Left", cut.Find("[data-testid=choice-row]").GetAttribute("data-value"));
        Assert.Contains("mud-button-filled-primary", cut.Find("[data-testid=choose-left]").ClassList);
        Assert.Equal("true", cut.Find("[data-testid=choose-left]").GetAttribute("aria-pressed"));
    }
}
