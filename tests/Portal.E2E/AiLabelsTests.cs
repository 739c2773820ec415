using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.App;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>A project admin uploads an AI label file on the AI labels page, sees the labels beside the humans', and the AI-vs-humans chart on the quality page.</summary>
public class AiLabelsTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "AI label check (pairwise)";

    [Fact]
    public async Task AiLabelsPage_UploadFile_ShowsTheTableAndTheQualityPageComparesWithHumans()
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (orgId, projectId) = await database.CreateDemoProjectAsync(Project, kind: 2, overlap: 3, settingsJson: """{"gold":{"rate":0}}""");
        for (var i = 1; i <= 8; i++)
        {
            await database.AddItemAsync(projectId, $"Question {i}?", $"Good answer {i}.", $"Weak answer {i}.");
        }

        // The three demo annotators all pick the good answer (response A), so every curated label is A.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddPortal(new DatabaseOptions(DatabaseProvider.Sqlite, $"Data Source={fixture.Portal.DatabasePath}"));
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var items = new List<(Guid Id, string A)>();
        await using (var db = factory.CreateSystem())
        {
            var annotators = await db.Users.Where(u => u.Email!.StartsWith("annotator")).OrderBy(u => u.Email).Select(u => u.Id).ToListAsync();
            var tasks = new TaskService(factory, TimeProvider.System);
            foreach (var annotator in annotators)
            {
                while (await tasks.NextAsync(Guid.Parse(orgId), Guid.Parse(projectId), annotator) is { Status: NextTaskStatus.Assigned, Task: { } task })
                {
                    var choice = task.Left.StartsWith("Good", StringComparison.Ordinal) ? ShownChoice.Left : ShownChoice.Right;
                    await tasks.SubmitAsync(Guid.Parse(orgId), task.AssignmentId, annotator, new AnnotationInput(Guid.NewGuid().ToString(), Choice: choice, Strength: 2, TimeOnTaskMs: 6000));
                }
            }

            items = [.. (await db.Items.IgnoreQueryFilters().Where(i => i.ProjectId == Guid.Parse(projectId)).Select(i => new { i.Id, i.ResponseA }).ToListAsync())
                .Select(i => (i.Id, i.ResponseA)).OrderBy(i => i.ResponseA, StringComparer.Ordinal)];
        }

        // The AI gets six of eight right; two are wrong (B).
        var file = Path.Combine(Path.GetTempPath(), $"ai-labels-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, items.Select((item, n) =>
            $$"""{"item": "{{item.Id}}", "choice": "{{(n < 6 ? "A" : "B")}}", "confidence": 0.{{80 + n}}, "model": "e2e-judge", "rationale": "Reason {{n + 1}}."}"""));

        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await page.GotoAsync($"/orgs/{orgId}/projects/{projectId}/ai-labels");
            await new Shell(page).WaitInteractiveAsync();
            await Expect(page.GetByTestId("ai-labels-title")).ToContainTextAsync(Project);

            await Browser.ChooseFileAsync(page, "ai-labels-file", file);

            await Expect(page.GetByTestId("job-runs")).ToContainTextAsync("8 added, 0 replaced", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("ai-label-model")).ToHaveCountAsync(8);
            await Expect(page.GetByTestId("ai-labels")).ToContainTextAsync("e2e-judge");
            await Expect(page.GetByTestId("ai-labels")).ToContainTextAsync("Reason 7.");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "ai-labels-table.png"), FullPage = true });

            await new ProjectNavigation(page).GoAsync("quality");
            await new Shell(page).WaitInteractiveAsync();
            await page.GetByTestId("recompute").ClickAsync();

            await Expect(page.GetByTestId("ai-vs-humans-overall")).ToContainTextAsync("On 8 item(s) with both, the AI agrees with the human curated label on 75%", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("ai-confusion-0-0")).ToHaveTextAsync("6");
            await Expect(page.GetByTestId("ai-confusion-1-0")).ToHaveTextAsync("2");
            await Expect(page.Locator("[data-testid=ai-vs-humans-chart] svg").First).ToBeVisibleAsync();
            await page.GetByTestId("ai-vs-humans").ScrollIntoViewIfNeededAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "ai-labels.png"), FullPage = true });

            // Back on the AI labels page, the human curated label stands beside each AI label.
            await new ProjectNavigation(page).GoAsync("ai-labels");
            await Expect(page.GetByTestId("ai-labels").GetByText("differs")).ToHaveCountAsync(2);
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "ai-labels");
            throw;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
