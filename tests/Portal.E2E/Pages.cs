using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

public sealed class LoginPage(IPage page)
{
    public async Task SignInAsync(string email, string password)
    {
        await page.GotoAsync("/account/login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
    }
}

public sealed class Shell(IPage page)
{
    /// <summary>Waits until the Blazor circuit is connected, so clicks reach the server.</summary>
    public async Task WaitInteractiveAsync() =>
        await Expect(page.Locator("[data-testid=circuit][data-interactive=true]")).ToHaveCountAsync(1);

    public ILocator ReconnectBanner => page.GetByTestId("reconnect-banner");

    public ILocator NotFound => page.GetByTestId("not-found");

    public async Task ExpectNotFoundAsync() => await Expect(NotFound).ToBeVisibleAsync();
}
