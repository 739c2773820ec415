using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

public class RoleHomeTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    public static TheoryData<string, string, string> DemoRoles => new()
    {
        { "platform@portal.local", "home-platform-admin", "platform-admin" },
        { "admin@demo.local", "home-org-admin", "org-admin" },
        { "annotator1@demo.local", "home-annotator", "annotator" },
        { "client@demo.local", "home-client", "client" },
    };

    [Theory]
    [MemberData(nameof(DemoRoles))]
    public async Task SignIn_DemoAccount_LandsOnItsRolesHomePage(string email, string homeTestId, string screenshot)
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync(email, PortalFixture.DemoPassword);

            await Expect(page.GetByTestId(homeTestId)).ToBeVisibleAsync();
            await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(email);
            await new Shell(page).WaitInteractiveAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, $"home-{screenshot}.png") });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, $"home-{screenshot}");
            throw;
        }
    }

    [Fact]
    public async Task ProjectAdmin_OpensProjectsPage_SeesDemoProjectsAndChart()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await new Shell(page).WaitInteractiveAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).First.ClickAsync();

            await Expect(page.GetByTestId("home-project-admin")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("projects")).ToContainTextAsync("Chatbot A/B (pairwise)");
            await Expect(page.GetByTestId("projects")).ToContainTextAsync("Assistant helpfulness (Likert)");
            await Expect(page.Locator("[data-testid=items-chart] svg").First).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "home-project-admin.png") });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "projects");
            throw;
        }
    }

    [Fact]
    public async Task OrgAdmin_RunsExpireLeasesNow_SeesTheRunFinishWithItsProgress()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await new Shell(page).WaitInteractiveAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Jobs" }).ClickAsync();
            await new Shell(page).WaitInteractiveAsync();

            await page.GetByTestId("expire-leases-now").ClickAsync();

            var runs = page.GetByTestId("job-runs");
            await Expect(runs).ToContainTextAsync("expire-leases");
            await Expect(runs.GetByTestId("run-status").First).ToHaveTextAsync("Succeeded");
            await Expect(runs).ToContainTextAsync("expired lease(s) returned to the pool");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "jobs.png") });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "jobs");
            throw;
        }
    }

    [Fact]
    public async Task ProjectAdmin_UploadsAnItemFile_SeesTheImportFinishWithItsCount()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        var file = Path.Combine(Path.GetTempPath(), $"portal-e2e-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file,
        [
            "{\"id\": \"e2e-1\", \"prompt\": \"Name a prime.\", \"chosen\": \"7\", \"rejected\": \"8\"}",
            "{\"id\": \"e2e-2\", \"prompt\": \"Capital of France?\", \"chosen\": \"Paris\", \"rejected\": \"Lyon\"}",
        ]);
        try
        {
            await new LoginPage(page).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await new Shell(page).WaitInteractiveAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Projects" }).First.ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Chatbot A/B (pairwise)" }).ClickAsync();
            await Expect(page.GetByTestId("project-name")).ToHaveTextAsync("Chatbot A/B (pairwise)");
            await new Shell(page).WaitInteractiveAsync();

            await Browser.ChooseFileAsync(page, "import-file", file);

            var runs = page.GetByTestId("job-runs");
            await Expect(runs).ToContainTextAsync("Imported 2 item(s).", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("project-items")).ToHaveTextAsync("38");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "import.png") });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "import");
            throw;
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Client_CreatesAnApiTokenOnItsPage_AndTheTokenSignsInAScript()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            await new LoginPage(page).SignInAsync("client@demo.local", PortalFixture.DemoPassword);
            await new Shell(page).WaitInteractiveAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
            await new Shell(page).WaitInteractiveAsync();
            await page.GetByTestId("token-name").FillAsync("download script");
            await page.GetByTestId("create-token").ClickAsync();
            var token = (await page.GetByTestId("new-token").TextContentAsync())!.Trim();
            await Expect(page.GetByTestId("tokens")).ToContainTextAsync("download script");

            using var script = new HttpClient { BaseAddress = new Uri(fixture.Portal.BaseUrl) };
            script.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var me = await script.GetStringAsync("/api/v1/me");
            Assert.Contains("client@demo.local", me, StringComparison.Ordinal);
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "tokens");
            throw;
        }
    }
}
