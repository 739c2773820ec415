using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// Stored XSS through imported items: prompts and responses carrying script and HTML payloads reach the annotator's
/// page as text, and none of them runs.
/// </summary>
public class TaskXssTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "XSS probe (pairwise)";

    private static readonly string[] Payloads =
    [
        "<script>window.__xss=1</script>",
        "<img src=x onerror=\"window.__xss=1\">",
        "[link](javascript:window.__xss=1)",
        "<iframe src=\"javascript:window.__xss=1\"></iframe>",
        "<svg onload=\"window.__xss=1\"></svg>",
    ];

    private static async Task<string> WaitForRunAsync(IPage page, string runUrl)
    {
        var status = "";
        for (var i = 0; i < 150 && status is not ("Succeeded" or "Failed"); i++)
        {
            await Task.Delay(200);
            var run = await page.APIRequest.GetAsync(runUrl);
            status = (await run.JsonAsync())?.GetProperty("status").GetString() ?? "";
        }

        return status;
    }

    /// <summary>Each payload in a paragraph of its own, so Markdown treats every one the same way wherever it sits.</summary>
    private static string Carrying(string label) => label + "\n\n" + string.Join("\n\n", Payloads);

    [Fact]
    public async Task ImportedItemWithScriptPayloads_OpenedByAnAnnotator_ShowsThemAsTextAndRunsNone()
    {
        var (orgId, projectId) = await new PortalDatabase(fixture.Portal.DatabasePath).CreateDemoProjectAsync(Project, kind: 2);
        var line = JsonSerializer.Serialize(new
        {
            id = "xss-1",
            prompt = new[]
            {
                new { role = "system", content = Carrying("System turn.") },
                new { role = "user", content = Carrying("User turn.") },
            },
            response_a = Carrying("Response A."),
            response_b = Carrying("Response B."),
        });
        var admin = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        var annotator = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            // The admin imports the file through the API (signed in: the page's cookie), as scripts and the upload do.
            await new LoginPage(admin).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            var post = await admin.APIRequest.PostAsync($"/api/v1/orgs/{orgId}/projects/{projectId}/items?fileName=xss.jsonl", new()
            {
                DataString = line + "\n",
                Headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-ndjson" },
            });
            Assert.Equal(202, post.Status);
            Assert.Equal("Succeeded", await WaitForRunAsync(admin, post.Headers["location"]));
            await admin.GotoAsync($"/orgs/{orgId}/projects/{projectId}");
            await Expect(admin.GetByTestId("project-items")).ToHaveTextAsync("1");

            await new LoginPage(annotator).SignInAsync("annotator1@demo.local", PortalFixture.DemoPassword);
            await new Shell(annotator).WaitInteractiveAsync();
            await new AnnotatorHomePage(annotator).StartAsync(Project);
            var task = new PairwiseTaskPage(annotator);
            await task.WaitForTaskAsync(1);

            // Every payload is on screen as the characters that were imported, in each turn and both responses.
            foreach (var part in new[] { task.Conversation, task.Left, task.Right })
            {
                foreach (var payload in Payloads.Where(p => !p.StartsWith('[')))
                {
                    await Expect(part).ToContainTextAsync(payload);
                }

                await Expect(part.GetByRole(AriaRole.Link, new() { Name = "link" }).First).ToHaveAttributeAsync("href", "#");
            }

            await Expect(task.Conversation).ToContainTextAsync("System turn.");
            await Expect(task.Conversation).ToContainTextAsync("User turn.");
            await TaskKeyboardTests.ScreenshotAsync(annotator, "task-xss.png");

            Assert.Equal("undefined", await annotator.EvaluateAsync<string>("() => typeof window.__xss"));
            var found = await annotator.EvaluateAsync<string[]>("""
                () => {
                  const found = [];
                  for (const part of document.querySelectorAll('[data-testid=conversation], [data-testid^=response-]')) {
                    for (const el of part.querySelectorAll('script, iframe, img, svg, object, embed')) found.push('element ' + el.tagName);
                    for (const el of part.querySelectorAll('*')) {
                      for (const a of el.attributes) if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
                    }
                  }
                  for (const el of document.querySelectorAll('*')) {
                    for (const a of el.attributes) if (a.value.includes('__xss')) found.push(el.tagName + ' ' + a.name + '=' + a.value);
                  }
                  return found;
                }
                """);
            Assert.Empty(found);
        }
        catch
        {
            await Browser.KeepEvidenceAsync(admin, "task-xss-admin");
            await Browser.KeepEvidenceAsync(annotator, "task-xss");
            throw;
        }
    }
}
