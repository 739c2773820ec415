using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>An admin keeps the progress page open while annotators work through the API: the page follows.</summary>
public class ProgressTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string PairwiseProject = "Chatbot A/B (pairwise)";

    /// <summary>Signs an annotator in and answers <paramref name="tasks"/> tasks (skipping the last when asked) with their session's cookie.</summary>
    private async Task AnnotateAsync(string email, string org, string projectId, int tasks, bool skipLast = false)
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        await new LoginPage(page).SignInAsync(email, PortalFixture.DemoPassword);
        for (var i = 0; i < tasks; i++)
        {
            var next = await JsonAsync(await page.APIRequest.GetAsync($"/api/v1/orgs/{org}/projects/{projectId}/tasks/next"));
            Assert.Equal("Assigned", next.GetProperty("status").GetString());
            var assignment = next.GetProperty("task").GetProperty("assignmentId").GetString();
            var response = skipLast && i == tasks - 1
                ? await page.APIRequest.PostAsync($"/api/v1/orgs/{org}/assignments/{assignment}/skip",
                    new() { DataObject = new { reason = "The second response is cut off", flags = "Broken" } })
                : await page.APIRequest.PostAsync($"/api/v1/orgs/{org}/assignments/{assignment}/annotation", new()
                {
                    DataObject = new { choice = i % 2 == 0 ? "Left" : "Right", strength = 1 + (i % 3), rationale = "Answers the question more completely.", timeOnTaskMs = 9000 + (2000 * i) },
                    Headers = new Dictionary<string, string> { ["Idempotency-Key"] = $"{email}-{i}" },
                });
            Assert.True(response.Ok, $"{response.Status} {await response.TextAsync()}");
        }

        await page.Context.CloseAsync();
    }

    private static async Task<JsonElement> JsonAsync(IAPIResponse response)
    {
        Assert.True(response.Ok, $"{response.Status} {await response.TextAsync()}");
        return (await response.JsonAsync())!.Value;
    }

    [Fact]
    public async Task ProjectAdmin_KeepsProgressOpen_SeesAnnotatorsWorkOnTheTimerAndOnRefresh()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            var org = (await JsonAsync(await page.APIRequest.GetAsync("/api/v1/me"))).GetProperty("organisations")[0].GetProperty("id").GetString()!;
            var projects = await JsonAsync(await page.APIRequest.GetAsync($"/api/v1/orgs/{org}/projects"));
            var projectId = projects.EnumerateArray().First(p => p.GetProperty("name").GetString() == PairwiseProject).GetProperty("id").GetString()!;

            await page.GotoAsync($"/orgs/{org}/projects/{projectId}/progress");
            await new Shell(page).WaitInteractiveAsync();
            await Expect(page.GetByTestId("project-name")).ToHaveTextAsync(PairwiseProject);
            await Expect(page.GetByTestId("progress-annotations")).ToHaveTextAsync("0");
            await Expect(page.GetByTestId("progress-untouched")).Not.ToHaveTextAsync("0");

            // The page refreshes itself every 10 seconds while it is open.
            await AnnotateAsync("annotator1@demo.local", org, projectId, tasks: 4);
            await Expect(page.GetByTestId("progress-annotations")).ToHaveTextAsync("4", new() { Timeout = 25_000 });
            // Up to 4: a gold item among them (the demo mixes some in) counts as an annotation, not as an item in progress.
            await Expect(page.GetByTestId("progress-in-progress")).Not.ToHaveTextAsync("0");

            // The Refresh button does it at once.
            await AnnotateAsync("annotator2@demo.local", org, projectId, tasks: 4, skipLast: true);
            await AnnotateAsync("annotator3@demo.local", org, projectId, tasks: 2);
            await page.GetByTestId("progress-refresh").ClickAsync();
            await Expect(page.GetByTestId("progress-annotations")).ToHaveTextAsync("9", new() { Timeout = 5_000 });
            await Expect(page.GetByTestId("progress-skips")).ToHaveTextAsync("1");
            await Expect(page.GetByTestId("progress-flag-broken")).ToHaveTextAsync("1");
            await Expect(page.GetByTestId("progress-skip-reasons")).ToContainTextAsync("The second response is cut off: 1");
            await Expect(page.GetByTestId("progress-annotators")).ToContainTextAsync("Ann Two");
            foreach (var chart in new[] { "progress-state-chart", "progress-daily-chart", "progress-median-chart" })
            {
                await Expect(page.Locator($"[data-testid={chart}] svg").First).ToBeVisibleAsync();
            }

            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "progress.png"), FullPage = true });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "progress");
            throw;
        }
    }
}
