using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// The import panel's choice of what a file's labels become: an admin imports an HH-RLHF file whose chosen sides are to be an
/// external rater's annotations, and finds that rater, marked external, on the project's quality page.
/// </summary>
public class ImportLabelsTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Harmless base (HH-RLHF)";

    // Anthropic/hh-rlhf lines: chosen and rejected transcripts; the second pair parts two turns before the end, as real ones do.
    private static readonly string[] HhLines =
    [
        Line("\n\nHuman: How do I boil an egg?\n\nAssistant: Simmer it for nine minutes.", "\n\nHuman: How do I boil an egg?\n\nAssistant: Microwave it."),
        Line("\n\nHuman: I'm locked out.\n\nAssistant: Call a locksmith.\n\nHuman: How much?\n\nAssistant: Usually 80 to 150 dollars.",
            "\n\nHuman: I'm locked out.\n\nAssistant: Break a window.\n\nHuman: Is that safe?\n\nAssistant: Not really."),
        Line("\n\nHuman: Name a prime.\n\nAssistant: 7.", "\n\nHuman: Name a prime.\n\nAssistant: 9."),
    ];

    private static string Line(string chosen, string rejected) => JsonSerializer.Serialize(new { chosen, rejected });

    [Fact]
    public async Task ProjectAdmin_ImportsAFileWithLabelsAsExternalRaters_SeesTheExternalRaterOnTheQualityPage()
    {
        var (org, projectId) = await new PortalDatabase(fixture.Portal.DatabasePath).CreateDemoProjectAsync(Project, kind: 2, settingsJson: """{"gold":{"rate":0}}""");
        var file = Path.Combine(Path.GetTempPath(), $"hh-rlhf-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, HhLines);
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await page.GotoAsync($"/orgs/{org}/projects/{projectId}");
            await Expect(page.GetByTestId("project-name")).ToHaveTextAsync(Project);
            await new Shell(page).WaitInteractiveAsync();

            // The file's labels: an external rater's annotations, named after the dataset.
            await page.GetByTestId("import-labels").ClickAsync();
            await page.Locator(".mud-popover-open").GetByText("Make them external raters' annotations", new() { Exact = true }).ClickAsync();
            // The dataset's name is asked only once the labels are to be kept.
            var source = page.GetByTestId("import-source");
            await source.FillAsync("Anthropic/hh-rlhf");
            await source.BlurAsync();
            await page.GetByTestId("import-panel").ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "import-labels.png") });

            await Browser.ChooseFileAsync(page, "import-file", file);
            var runs = page.GetByTestId("job-runs");
            await Expect(runs).ToContainTextAsync("Imported 3 item(s)", new() { Timeout = 30_000 });
            await Expect(runs).ToContainTextAsync("1 pair(s) whose sides parted before their last turn");
            await Expect(runs).ToContainTextAsync("the file's labels of 3 item(s) became annotations of 1 external rater(s)");

            // The quality page computes itself (annotations, never computed) and lists the rater as external, with no link to a member.
            await new ProjectNavigation(page).GoAsync("quality");
            await new Shell(page).WaitInteractiveAsync();
            var table = page.GetByTestId("annotator-quality");
            await Expect(table.GetByTestId("external-rater-name")).ToHaveTextAsync("External 1 · Anthropic/hh-rlhf", new() { Timeout = 30_000 });
            await Expect(table.GetByTestId("external-rater")).ToHaveTextAsync("external");
            await Expect(table.GetByTestId("annotator-link")).ToHaveCountAsync(0);
            await Expect(table.GetByRole(AriaRole.Row).Filter(new() { HasText = "External 1" })).ToContainTextAsync("3");
            await table.Locator("xpath=..").ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "quality-external-rater.png") });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "import-labels");
            throw;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
