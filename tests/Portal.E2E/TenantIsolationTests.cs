using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

public partial class TenantIsolationTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task NewOrganisation_AdminJoinsByInvite_AndNeitherTenantCanOpenTheOthersPages()
    {
        var platform = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        var newcomer = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        var demoAdmin = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        try
        {
            // The platform admin creates an organisation and gets a single-use link for its first admin.
            await new LoginPage(platform).SignInAsync("platform@portal.local", PortalFixture.DemoPassword);
            await new Shell(platform).WaitInteractiveAsync();
            await platform.GetByTestId("org-name-input").FillAsync("Globex");
            await platform.GetByTestId("create-org").ClickAsync();
            var link = await platform.GetByTestId("admin-invite-link").TextContentAsync();
            Assert.NotNull(link);
            await Expect(platform.GetByTestId("organisations")).ToContainTextAsync("Globex");

            // A new person opens the link, creates an account and lands on Globex's admin page.
            await newcomer.GotoAsync(link.Trim());
            await Expect(newcomer.GetByRole(AriaRole.Heading, new() { Name = "Join Globex" })).ToBeVisibleAsync();
            await newcomer.Locator("#display-name").FillAsync("Gil Globex");
            await newcomer.Locator("#email").FillAsync("gil@globex.test");
            await newcomer.Locator("#password").FillAsync("Globex!Pass2026");
            await newcomer.GetByRole(AriaRole.Button, new() { Name = "Create account and join" }).ClickAsync();
            await Expect(newcomer.GetByTestId("home-org-admin")).ToBeVisibleAsync();
            var globexAdminUrl = OrgUrl().Match(newcomer.Url).Value;
            Assert.NotEmpty(globexAdminUrl);

            // The demo organisation's admin tries Globex's admin page: refused, with nothing of Globex shown.
            await new LoginPage(demoAdmin).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            var demoOrgUrl = OrgUrl().Match(demoAdmin.Url).Value;
            var response = await demoAdmin.GotoAsync(globexAdminUrl + "/admin");
            Assert.Equal(404, response!.Status);
            await new Shell(demoAdmin).ExpectNotFoundAsync();
            await Expect(demoAdmin.Locator("body")).Not.ToContainTextAsync("Globex");
            await demoAdmin.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "other-tenant-refused.png") });

            // And the other way round: Globex's admin cannot open the demo organisation's projects.
            response = await newcomer.GotoAsync(demoOrgUrl + "/projects");
            Assert.Equal(404, response!.Status);
            await new Shell(newcomer).ExpectNotFoundAsync();
            await Expect(newcomer.Locator("body")).Not.ToContainTextAsync("Chatbot A/B");

            // The invite link worked once.
            var reuse = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
            await reuse.GotoAsync(link.Trim());
            await Expect(reuse.GetByTestId("invite-state")).ToContainTextAsync("already been used");

            // The demo admin invites Gil as an annotator through the page; Gil, signed in, joins with one click
            // and from then on switches between the two organisations in the header.
            await demoAdmin.GotoAsync(demoOrgUrl + "/admin");
            await new Shell(demoAdmin).WaitInteractiveAsync();
            await demoAdmin.GetByTestId("create-invite").ClickAsync();
            var annotatorLink = (await demoAdmin.GetByTestId("invite-link").TextContentAsync())!.Trim();
            await newcomer.GotoAsync(annotatorLink);
            await newcomer.GetByRole(AriaRole.Button, new() { Name = "Join as gil@globex.test" }).ClickAsync();
            await Expect(newcomer.GetByTestId("home-annotator")).ToBeVisibleAsync();
            await new Shell(newcomer).WaitInteractiveAsync();
            var switcher = newcomer.GetByTestId("org-switcher");
            await Expect(switcher).ToContainTextAsync("Demo Organisation");
            await switcher.ClickAsync();
            await newcomer.GetByRole(AriaRole.Menuitem, new() { Name = "Globex" }).ClickAsync();
            await Expect(newcomer.GetByTestId("home-org-admin")).ToBeVisibleAsync();
            Assert.StartsWith(globexAdminUrl, new Uri(newcomer.Url).AbsolutePath, StringComparison.Ordinal);
            await newcomer.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "org-switcher.png") });
        }
        catch
        {
            await Browser.KeepEvidenceAsync(platform, "isolation-platform");
            await Browser.KeepEvidenceAsync(newcomer, "isolation-newcomer");
            await Browser.KeepEvidenceAsync(demoAdmin, "isolation-demo-admin");
            throw;
        }
    }

    [GeneratedRegex(@"/orgs/[0-9a-f\-]{36}")]
    private static partial Regex OrgUrl();
}
