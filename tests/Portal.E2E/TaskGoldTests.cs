using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>A gold item in the annotator's stream: answered like any other, then its explanation; and the pause that gold can bring.</summary>
public class TaskGoldTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Gold check (pairwise)";
    private const string Email = "annotator1@demo.local";

    [Fact]
    public async Task GoldItem_AnsweredRight_ShowsTheExplanationThenTheNextTaskThenNothingLeftThenThePause()
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (_, projectId) = await database.CreateDemoProjectAsync(Project, kind: 2, settingsJson: """{"gold":{"rate":1}}""");
        await database.AddItemAsync(projectId, "What is the capital of France?", "Paris.", "Lyon.",
            goldJson: """{"choice":"a","explanation":"France's capital is **Paris**; Lyon is its third city."}""");
        await database.AddItemAsync(projectId, "Name a prime number.", "7", "8");
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync(Email, PortalFixture.DemoPassword);
            await new Shell(page).WaitInteractiveAsync();
            await new AnnotatorHomePage(page).StartAsync(Project);
            var task = new PairwiseTaskPage(page);

            // A gold rate of 1 serves the gold item first; the page shows it like any task.
            await task.WaitForTaskAsync(1);
            await Expect(task.Conversation).ToContainTextAsync("capital of France");
            await Expect(page.GetByTestId("gold-feedback")).ToHaveCountAsync(0);
            var parisOnTheLeft = (await task.Left.InnerTextAsync()).Contains("Paris", StringComparison.Ordinal);
            await task.PressAsync(parisOnTheLeft ? "ArrowLeft" : "ArrowRight");
            await task.PressAsync("3");
            await task.PressAsync("Enter");

            var feedback = page.GetByTestId("gold-feedback");
            await Expect(feedback).ToHaveAttributeAsync("data-correct", "true");
            await Expect(feedback).ToContainTextAsync("matched the expected one");
            await Expect(page.GetByTestId("gold-explanation").Locator("strong")).ToHaveTextAsync("Paris");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "task-gold-feedback.png") });
            await task.PressAsync("Enter");

            await task.WaitForTaskAsync(2);
            await Expect(task.Conversation).ToContainTextAsync("prime number");
            await task.PressAsync("t");
            await task.PressAsync("Enter");
            await Expect(page.GetByTestId("task-nothing-left")).ToBeVisibleAsync();
            // The gold item is counted on neither side: one ordinary item, rated.
            await Expect(task.DoneByMe).ToHaveAttributeAsync("data-count", "1");
            await Expect(task.DoneByMe).ToContainTextAsync("1 of 1 items of this project rated by you");

            await database.PauseAsync(Email, Project, "gold accuracy 40% after 5 gold items");
            await page.ReloadAsync();
            await Expect(page.GetByTestId("task-paused")).ToContainTextAsync("gold accuracy 40% after 5 gold items");
            await page.GotoAsync(new Uri(page.Url).AbsolutePath.Replace($"/projects/{projectId}/annotate", "/annotate", StringComparison.Ordinal));
            var row = page.GetByTestId("annotator-project").Filter(new() { HasText = Project });
            await Expect(row.GetByTestId("project-paused")).ToBeVisibleAsync();
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "task-gold");
            throw;
        }
    }
}
