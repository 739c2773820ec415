using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// A calibration round from opening to the annotators' feedback: the admin opens it on two items, three annotators
/// rate them, the admin explains and closes it, makes an item gold, and each annotator reads where they left the group.
/// </summary>
public class CalibrationTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Calibration flow (pairwise)";

    [Fact]
    public async Task Round_OpenedRatedExplainedAndClosed_EachAnnotatorSeesTheGroupAndWhereTheyDiffered()
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (org, projectId) = await database.CreateDemoProjectAsync(Project, kind: 2, settingsJson: """{"gold":{"rate":0},"pairwise":{"strengthLevels":0}}""");
        await database.AddItemAsync(projectId, "Which city is the capital of France?", "Paris.", "Lyon, a large city in the south-east.");
        await database.AddItemAsync(projectId, "Say hello politely.", "Hello, how can I help?", "What.");
        await database.AddItemAsync(projectId, "Not in the round.", "Yes.", "No.");
        var root = $"/orgs/{org}/projects/{projectId}";

        var admin = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        var pages = new List<IPage> { admin };
        try
        {
            await new LoginPage(admin).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await admin.GotoAsync(root + "/calibration");
            await new Shell(admin).WaitInteractiveAsync();
            await Expect(admin.GetByTestId("calibration-rounds")).ToContainTextAsync("No calibration round yet.");
            await admin.GetByTestId("calibration-new-title").FillAsync("Week 1: facts and tone");
            await admin.GetByTestId("calibration-item").Nth(0).ClickAsync();
            await admin.GetByTestId("calibration-item").Nth(1).ClickAsync();
            await admin.GetByTestId("calibration-open-submit").ClickAsync();
            await Expect(admin.GetByTestId("calibration-round")).ToHaveAttributeAsync("data-status", "open");
            await Expect(admin.GetByTestId("calibration-summary")).ToContainTextAsync("0 of 6 answers in");
            await Expect(admin.GetByTestId("calibration-item-report")).ToHaveCountAsync(2);

            // Ann One and Ann Two choose A on both; Ann Three chooses B on the first, with a reason.
            foreach (var (email, first) in new[] { ("annotator1@demo.local", "a"), ("annotator2@demo.local", "a"), ("annotator3@demo.local", "b") })
            {
                var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
                pages.Add(page);
                await new LoginPage(page).SignInAsync(email, PortalFixture.DemoPassword);
                if (first == "b")
                {
                    // The task page says that a round waits for her.
                    await page.GotoAsync(root + "/annotate");
                    await Expect(page.GetByTestId("task-calibration-waiting")).ToContainTextAsync("2 of 2 item(s) to rate");
                }

                await page.GotoAsync($"/orgs/{org}/annotate");
                var round = page.GetByTestId("my-calibration-round").Filter(new() { HasText = "Week 1: facts and tone" });
                await Expect(round).ToHaveAttributeAsync("data-status", "open");
                await round.GetByTestId("my-calibration-link").ClickAsync();
                await Expect(page.GetByTestId("calibration-take")).ToHaveAttributeAsync("data-status", "open");
                await new Shell(page).WaitInteractiveAsync();

                var items = page.GetByTestId("calibration-sheet-item");
                await items.Nth(0).GetByTestId($"c-choose-{first}").ClickAsync();
                if (first == "b")
                {
                    await items.Nth(0).GetByTestId("c-rationale").FillAsync("Lyon is described in more detail.");
                }

                await items.Nth(0).GetByTestId("c-save").ClickAsync();
                await Expect(items.Nth(0).GetByTestId("c-saved")).ToBeVisibleAsync();
                await items.Nth(1).GetByTestId("c-choose-a").ClickAsync();
                await items.Nth(1).GetByTestId("c-save").ClickAsync();
                await Expect(items.Nth(1).GetByTestId("c-saved")).ToBeVisibleAsync();
                await Expect(page.GetByTestId("calibration-feedback")).ToHaveCountAsync(0);
            }

            await admin.ReloadAsync();
            await new Shell(admin).WaitInteractiveAsync();
            await Expect(admin.GetByTestId("calibration-summary")).ToContainTextAsync("6 of 6 answers in");
            var firstItem = admin.GetByTestId("calibration-item-report").Nth(0);
            await Expect(firstItem.GetByTestId("calibration-item-consensus")).ToContainTextAsync("Consensus A better (A better 2, B better 1)");
            await Expect(firstItem.GetByTestId("calibration-answer").And(admin.Locator("[data-differed=true]"))).ToHaveCountAsync(1);
            await firstItem.GetByTestId("calibration-explanation").FillAsync("**Paris** is the capital; Lyon is not, however much detail it has.");
            await firstItem.GetByTestId("calibration-explanation-save").ClickAsync();
            await admin.GetByTestId("calibration-close").ClickAsync();
            await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Close the round" }).ClickAsync();
            await Expect(admin.GetByTestId("calibration-round")).ToHaveAttributeAsync("data-status", "closed");
            await Expect(admin.GetByTestId("calibration-annotator-differed").First).ToContainTextAsync("1 of 2 (50%)");
            await Expect(admin.GetByTestId("calibration-annotator-name").First).ToHaveTextAsync("Ann Three");
            await Expect(admin.GetByTestId("calibration-annotator-chart")).ToBeVisibleAsync();

            await firstItem.GetByTestId("calibration-promote").ClickAsync();
            await Expect(firstItem.GetByTestId("calibration-item-gold")).ToHaveTextAsync("Made gold from this round");
            await admin.SetViewportSizeAsync(1280, 2300);
            await admin.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "calibration-round.png"), FullPage = true });

            // The items page shows the promoted item as gold, with the explanation as its reason.
            await admin.GotoAsync(root + "/items");
            await Expect(admin.GetByText("capital of France").First).ToBeVisibleAsync();

            // Ann Three reads where she left the group, and why; Ann One reads Ann Three's reason without her name.
            var three = pages[3];
            await three.GotoAsync(root + "/calibration/1/feedback");
            await Expect(three.GetByTestId("calibration-take")).ToHaveAttributeAsync("data-status", "closed");
            await Expect(three.GetByTestId("calibration-feedback-summary")).ToContainTextAsync("left the group's consensus on 1");
            var differed = three.GetByTestId("calibration-sheet-item").Nth(0);
            await Expect(differed).ToHaveAttributeAsync("data-differed", "true");
            await Expect(differed.GetByTestId("calibration-differed")).ToContainTextAsync("the choice");
            await Expect(differed.GetByTestId("calibration-group")).ToContainTextAsync("A better 2, B better 1");
            await Expect(differed.GetByTestId("calibration-explanation-text").Locator("strong")).ToHaveTextAsync("Paris");
            await Expect(three.GetByTestId("calibration-sheet-item").Nth(1)).ToHaveAttributeAsync("data-differed", "false");
            await three.SetViewportSizeAsync(1280, 1600);
            await three.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "calibration-feedback.png"), FullPage = true });

            var one = pages[1];
            await one.GotoAsync($"/orgs/{org}/annotate");
            await one.GetByTestId("my-calibration-round").Filter(new() { HasText = "Week 1: facts and tone" }).GetByTestId("my-calibration-link").ClickAsync();
            await Expect(one.GetByTestId("calibration-feedback-summary")).ToContainTextAsync("left the group's consensus on 0");
            await Expect(one.GetByTestId("calibration-rationales")).ToContainTextAsync("Lyon is described in more detail.");
            await Expect(one.GetByTestId("calibration-take")).Not.ToContainTextAsync("Ann Three");
        }
        catch
        {
            for (var i = 0; i < pages.Count; i++)
            {
                await Browser.KeepEvidenceAsync(pages[i], $"calibration-{i}");
            }

            throw;
        }
    }
}
