using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.App;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;
using Portal.Core.Rlthf;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// A project admin starts a targeted-feedback round on AI-labelled pairs, watches it plan, an annotator answers what it
/// sent, and the round page shows how many AI labels the humans overturned, round over round.
/// </summary>
public class RlthfRoundTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Targeted feedback (pairwise)";

    private static ServiceProvider Services(string databasePath)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddPortal(new DatabaseOptions(DatabaseProvider.Sqlite, $"Data Source={databasePath}"));
        return services.BuildServiceProvider();
    }

    /// <summary>120 synthetic pairs with AI labels, a quarter of them wrong; returns the org, the project and each item's better side.</summary>
    private async Task<(Guid OrgId, Guid ProjectId, Dictionary<Guid, PreferenceChoice> Truth)> LoopProjectAsync(IDbContextFactory<PortalDbContext> factory)
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (org, project) = await database.CreateDemoProjectAsync(Project, kind: 2, overlap: 1, settingsJson: """{"gold":{"rate":0},"pairwise":{"strengthLevels":0}}""");
        var (orgId, projectId) = (Guid.Parse(org), Guid.Parse(project));
        using var text = new StringWriter();
        SyntheticPairs.Write(text, 120, seed: 3);
        var random = new Random(3);
        var truth = new Dictionary<Guid, PreferenceChoice>();
        await using var db = factory.CreateForTenant(orgId);
        foreach (var pair in PreferencePairReader.Read(new StringReader(text.ToString())))
        {
            var swap = random.Next(2) == 1;
            var item = new Item
            {
                ProjectId = projectId,
                ExternalId = pair.ExternalId,
                ConversationJson = JsonSerializer.Serialize(pair.Conversation.Select(t => new { role = t.Role, content = t.Content })),
                ResponseA = swap ? pair.ResponseB : pair.ResponseA,
                ResponseB = swap ? pair.ResponseA : pair.ResponseB,
                CreatedAt = DateTime.UtcNow,
            };
            var better = swap ? PreferenceChoice.B : PreferenceChoice.A;
            var wrong = random.NextDouble() < 0.25;
            db.Items.Add(item);
            db.AiLabels.Add(new AiLabel
            {
                ProjectId = projectId,
                ItemId = item.Id,
                Choice = wrong ? (better == PreferenceChoice.A ? PreferenceChoice.B : PreferenceChoice.A) : better,
                Confidence = 0.7,
                Model = "synthetic-labeler",
                CreatedAt = DateTime.UtcNow,
            });
            truth[item.Id] = better;
        }

        await db.SaveChangesAsync();
        return (orgId, projectId, truth);
    }

    [Fact]
    public async Task Round_StartedFromThePage_PlansQueuesForHumansAndCountsTheirOverturns()
    {
        await using var services = Services(fixture.Portal.DatabasePath);
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var (orgId, projectId, truth) = await LoopProjectAsync(factory);
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await page.GotoAsync($"/orgs/{orgId}/projects/{projectId}/rlthf");
            await new Shell(page).WaitInteractiveAsync();
            await Expect(page.GetByTestId("loop-pairs")).ToHaveTextAsync("120");
            await Expect(page.GetByTestId("loop-ai")).ToHaveTextAsync("120");

            await page.GetByTestId("round-budget").FillAsync("12");
            await page.GetByTestId("start-round").ClickAsync();
            await Expect(page.GetByTestId("round-status")).ToHaveTextAsync("waiting for humans", new() { Timeout = 60_000 });
            await Expect(page.Locator("[data-testid=margin-curve] svg").First).ToBeVisibleAsync();
            await Expect(page.GetByTestId("curve-landmarks")).ToContainTextAsync("12 sent to humans");
            await Expect(page.GetByTestId("selected-items").Locator("tbody tr")).ToHaveCountAsync(12);
            await Expect(page.GetByTestId("cannot-start")).ToContainTextAsync("Round 1 is waiting for humans");

            // An annotator answers what the round sent (and nothing else is offered), with the truth.
            await using (var db = factory.CreateForTenant(orgId))
            {
                var annotator = await db.Users.Where(u => u.Email == "annotator1@demo.local").Select(u => u.Id).SingleAsync();
                var tasks = new TaskService(factory, TimeProvider.System);
                var answered = 0;
                while (await tasks.NextAsync(orgId, projectId, annotator) is { Status: NextTaskStatus.Assigned, Task: { } task })
                {
                    var itemId = await db.Assignments.Where(a => a.Id == task.AssignmentId).Select(a => a.ItemId).SingleAsync();
                    var responseA = await db.Items.Where(i => i.Id == itemId).Select(i => i.ResponseA).SingleAsync();
                    var leftIsA = task.Left == responseA;
                    var choice = (truth[itemId] == PreferenceChoice.A) == leftIsA ? ShownChoice.Left : ShownChoice.Right;
                    await tasks.SubmitAsync(orgId, task.AssignmentId, annotator, new AnnotationInput(Guid.NewGuid().ToString(), Choice: choice, TimeOnTaskMs: 4000));
                    answered++;
                }

                Assert.Equal(12, answered);
            }

            await page.GetByTestId("count-answers").ClickAsync();
            await Expect(page.GetByTestId("round-status")).ToHaveTextAsync("complete", new() { Timeout = 60_000 });
            await page.ReloadAsync();
            await new Shell(page).WaitInteractiveAsync();
            await Expect(page.GetByTestId("loop-human")).ToHaveTextAsync("12");
            await Expect(page.Locator("[data-testid=rounds-chart] svg").First).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=quality-chart] svg").First).ToBeVisibleAsync();
            await Expect(page.GetByTestId("selected-items")).ToContainTextAsync("overturned");
            await Expect(page.GetByTestId("rounds-table")).ToContainTextAsync("complete");
            // At 1280 px every column of the rounds table fits its paper, the last one too: nothing hides behind a scrollbar.
            Assert.Equal(0, await OverflowAsync(page.GetByTestId("rounds-table").Locator(".mud-table-container")));
            // The layout scrolls inside its body, so a tall viewport is what shows the whole page.
            await page.SetViewportSizeAsync(1280, 2300);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "rlthf-round.png"), FullPage = true });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>How many pixels of the element's content lie beyond its right edge.</summary>
    internal static Task<int> OverflowAsync(ILocator element) => element.EvaluateAsync<int>("e => Math.max(0, e.scrollWidth - e.clientWidth)");
}
