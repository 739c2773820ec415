using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.App;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Hybrid;
using Portal.App.Features.Quality;
using Portal.Core.Aggregation;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// A project admin reads AI-versus-human agreement per category on the quality page, asks for suggested routes, applies
/// the one proposed, and finds it on the settings page's categories panel.
/// </summary>
public class HybridRoutingTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Hybrid routing (pairwise)";

    /// <summary>
    /// 24 items in three categories, each rated by one annotator who always picks the good answer, the curated labels
    /// computed, and AI labels that agree with them on chat 10 of 10, math 4 of 10, trivia 2 of 4.
    /// </summary>
    private async Task<(string OrgId, string ProjectId)> ProjectAsync()
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (_, projectId) = await database.CreateDemoProjectAsync(Project, kind: 2, overlap: 1, settingsJson: """{"gold":{"rate":0}}""");
        var plan = new (string Category, int Items, int AiRight)[] { ("chat", 10, 10), ("math", 10, 4), ("trivia", 4, 2) };
        foreach (var (category, items, _) in plan)
        {
            for (var i = 1; i <= items; i++)
            {
                await database.AddItemAsync(projectId, $"[{category}] Question {i}?", $"Good answer {i}.", $"Weak answer {i}.");
            }
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddPortal(new DatabaseOptions(DatabaseProvider.Sqlite, $"Data Source={fixture.Portal.DatabasePath}"));
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = factory.CreateSystem();
        var orgId = await db.Organisations.Where(o => o.Name == "Demo Organisation").Select(o => o.Id).SingleAsync();
        var project = Guid.Parse(projectId);
        var annotator = await db.Users.Where(u => u.Email == "annotator1@demo.local").Select(u => u.Id).SingleAsync();
        var tasks = new TaskService(factory, TimeProvider.System);
        while (await tasks.NextAsync(orgId, project, annotator) is { Status: NextTaskStatus.Assigned, Task: { } task })
        {
            var choice = task.Left.StartsWith("Good", StringComparison.Ordinal) ? ShownChoice.Left : ShownChoice.Right;
            await tasks.SubmitAsync(orgId, task.AssignmentId, annotator, new AnnotationInput(Guid.NewGuid().ToString(), Choice: choice, Strength: 2, TimeOnTaskMs: 6000));
        }

        await provider.GetRequiredService<QualityService>().RecomputeAsync(orgId, project);
        await using var ctx = factory.CreateForTenant(orgId);
        foreach (var (category, _, aiRight) in plan)
        {
            var items = await ctx.Items.Where(i => i.ProjectId == project && i.ConversationJson.Contains($"[{category}]")).OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToListAsync();
            for (var k = 0; k < items.Count; k++)
            {
                items[k].Category = category;
                ctx.AiLabels.Add(new AiLabel
                {
                    ProjectId = project,
                    ItemId = items[k].Id,
                    Choice = k < aiRight ? PreferenceChoice.A : PreferenceChoice.B,
                    Model = "demo-judge",
                    Origin = "llm",
                    CreatedAt = DateTime.UtcNow,
                });
            }
        }

        await ctx.SaveChangesAsync();
        await provider.GetRequiredService<HybridService>().SaveAsync(orgId, project,
            new CategoriesInput([new("chat", CategoryRoutes.Ai), new("math", CategoryRoutes.AiChecked), new("trivia", CategoryRoutes.Ai)], null));
        return (orgId.ToString(), projectId);
    }

    [Fact]
    public async Task SuggestRoutes_OnTheQualityPage_ProposesHumansForMath_AndTheSettingsPanelShowsItApplied()
    {
        var (orgId, projectId) = await ProjectAsync();
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await page.GotoAsync($"/orgs/{orgId}/projects/{projectId}/quality");
            await new Shell(page).WaitInteractiveAsync();
            var panel = page.GetByTestId("category-agreement");
            var math = panel.Locator("[data-testid=category-agreement-row][data-category=math]");
            await Expect(math.GetByTestId("category-agreement-value")).ToHaveTextAsync("40%", new() { Timeout = 30_000 });
            await Expect(panel.Locator("[data-testid=category-agreement-row][data-category=chat]").GetByTestId("category-agreement-value")).ToHaveTextAsync("100%");
            await Expect(panel.Locator("[data-testid=category-agreement-chart] svg").First).ToBeVisibleAsync();

            await panel.Locator("[data-testid=suggest-min-items] input, input[data-testid=suggest-min-items]").FillAsync("10");
            await panel.GetByTestId("suggest-routes").ClickAsync();
            var proposals = panel.Locator("[data-testid=suggestion-row][data-change=true]");
            await Expect(proposals).ToHaveCountAsync(1);
            await Expect(proposals.First).ToHaveAttributeAsync("data-category", "math");
            await Expect(proposals.First.GetByTestId("suggestion-reason")).ToContainTextAsync("Agreement 40% on 10 items is below the threshold 70%");
            await Expect(panel.Locator("[data-testid=suggestion-row][data-category=trivia]").GetByTestId("suggestion-reason")).ToContainTextAsync("needs at least 10");
            await panel.ScrollIntoViewIfNeededAsync();
            await panel.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "hybrid-suggest-routes.png") });

            await panel.GetByTestId("apply-routes").ClickAsync();
            await Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "goes to humans only now" })).ToBeVisibleAsync();

            await page.GotoAsync($"/orgs/{orgId}/projects/{projectId}/settings");
            await new Shell(page).WaitInteractiveAsync();
            var routes = page.GetByTestId("category-routes");
            await Expect(routes.Locator("[data-testid=category-row][data-category=math]").Locator("[data-testid=category-route] input, input[data-testid=category-route]")).ToHaveValueAsync("Humans only");
            await Expect(routes.Locator("[data-testid=category-row][data-category=chat]").Locator("[data-testid=category-route] input, input[data-testid=category-route]")).ToHaveValueAsync("AI");
            await routes.ScrollIntoViewIfNeededAsync();
            await routes.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "hybrid-routes.png") });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "hybrid-routing");
            throw;
        }
    }
}
