using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

public class ProjectAdminTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task ProjectAdmin_CreatesAProjectSetsItUpAndMarksAnItemGold_SeesItListedAsGold()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        var file = Path.Combine(Path.GetTempPath(), $"portal-e2e-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file,
        [
            "{\"id\": \"capital-1\", \"prompt\": \"What is the capital of Australia?\", \"response_a\": \"Sydney.\", \"response_b\": \"Canberra.\"}",
            "{\"id\": \"prime-1\", \"prompt\": \"Is 91 a prime number?\", \"response_a\": \"No: 91 = 7 × 13.\", \"response_b\": \"Yes, 91 is prime.\"}",
        ]);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await new Shell(page).WaitInteractiveAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).First.ClickAsync();

            // A new pairwise project, from the Projects page; the dialog leads to its overview, where items are imported.
            await page.GetByTestId("new-project").ClickAsync();
            var name = page.GetByTestId("new-project-name");
            await name.FillAsync("Fact checks (pairwise)");
            await name.BlurAsync();
            await page.GetByTestId("new-project-kind").GetByText("Pairwise", new() { Exact = true }).ClickAsync();
            await page.GetByTestId("create-project").ClickAsync();
            await Expect(page.GetByTestId("project-name")).ToHaveTextAsync("Fact checks (pairwise)");
            await Expect(page.GetByTestId("import-panel")).ToBeVisibleAsync();
            await new Shell(page).WaitInteractiveAsync();
            var nav = new ProjectNavigation(page);
            await nav.GoAsync("settings");
            await Expect(page.GetByTestId("settings-title")).ToHaveTextAsync("Settings of Fact checks (pairwise)");
            await new Shell(page).WaitInteractiveAsync();

            // Attributes: keep helpfulness and accuracy, add a custom one and move it up; a missing key is named and nothing saved.
            var settings = new ProjectSettingsPage(page);
            for (var i = 6; i >= 2; i--)
            {
                await settings.RemoveAttributeAsync(i);
            }

            await page.GetByTestId("add-custom-attribute").ClickAsync();
            await settings.FillAsync("attr-name-2", "Sources");
            await settings.FillAsync("attr-description-2", "Names where the facts come from.");
            await settings.SaveAsync();
            await Expect(settings.Problems).ToContainTextAsync("Attribute 3, key");
            await Expect(settings.Attribute(2).GetByTestId("problem-settings.attributes[2].key")).ToBeVisibleAsync();

            await settings.FillAsync("attr-key-2", "sources");
            await page.GetByTestId("attr-up-2").ClickAsync();

            // Pairwise options: no tie, plain A/B, per-attribute choices, a rationale of at least 15 characters.
            await settings.Field("allow-tie").ClickAsync();
            await settings.ChooseStrengthAsync("Plain A/B");
            await settings.Field("per-attribute").ClickAsync();
            await settings.Field("require-rationale").ClickAsync();
            var minLength = settings.Field("rationale-min-length");
            await minLength.FillAsync("15");
            await minLength.BlurAsync();
            await settings.SaveAsync();
            await settings.ExpectSavedAsync();
            await Expect(settings.Problems).ToHaveCountAsync(0);
            await ScreenshotWholeAsync(page, "project-settings.png");

            // What was saved is what the page shows after a reload.
            await page.ReloadAsync();
            await new Shell(page).WaitInteractiveAsync();
            await Expect(page.GetByTestId("attr-key-0")).ToHaveValueAsync("helpfulness");
            await Expect(page.GetByTestId("attr-key-1")).ToHaveValueAsync("sources");
            await Expect(page.GetByTestId("attr-key-2")).ToHaveValueAsync("accuracy");
            await Expect(page.GetByTestId("attribute-3")).ToHaveCountAsync(0);
            await Expect(settings.Field("rationale-min-length")).ToHaveValueAsync("15");

            // Two items in, from the project's overview.
            await nav.GoAsync("overview");
            await Expect(page.GetByTestId("project-name")).ToHaveTextAsync("Fact checks (pairwise)");
            await new Shell(page).WaitInteractiveAsync();
            await Browser.ChooseFileAsync(page, "import-file", file);
            await Expect(page.GetByTestId("job-runs")).ToContainTextAsync("Imported 2 item(s).", new() { Timeout = 30_000 });

            // The items page: mark the capital question gold (B is right); tie is not offered since the project allows none.
            await nav.GoAsync("items");
            await new Shell(page).WaitInteractiveAsync();
            var items = new ProjectItemsPage(page);
            await Expect(items.Grid.Locator("tbody tr")).ToHaveCountAsync(2);
            await items.Row("capital-1").GetByTestId("mark-gold").ClickAsync();
            await Expect(page.GetByTestId("gold-choice")).Not.ToContainTextAsync("Tie");
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await items.MarkGoldAsync("capital-1", "B is better", "Canberra has been the capital since 1913; Sydney is the largest city.");

            await Expect(items.Row("capital-1").GetByTestId("gold-badge")).ToBeVisibleAsync();
            await Expect(items.Row("capital-1").GetByTestId("gold-expected")).ToContainTextAsync("B is better");
            await Expect(items.Row("prime-1").GetByTestId("gold-badge")).ToHaveCountAsync(0);
            await items.ShowGoldOnlyAsync();
            await Expect(items.Grid.Locator("tbody tr")).ToHaveCountAsync(1);
            await Expect(items.Grid).ToContainTextAsync("capital-1");
            await Expect(page.GetByTestId("gold-count")).ToHaveTextAsync("1 gold");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "project-items.png") });

            // The item page: the conversation, both responses and the gold answer, from the grid's link.
            await items.Row("capital-1").GetByTestId("item-external-id").ClickAsync();
            await Expect(page.GetByTestId("item-title")).ToHaveTextAsync("Item capital-1");
            await Expect(page.GetByTestId("item-conversation")).ToContainTextAsync("What is the capital of Australia?");
            await Expect(page.GetByTestId("item-response-b")).ToContainTextAsync("Canberra.");
            await Expect(page.GetByTestId("item-gold-expected")).ToHaveTextAsync("B is better");
            await ScreenshotWholeAsync(page, "item-page.png");
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "project-admin");
            throw;
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ProjectNav_OnAPhoneInTheDarkTheme_KeepsEveryGroupAndMenuOnTheScreen()
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (orgId, projectId) = await database.CreateDemoProjectAsync("Nav on a phone (pairwise)", kind: 2);
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await page.SetViewportSizeAsync(390, 844);
            await page.GotoAsync($"/orgs/{orgId}/projects/{projectId}");
            await new Shell(page).WaitInteractiveAsync();
            await page.GetByTestId("theme-toggle").ClickAsync();
            await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Light theme");

            // Five groups wrap onto lines of their own; none runs off a 390 px screen, and the page does not scroll sideways.
            foreach (var group in new[] { "setup", "running", "ai", "delivering", "deployment" })
            {
                var box = await page.GetByTestId($"project-nav-group-{group}").BoundingBoxAsync();
                Assert.NotNull(box);
                Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"{group}: {box.X} + {box.Width} is beyond 390 px");
            }

            Assert.Equal(0, await page.EvaluateAsync<int>("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"));
            await page.GetByTestId("project-nav-group-deployment").GetByRole(AriaRole.Button).ClickAsync();
            var entry = page.GetByTestId("project-nav-feedback");
            await Expect(entry).ToBeVisibleAsync();
            var entryBox = await entry.BoundingBoxAsync();
            Assert.NotNull(entryBox);
            Assert.True(entryBox.X >= 0 && entryBox.X + entryBox.Width <= 390, $"the menu entry: {entryBox.X} + {entryBox.Width} is beyond 390 px");
            // The theme clicked right after the page came up stays: the stored preference read at start does not undo it.
            await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Light theme");
            Assert.Equal("dark", await page.EvaluateAsync<string>("() => { const c = getComputedStyle(document.body).backgroundColor; const n = c.match(/[\\d.]+/g).map(Number); return n.length > 3 && n[3] === 0 ? 'transparent' : (n[0] + n[1] + n[2] < 200 ? 'dark' : c); }"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "project-nav-phone-dark.png") });
            // A click beside the menu closes it.
            await page.Mouse.ClickAsync(380, 830);
            await Expect(entry).ToBeHiddenAsync();
            await page.GetByTestId("theme-toggle").ClickAsync();
            await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Dark theme");
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "project-nav-phone");
            throw;
        }
    }

    /// <summary>The page scrolls inside the layout, not the document: a tall window shows all of it.</summary>
    private static async Task ScreenshotWholeAsync(IPage page, string name)
    {
        var height = await page.EvaluateAsync<int>("() => Math.max(...[...document.querySelectorAll('.mud-main-content, .portal-page, body')].map(e => e.scrollHeight)) + 60");
        await page.SetViewportSizeAsync(1280, Math.Min(height, 4000));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, name) });
        await page.SetViewportSizeAsync(1280, 860);
    }
}
