using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// An annotator works through tasks of the demo projects with the keyboard. The tests share one demo database, so
/// each uses its own annotator and none takes another's tasks.
/// </summary>
public class TaskKeyboardTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Likert = "Assistant helpfulness (Likert)";
    private const string Pairwise = "Chatbot A/B (pairwise)";

    private PortalDatabase Database => new(fixture.Portal.DatabasePath);

    [Fact]
    public async Task LikertTask_RatedAndSubmittedWithTheKeyboardOnly_StoresTheAnnotationAndShowsTheNextTaskInPlace()
    {
        const string email = "annotator1@demo.local";
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await SignInAndStartAsync(page, email, Likert);
            var task = new LikertTaskPage(page);
            await task.WaitForTaskAsync(1);
            await Expect(task.Legend).ToContainTextAsync("Enter");
            await Expect(task.DoneByMe).ToHaveAttributeAsync("data-count", "0");
            await task.MarkWindowAsync();
            var keys = await task.AttributeKeysAsync();
            Assert.True(keys.Count >= 3, $"expected the project's attributes as rows, got {keys.Count}");

            // One key per row: each digit rates the current row and moves to the next.
            var values = keys.Select((_, i) => 1 + ((i * 3 + 4) % 7)).ToArray();
            foreach (var value in values)
            {
                await task.PressAsync(value.ToString(CultureInfo.InvariantCulture));
            }

            for (var i = 0; i < keys.Count; i++)
            {
                await task.ExpectRatedAsync(keys[i], values[i]);
            }

            await ScreenshotAsync(page, "task-likert.png");
            await task.PressAsync("Enter");

            await task.WaitForTaskAsync(2);
            // Gold items are counted on neither side of "N of M": the count is the ordinary items answered.
            await Expect(task.DoneByMe).ToHaveAttributeAsync("data-count",
                (await Database.CountedAnnotationsOfAsync(email, Likert)).ToString(CultureInfo.InvariantCulture));
            Assert.True(await task.WindowStillMarkedAsync(), "the next task came with a page load");
            await Expect(task.Rows.First).ToHaveAttributeAsync("data-value", "");
            var stored = Assert.Single(await Database.AnnotationsOfAsync(email, Likert));
            var scores = JsonSerializer.Deserialize<Dictionary<string, int>>(stored.ScoresJson!)!;
            Assert.Equal(keys.Zip(values).ToDictionary(kv => kv.First, kv => kv.Second), scores);
            Assert.True(stored.TimeOnTaskMs > 0, "the time on task was not recorded");
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "task-likert");
            throw;
        }
    }

    [Fact]
    public async Task PairwiseTask_ChosenWithStrengthAndSubmittedWithTheKeyboardOnly_StoresTheChoiceInTheItemsTerms()
    {
        const string email = "annotator2@demo.local";
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await SignInAndStartAsync(page, email, Pairwise);
            var task = new PairwiseTaskPage(page);
            await task.WaitForTaskAsync(1);
            await Expect(task.Left).ToBeVisibleAsync();
            await Expect(task.Right).ToBeVisibleAsync();
            await Expect(task.StrengthRow).ToHaveCountAsync(0);
            await task.MarkWindowAsync();

            // B on screen is better, clearly (2 of 3).
            await task.PressAsync("ArrowRight");
            await Expect(task.ChoiceRow).ToHaveAttributeAsync("data-value", "Right");
            await Expect(task.ChoiceRow.GetByTestId("choose-right")).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(task.StrengthRow).ToBeVisibleAsync();
            await task.PressAsync("2");
            await Expect(task.StrengthRow).ToHaveAttributeAsync("data-value", "2");
            await ScreenshotAsync(page, "task-pairwise.png");

            // ? lists every key over the page and ? or Esc closes it; the answer is untouched.
            await task.PressAsync("?");
            await Expect(page.GetByTestId("keys-overlay")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("keys-overlay")).ToContainTextAsync("both bad");
            await task.PressAsync("Escape");
            await Expect(page.GetByTestId("keys-overlay")).ToBeHiddenAsync();
            await Expect(task.StrengthRow).ToHaveAttributeAsync("data-value", "2");
            await task.PressAsync("Enter");

            await task.WaitForTaskAsync(2);
            Assert.True(await task.WindowStillMarkedAsync(), "the next task came with a page load");
            await Expect(task.ChoiceRow).ToHaveAttributeAsync("data-value", "");
            await Expect(task.DoneByMe).ToHaveAttributeAsync("data-count",
                (await Database.CountedAnnotationsOfAsync(email, Pairwise)).ToString(CultureInfo.InvariantCulture));
            var stored = Assert.Single(await Database.AnnotationsOfAsync(email, Pairwise));
            // The right-hand response is the item's B when A was shown on the left, else its A (PreferenceChoice A = 0, B = 1).
            Assert.Equal(stored.LeftIsA ? 1 : 0, stored.Choice);
            Assert.Equal(2, stored.Strength);

            // The next one the other way, with the letter keys: A (left) slightly better.
            await task.PressAsync("a");
            await task.PressAsync("1");
            await Expect(task.StrengthRow).ToHaveAttributeAsync("data-value", "1");
            await task.PressAsync("Enter");
            await task.WaitForTaskAsync(3);
            var second = (await Database.AnnotationsOfAsync(email, Pairwise))[1];
            Assert.Equal(second.LeftIsA ? 0 : 1, second.Choice);
            Assert.Equal(1, second.Strength);

            // The third is flagged broken and skipped; the reason is typed with letters and digits that are shortcuts elsewhere.
            await task.PressAsync("f");
            await task.PressAsync("2");
            await Expect(page.GetByTestId("flag-broken")).ToHaveAttributeAsync("aria-pressed", "true");
            await task.PressAsync("Escape");
            await task.PressAsync("s");
            await Expect(page.GetByTestId("skip-reason")).ToBeFocusedAsync();
            await page.Keyboard.TypeAsync("both answers cut off at 3 words, a b t x f s");
            await Expect(page.GetByTestId("skip-reason")).ToHaveValueAsync("both answers cut off at 3 words, a b t x f s");
            await Expect(task.ChoiceRow).ToHaveAttributeAsync("data-value", "");
            await task.PressAsync("Enter");
            await task.WaitForTaskAsync(4);
            var skip = Assert.Single(await Database.SkipsOfAsync(email, Pairwise));
            Assert.Equal(("both answers cut off at 3 words, a b t x f s", 2), skip);
            Assert.Equal(2, (await Database.AnnotationsOfAsync(email, Pairwise)).Count);

            // On a narrow screen the two responses stack, A above B. A resize re-lays the page out and MudBlazor re-renders on
            // its breakpoint listener after it, so each layout check waits for the page to settle instead of reading it once.
            await page.SetViewportSizeAsync(700, 900);
            await Browser.WaitForLayoutAsync(page, "B below A", "rect('response-right').top >= rect('response-left').bottom",
                "`A ${rect('response-left').top}+${rect('response-left').height}, B ${rect('response-right').top}`");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "task-pairwise-narrow.png") });

            // A phone: nothing wider than the screen, and the submit and choice buttons within reach of a thumb.
            await task.PressAsync("ArrowLeft");
            await task.PressAsync("3");
            await Expect(task.StrengthRow).ToHaveAttributeAsync("data-value", "3");
            await task.WaitDraftSavedAsync();
            await page.SetViewportSizeAsync(390, 844);
            await Browser.WaitForLayoutAsync(page, "a 390 px phone fits the page, with 40 px high buttons",
                "document.documentElement.scrollWidth <= window.innerWidth && rect('submit').height >= 40 && rect('submit').left >= 0 "
                + "&& rect('submit').right <= 390 && rect('choice-row', 'choose-left').height >= 40",
                "`page ${document.documentElement.scrollWidth} wide, submit at ${rect('submit').left}..${rect('submit').right}, "
                + "${rect('submit').height} high, choice ${rect('choice-row', 'choose-left').height} high`");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "task-pairwise-phone.png") });

            // The dark theme, on a laptop screen: long responses scroll inside their panels, the choice stays on screen.
            await page.SetViewportSizeAsync(1366, 768);
            await page.GetByTestId("theme-toggle").ClickAsync();
            await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Light theme");
            await page.Mouse.MoveAsync(600, 700);
            await Expect(task.ChoiceRow).ToBeVisibleAsync();
            await Browser.WaitForLayoutAsync(page, "the choice row on a 768 px high screen", "rect('choice-row').bottom <= 768",
                "`the choice row ends at ${rect('choice-row').bottom}`");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "task-pairwise-dark.png") });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "task-pairwise");
            throw;
        }
    }

    [Fact]
    public async Task LikertTask_ReloadedMidTask_ComesBackWithTheSameRatingsCommentAndStartTime()
    {
        const string email = "annotator3@demo.local";
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await SignInAndStartAsync(page, email, Likert);
            var task = new LikertTaskPage(page);
            await task.WaitForTaskAsync(1);
            var keys = await task.AttributeKeysAsync();
            var response = await task.Response.InnerTextAsync();
            await task.PressAsync("6");
            await task.PressAsync("2");
            await task.Comment.FillAsync("Second paragraph is off-topic.");
            await task.ExpectRatedAsync(keys[1], 2);
            await task.WaitDraftSavedAsync();
            var before = await Database.LiveDraftWhenAsync(email, Likert,
                d => d.TryGetProperty("comment", out var c) && c.GetString() == "Second paragraph is off-topic.");

            await task.MarkWindowAsync();
            await page.ReloadAsync();
            await new Shell(page).WaitInteractiveAsync();
            await task.WaitForTaskAsync(1);
            Assert.False(await task.WindowStillMarkedAsync(), "the page did not reload");

            Assert.Equal(response, await task.Response.InnerTextAsync());
            await task.ExpectRatedAsync(keys[0], 6);
            await task.ExpectRatedAsync(keys[1], 2);
            await Expect(task.Row(keys[2])).ToHaveAttributeAsync("data-value", "");
            await Expect(task.Row(keys[2])).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("is-current"));
            await Expect(task.Comment).ToHaveValueAsync("Second paragraph is off-topic.");

            // The keyboard carries on at the first unrated row, and the submit keeps the first showing's clock and key.
            foreach (var _ in keys.Skip(2))
            {
                await task.PressAsync("4");
            }

            await task.ExpectRatedAsync(keys[^1], 4);
            await task.WaitDraftSavedAsync();
            var after = JsonDocument.Parse((await Database.LiveDraftOfAsync(email, Likert))!).RootElement;
            Assert.Equal(before.GetProperty("shownAt").GetString(), after.GetProperty("shownAt").GetString());
            await task.PressAsync("Enter");
            await task.WaitForTaskAsync(2);
            var stored = Assert.Single(await Database.AnnotationsOfAsync(email, Likert));
            Assert.Equal(before.GetProperty("idempotencyKey").GetString(), stored.IdempotencyKey);
            var scores = JsonSerializer.Deserialize<Dictionary<string, int>>(stored.ScoresJson!)!;
            Assert.Equal(6, scores[keys[0]]);
            Assert.Equal(2, scores[keys[1]]);
            Assert.Equal(4, scores[keys[2]]);
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "task-reload");
            throw;
        }
    }

    /// <summary>The whole task: the layout scrolls inside its body, so the window is made tall enough first.</summary>
    internal static async Task ScreenshotAsync(IPage page, string name)
    {
        var size = page.ViewportSize!;
        await page.SetViewportSizeAsync(size.Width, 1700);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, name) });
        await page.SetViewportSizeAsync(size.Width, size.Height);
    }

    private static async Task SignInAndStartAsync(IPage page, string email, string project)
    {
        await new LoginPage(page).SignInAsync(email, PortalFixture.DemoPassword);
        await Expect(page.GetByTestId("home-annotator")).ToBeVisibleAsync();
        await new Shell(page).WaitInteractiveAsync();
        await new AnnotatorHomePage(page).StartAsync(project);
    }
}
