using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// The Content-Security-Policy blocks nothing the portal's own pages need: every page an organisation admin and an
/// annotator reach, loaded afresh and through in-app navigation, with the circuit connected, and not one
/// <c>securitypolicyviolation</c> event or CSP console error.
/// </summary>
public class ContentSecurityPolicyTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string ListenForViolations = """
        document.addEventListener('securitypolicyviolation', e =>
            window.portalCspViolation(`${e.violatedDirective} blocked ${e.blockedURI} on ${location.pathname}: ${e.sample}`));
        """;

    private static readonly string[] ProjectTabs =
        ["", "/progress", "/annotators", "/settings", "/items", "/ai-labels", "/releases", "/calibration", "/rlthf", "/quality",
            "/qualification", "/guidelines"];

    private static async Task<List<string>> WatchAsync(IPage page)
    {
        var violations = new List<string>();
        await page.ExposeFunctionAsync("portalCspViolation", (string text) =>
        {
            lock (violations)
            {
                violations.Add(text);
            }
        });
        await page.AddInitScriptAsync(ListenForViolations);
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add("console: " + m.Text);
                }
            }
        };
        return violations;
    }

    private static async Task VisitAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        var headers = await response.AllHeadersAsync();
        Assert.Contains("script-src 'self' 'nonce-", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.False(headers.ContainsKey("server"), $"{path} names its server: {headers.GetValueOrDefault("server")}");
        await new Shell(page).WaitInteractiveAsync();
    }

    private static async Task<List<string>> LinksAsync(IPage page, string selector) =>
        [.. (await page.Locator(selector).EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('href'))"))
            .Where(h => h is not null && h.StartsWith('/') && !h.StartsWith("/hangfire", StringComparison.Ordinal))
            .Distinct()];

    [Fact]
    public async Task AdminPages_LoadedAndNavigated_BlockNothing()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            var violations = await WatchAsync(page);
            await page.GotoAsync("/account/login");
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await new Shell(page).WaitInteractiveAsync();

            var visited = new List<string>();
            var nav = await LinksAsync(page, "[data-testid=nav] a[href]");
            Assert.NotEmpty(nav);
            foreach (var path in nav)
            {
                await VisitAsync(page, path);
                visited.Add(path);
            }

            // A project's own pages: every tab of the first project.
            var projects = nav.First(p => p.EndsWith("/projects", StringComparison.Ordinal));
            await VisitAsync(page, projects);
            var project = (await LinksAsync(page, $"a[href^='{projects}/']")).First();
            foreach (var tab in ProjectTabs)
            {
                await VisitAsync(page, project + tab);
                visited.Add(project + tab);
            }

            // In-app navigation over the circuit, without a fresh page.
            await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).First.ClickAsync();
            await Expect(page.GetByTestId("home-project-admin")).ToBeVisibleAsync();

            Assert.True(visited.Count >= ProjectTabs.Length + 3, "Visited only: " + string.Join(", ", visited));
            lock (violations)
            {
                Assert.True(violations.Count == 0, string.Join("\n", violations));
            }
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "csp-admin");
            throw;
        }
    }

    [Fact]
    public async Task HangfireDashboard_ForThePlatformAdmin_RunsUnderAPolicyWithoutInlineScripts()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            var violations = await WatchAsync(page);
            await page.GotoAsync("/account/login");
            await new LoginPage(page).SignInAsync("platform@portal.local", PortalFixture.DemoPassword);
            await new Shell(page).WaitInteractiveAsync();

            foreach (var path in new[] { "/hangfire", "/hangfire/jobs/succeeded", "/hangfire/recurring", "/hangfire/servers" })
            {
                var response = await page.GotoAsync(path);
                Assert.NotNull(response);
                Assert.Equal(200, response.Status);
                var policy = (await response.AllHeadersAsync())["content-security-policy"];
                Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);

                // The dashboard's own script ran (hangfire.js sets its configuration from the page).
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                Assert.True(await page.EvaluateAsync<bool>("() => typeof window.Hangfire === 'object' && !!window.Hangfire.config"), $"{path}: hangfire.js did not run");
            }

            lock (violations)
            {
                Assert.True(violations.Count == 0, string.Join("\n", violations));
            }
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "csp-hangfire");
            throw;
        }
    }

    [Fact]
    public async Task AnnotatorTask_WithMarkdownAndKeys_BlocksNothing()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            var violations = await WatchAsync(page);
            await new LoginPage(page).SignInAsync("annotator2@demo.local", PortalFixture.DemoPassword);
            await Expect(page.GetByTestId("home-annotator")).ToBeVisibleAsync();
            await new Shell(page).WaitInteractiveAsync();
            await new AnnotatorHomePage(page).StartAsync("Chatbot A/B (pairwise)");
            await Expect(page.GetByTestId("response-left")).ToBeVisibleAsync();

            // The keyboard script (annotate.js) runs: "?" opens the keys overlay.
            await page.Keyboard.PressAsync("?");
            await Expect(page.GetByTestId("keys-overlay")).ToBeVisibleAsync();
            await page.Keyboard.PressAsync("Escape");

            await page.ReloadAsync();
            await new Shell(page).WaitInteractiveAsync();
            await Expect(page.GetByTestId("response-left")).ToBeVisibleAsync();
            lock (violations)
            {
                Assert.True(violations.Count == 0, string.Join("\n", violations));
            }
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "csp-annotator");
            throw;
        }
    }
}
