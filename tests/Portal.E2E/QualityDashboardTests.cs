using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.App;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>A project admin opens the quality dashboard of a project that annotators have worked on; it computes itself and shows its charts.</summary>
public class QualityDashboardTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Quality check (pairwise)";

    /// <summary>
    /// The three demo annotators answer every item through the assignment engine, on the running portal's database:
    /// two agree on every item, the third contradicts them.
    /// </summary>
    private async Task<string> AnnotatedProjectAsync()
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (_, projectId) = await database.CreateDemoProjectAsync(Project, kind: 2, overlap: 3, settingsJson: """{"gold":{"rate":0}}""");
        for (var i = 1; i <= 8; i++)
        {
            await database.AddItemAsync(projectId, $"Question {i}?", $"Good answer {i}.", $"Weak answer {i}.");
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddPortal(new DatabaseOptions(DatabaseProvider.Sqlite, $"Data Source={fixture.Portal.DatabasePath}"));
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = factory.CreateSystem();
        var orgId = await db.Organisations.Where(o => o.Name == "Demo Organisation").Select(o => o.Id).SingleAsync();
        var annotators = await db.Users.Where(u => u.Email!.StartsWith("annotator")).OrderBy(u => u.Email).Select(u => u.Id).ToListAsync();
        var tasks = new TaskService(factory, TimeProvider.System);
        foreach (var annotator in annotators)
        {
            while (await tasks.NextAsync(orgId, Guid.Parse(projectId), annotator) is { Status: NextTaskStatus.Assigned, Task: { } task })
            {
                var goodOnLeft = task.Left.StartsWith("Good", StringComparison.Ordinal);
                var wantGood = annotator != annotators[^1];
                var choice = goodOnLeft == wantGood ? ShownChoice.Left : ShownChoice.Right;
                await tasks.SubmitAsync(orgId, task.AssignmentId, annotator, new AnnotationInput(Guid.NewGuid().ToString(), Choice: choice, Strength: 2, TimeOnTaskMs: 6000));
            }
        }

        return $"/orgs/{orgId}/projects/{projectId}/quality";
    }

    [Fact]
    public async Task QualityDashboard_OpenedWithAnnotationsNeverComputed_ComputesAndShowsAlphaChartsHeatMapAndTheFlaggedAnnotator()
    {
        var path = await AnnotatedProjectAsync();
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await page.GotoAsync(path);
            await new Shell(page).WaitInteractiveAsync();
            // Annotations exist but nothing was computed: the page starts the recompute itself and shows the numbers when it ends.
            await Expect(page.GetByTestId("computed-at")).ToContainTextAsync("over 24 annotations on 8 items", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("dimension-choice")).ToContainTextAsync("α =");
            await Expect(page.GetByTestId("dimension-strength")).ToBeVisibleAsync();
            // One week of annotations is one point, not a trend: the chart says what will appear instead.
            await Expect(page.GetByTestId("weekly-chart-empty")).ToContainTextAsync("span two weeks");
            await Expect(page.Locator("[data-testid=consensus-chart] svg").First).ToBeVisibleAsync();
            await Expect(page.GetByTestId("kappa-heatmap").Locator("tbody tr")).ToHaveCountAsync(3);

            // The contrarian: agreement with the others 0% of 8 items, flagged, and an admin can pause them from here.
            var flagged = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ann Three" });
            await Expect(flagged.GetByTestId("quality-flag").First).ToContainTextAsync("agrees with the others on 0%");
            await Expect(page.GetByTestId("guideline-version").Locator("input")).ToHaveValueAsync("All versions (stored report)");
            // At 1280 px the annotators' table fits its paper, flags and the pause button included: nothing hides behind a scrollbar.
            Assert.Equal(0, await RlthfRoundTests.OverflowAsync(page.GetByTestId("annotator-quality").Locator(".mud-table-container")));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "quality.png"), FullPage = true });
            await page.GetByTestId("theme-toggle").ClickAsync();
            await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Light theme");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "quality-dark.png"), FullPage = true });
            await page.GetByTestId("theme-toggle").ClickAsync();
            await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Dark theme");
            await flagged.GetByTestId("pause-annotator").ClickAsync();
            await Expect(flagged.GetByTestId("paused-now")).ToBeVisibleAsync();
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "quality");
            throw;
        }
    }
}
