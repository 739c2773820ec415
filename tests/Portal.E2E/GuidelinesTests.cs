using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// An admin publishes guidelines and a qualification test; the annotator reads, acknowledges, qualifies and works; a
/// major change stops them before their next task until they read it and qualify again.
/// </summary>
public class GuidelinesTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Guidelines flow (pairwise)";
    private const string Annotator = "annotator2@demo.local";

    [Fact]
    public async Task MajorChange_AnnotatorStoppedBeforeNextTask_ReadsAcknowledgesRequalifiesAndContinues()
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (org, projectId) = await database.CreateDemoProjectAsync(Project, kind: 2, settingsJson: """{"gold":{"rate":0},"pairwise":{"strengthLevels":0}}""");
        await database.AddItemAsync(projectId, "Which city is the capital of France?", "Paris.", "Lyon.",
            goldJson: """{"choice":"a","explanation":"France's capital is **Paris**."}""");
        foreach (var n in new[] { 1, 2, 3, 4 })
        {
            await database.AddItemAsync(projectId, $"Give me reason number {n}.", $"Reason {n}, explained.", $"Reason {n}.");
        }

        var root = $"/orgs/{org}/projects/{projectId}";
        var admin = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        var annotator = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(admin).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await admin.GotoAsync(root + "/qualification");
            await new Shell(admin).WaitInteractiveAsync();
            await admin.GetByTestId("qualification-item").First.ClickAsync();
            await admin.GetByTestId("qualification-save").ClickAsync();
            await Expect(admin.GetByTestId("qualification-state")).ToContainTextAsync("must pass 1 question");

            await PublishAsync(admin, root, "# Rating criteria\n\nPrefer the **correct** answer.\n\n# Edge cases\n\nBoth wrong: both bad.", "First version", major: false);
            await Expect(admin.GetByTestId("history-version")).ToHaveCountAsync(1);

            // The annotator is new: read and acknowledge, then qualify, then work.
            await new LoginPage(annotator).SignInAsync(Annotator, PortalFixture.DemoPassword);
            await annotator.GotoAsync(root + "/annotate");
            await new Shell(annotator).WaitInteractiveAsync();
            await Expect(annotator.GetByTestId("task-needs-acknowledgement")).ToContainTextAsync("Version 1");
            await ReadAcknowledgeAndQualifyAsync(annotator, version: 1);
            var task = new PairwiseTaskPage(annotator);
            await task.WaitForTaskAsync(1);
            await task.PressAsync("ArrowLeft");
            await task.PressAsync("Enter");
            await task.WaitForTaskAsync(2);

            // A major change, with markup that must not run.
            const string hostile = "# Rating criteria\n\nPrefer the **correct** and *sourced* answer.\n\n<script>window.__pwned = 1</script>\n\n"
                + "<iframe src=\"https://example.com\"></iframe>\n\n<img src=x onerror=\"window.__pwned = 2\">\n\n[click me](javascript:window.__pwned=3)\n\n# Edge cases\n\nBoth wrong: both bad.";
            await PublishAsync(admin, root, hostile, "Sources now count", major: true);
            await Expect(admin.GetByTestId("history-version")).ToHaveCountAsync(2);
            await Expect(admin.GetByTestId("guideline-diff")).ToContainTextAsync("+ Prefer the **correct** and *sourced* answer.");
            await Expect(admin.GetByTestId("guideline-diff")).ToContainTextAsync("- Prefer the **correct** answer.");
            await Expect(admin.GetByTestId("guideline-preview").Locator("script, iframe, img")).ToHaveCountAsync(0);
            await admin.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "guidelines.png"), FullPage = true });

            // The annotator holds task 2: it comes back so they can finish it, and the next request for work stops them.
            await annotator.ReloadAsync();
            await new Shell(annotator).WaitInteractiveAsync();
            await task.WaitForTaskAsync(1);
            await Expect(task.Conversation).ToContainTextAsync("reason number");
            await task.PressAsync("ArrowLeft");
            await task.PressAsync("Enter");
            await Expect(annotator.GetByTestId("task-needs-acknowledgement")).ToContainTextAsync("Version 2");
            await annotator.GetByTestId("read-and-acknowledge").ClickAsync();
            var document = annotator.GetByTestId("guidelines-read-document");
            await Expect(document).ToContainTextAsync("sourced");
            await Expect(document).ToContainTextAsync("<script>window.__pwned = 1</script>");
            await Expect(document.Locator("script, iframe, img")).ToHaveCountAsync(0);
            await Expect(document.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "click me" })).ToHaveAttributeAsync("href", "#");
            Assert.Null(await annotator.EvaluateAsync<int?>("() => window.__pwned ?? null"));
            await annotator.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "guidelines-acknowledge.png"), FullPage = true });
            await ReadAcknowledgeAndQualifyAsync(annotator, version: 2, alreadyOnReadPage: true);

            await task.WaitForTaskAsync(1);
            await Expect(annotator.GetByTestId("guidelines-panel")).ToHaveAttributeAsync("data-version", "2");
            await annotator.GetByTestId("guidelines-panel").Locator("summary").ClickAsync();
            await Expect(annotator.GetByTestId("guidelines-panel-document")).ToContainTextAsync("sourced");
            await annotator.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "guidelines-side-panel.png"), FullPage = true });
            await task.PressAsync("ArrowRight");
            await task.PressAsync("Enter");
            await task.WaitForTaskAsync(2);

            await admin.GotoAsync(root + "/qualification");
            await Expect(admin.GetByTestId("attempt-result")).ToHaveCountAsync(2);
            await Expect(admin.GetByTestId("qualification-grandfathered")).ToContainTextAsync("Guideline version 2");
            await Expect(admin.GetByTestId("qualification-gold-help")).ToContainTextAsync("not served as gold checks");
            await admin.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "qualification-admin.png"), FullPage = true });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(admin, "guidelines-admin");
            await Browser.KeepEvidenceAsync(annotator, "guidelines-annotator");
            throw;
        }
    }

    private static async Task PublishAsync(Microsoft.Playwright.IPage admin, string root, string markdown, string note, bool major)
    {
        await admin.GotoAsync(root + "/guidelines");
        await new Shell(admin).WaitInteractiveAsync();
        await admin.GetByTestId("guideline-markdown").FillAsync(markdown);
        await Expect(admin.GetByTestId("guideline-preview")).ToContainTextAsync("Edge cases");
        await admin.GetByTestId("guideline-note").FillAsync(note);
        await admin.GetByText(major ? "Major: qualify again" : "Minor: acknowledge only").ClickAsync();
        await admin.GetByTestId("guideline-publish").ClickAsync();
        if (major)
        {
            // A major version sends every annotator back to acknowledge and requalify: the page asks first.
            await admin.GetByRole(Microsoft.Playwright.AriaRole.Dialog).GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Publish and ask everyone to requalify" }).ClickAsync();
        }

        await Expect(admin.GetByTestId("history-note").First).ToHaveTextAsync(note);
    }

    private static async Task ReadAcknowledgeAndQualifyAsync(Microsoft.Playwright.IPage page, int version, bool alreadyOnReadPage = false)
    {
        if (!alreadyOnReadPage)
        {
            await page.GetByTestId("read-and-acknowledge").ClickAsync();
        }

        await Expect(page.GetByTestId("guidelines-read-title")).ToContainTextAsync($"version {version}");
        await new Shell(page).WaitInteractiveAsync();
        await page.GetByTestId("acknowledge").ClickAsync();
        await Expect(page.GetByTestId("qualification-needed")).ToBeVisibleAsync();
        await page.GetByTestId("take-test").ClickAsync();
        await Expect(page.GetByTestId("qualification-question")).ToHaveCountAsync(1);
        await new Shell(page).WaitInteractiveAsync();
        // Sides are shuffled per try: choose whichever side shows the right answer.
        var side = (await page.GetByTestId("q-left").InnerTextAsync()).Contains("Paris", StringComparison.Ordinal) ? "left" : "right";
        await page.GetByTestId($"q-choose-{side}").ClickAsync();
        await Expect(page.GetByTestId($"q-choose-{side}")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.GetByTestId("qualification-submit").ClickAsync();
        await Expect(page.GetByTestId("qualification-result")).ToHaveAttributeAsync("data-passed", "true");
        await page.GetByTestId("continue-tasks").ClickAsync();
        await Expect(page.GetByTestId("task-page")).ToBeVisibleAsync();
        await new Shell(page).WaitInteractiveAsync();
    }
}
