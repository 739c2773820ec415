using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

public class ReconnectTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task ServerStopsAndComesBack_BannerShowsThenGoesAwayAndTheUserIsStillSignedIn()
    {
        var page = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        var shell = new Shell(page);
        try
        {
            await new LoginPage(page).SignInAsync("annotator1@demo.local", PortalFixture.DemoPassword);
            await Expect(page.GetByTestId("home-annotator")).ToBeVisibleAsync();
            await shell.WaitInteractiveAsync();
            await Expect(shell.ReconnectBanner).ToBeHiddenAsync();

            await fixture.Portal.KillAsync();
            await Expect(shell.ReconnectBanner).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "reconnect-banner.png") });

            await fixture.Portal.StartAsync();
            await Expect(shell.ReconnectBanner).ToBeHiddenAsync(new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("home-annotator")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("annotator1@demo.local");
        }
        catch
        {
            await Browser.KeepEvidenceAsync(page, "reconnect");
            throw;
        }
    }
}
