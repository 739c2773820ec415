using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// A project admin mints a feedback token on the Deployment feedback page; a "deployed assistant" posts a week of events of two
/// model versions with it to the running portal; the page shows them, and the token is refused on any other endpoint.
/// </summary>
public class DeploymentFeedbackTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Support assistant (pairwise)";

    [Fact]
    public async Task FeedbackPage_MintTokenAndPostAWeekOfEvents_ShowsVolumeSatisfactionAndCategories()
    {
        var database = new PortalDatabase(fixture.Portal.DatabasePath);
        var (orgId, projectId) = await database.CreateDemoProjectAsync(Project, kind: 2);
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await page.GotoAsync($"/orgs/{orgId}/projects/{projectId}/feedback");
            await new Shell(page).WaitInteractiveAsync();
            await Expect(page.GetByTestId("feedback-empty")).ToBeVisibleAsync();

            await page.GetByTestId("feedback-mint").ClickAsync();
            var token = (await page.GetByTestId("feedback-minted-token").TextContentAsync())!.Trim();
            Assert.StartsWith("ptl_", token, StringComparison.Ordinal);

            using var assistant = new HttpClient { BaseAddress = new Uri(fixture.Portal.BaseUrl) };
            assistant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var posted = await assistant.PostAsJsonAsync($"/api/v1/orgs/{orgId}/projects/{projectId}/feedback", new { events = Week() });
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await assistant.GetAsync($"/api/v1/orgs/{orgId}/projects")).StatusCode);

            await page.ReloadAsync();
            await new Shell(page).WaitInteractiveAsync();
            await Expect(page.GetByTestId("feedback-model-row")).ToHaveCountAsync(2);
            await Expect(page.GetByTestId("feedback-categories")).ToContainTextAsync("late-delivery");
            await Expect(page.GetByTestId("feedback-pii")).ToContainTextAsync("7 pieces");
            await Expect(page.GetByTestId("feedback-token-row")).ToHaveCountAsync(1);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "deployment-feedback.png"), FullPage = true });
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "failure-deployment-feedback.png"), FullPage = true });
            throw;
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    /// <summary>Seven days of feedback: the older model gets worse reviews; one event a day leaves an e-mail address behind.</summary>
    private static List<object> Week()
    {
        var events = new List<object>();
        var random = new Random(7);
        string[] categories = ["late-delivery", "wrong-steps", "tone", "late-delivery"];
        for (var day = 6; day >= 0; day--)
        {
            // An hour before now on each of seven days: 09:00 today was in the future before 09:00 UTC, and the API rightly refused it.
            var at = DateTime.UtcNow.AddHours(-1).AddDays(-day);
            foreach (var (model, goodShare) in new[] { ("assistant-2026-11", 0.55), ("assistant-2026-12", 0.8) })
            {
                for (var n = 0; n < 6 + random.Next(5); n++)
                {
                    var id = $"{model}-{day}-{n}";
                    var good = random.NextDouble() < goodShare;
                    object[] conversation = [new { role = "user", content = n == 0 && model.EndsWith("12", StringComparison.Ordinal) ? "Mail me at sam@example.org" : $"Where is order {day}{n}?" }];
                    events.Add((n % 3) switch
                    {
                        0 => new { id, kind = "thumbs", conversation, response = $"It ships soon ({id}).", thumb = good ? "up" : "down", modelVersion = model, timestamp = at.AddMinutes(n), category = good ? null : categories[random.Next(categories.Length)] },
                        1 => (object)new { id, kind = "rating", conversation, response = $"Tracking says Monday ({id}).", rating = good ? 6 : 2, modelVersion = model, timestamp = at.AddMinutes(n), category = good ? null : categories[random.Next(categories.Length)] },
                        _ => new { id, kind = "pick", conversation, responseA = "It ships soon.", responseB = $"Tracking {id} says Monday.", choice = good ? "B" : "A", modelVersion = model, timestamp = at.AddMinutes(n) },
                    });
                }
            }
        }

        return events;
    }
}
