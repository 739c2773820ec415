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

public sealed class AnnotatorHomePage(IPage page)
{
    public ILocator Projects => page.GetByTestId("annotator-projects");

    /// <summary>Opens the project's task page with its Start button and waits until the task page is live.</summary>
    public async Task StartAsync(string projectName)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = $"Start {projectName}" }).ClickAsync();
        await Expect(page.GetByTestId("task-page")).ToBeVisibleAsync();
        await new Shell(page).WaitInteractiveAsync();
    }
}

/// <summary>What the Likert and the pairwise task pages share: the task shown, its sequence number on the page, the draft state.</summary>
public abstract class TaskPageBase(IPage page)
{
    protected IPage Page => page;

    public ILocator Task => page.GetByTestId("task");

    public ILocator Legend => page.GetByTestId("shortcut-legend");

    public ILocator DoneByMe => page.GetByTestId("done-by-me");

    public ILocator DraftState => page.GetByTestId("draft-state");

    /// <summary>
    /// Waits until the <paramref name="seq"/>-th task since the page loaded is shown (the first is 1). The demo projects
    /// mix gold items in: when the task just answered was one, its explanation shows first, and Enter moves on.
    /// </summary>
    public async Task WaitForTaskAsync(int seq)
    {
        var number = seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var feedback = page.GetByTestId("gold-feedback");
        await Expect(Task.And(page.Locator($"[data-task-seq='{number}']")).Or(feedback)).ToBeVisibleAsync();
        if (await feedback.IsVisibleAsync())
        {
            await page.Keyboard.PressAsync("Enter");
        }

        await Expect(Task).ToHaveAttributeAsync("data-task-seq", number);
    }

    public async Task WaitDraftSavedAsync() => await Expect(DraftState).ToHaveAttributeAsync("data-state", "Saved");

    public Task PressAsync(string key) => page.Keyboard.PressAsync(key);

    /// <summary>A value the test puts on the window: it survives anything but a page load.</summary>
    public async Task MarkWindowAsync() => await page.EvaluateAsync("() => { window.__taskMarker = 'same page'; }");

    public async Task<bool> WindowStillMarkedAsync() => await page.EvaluateAsync<bool>("() => window.__taskMarker === 'same page'");
}

public sealed class LikertTaskPage(IPage page) : TaskPageBase(page)
{
    public ILocator Rows => Page.GetByTestId("rating-row");

    public ILocator Row(string attributeKey) => Page.Locator($"[data-testid=rating-row][data-attribute='{attributeKey}']");

    public ILocator Response => Page.GetByTestId("response");

    public ILocator Comment => Page.GetByTestId("comment");

    public async Task<IReadOnlyList<string>> AttributeKeysAsync()
    {
        await Expect(Rows.First).ToBeVisibleAsync();
        var keys = new List<string>();
        foreach (var row in await Rows.AllAsync())
        {
            keys.Add((await row.GetAttributeAsync("data-attribute"))!);
        }

        return keys;
    }

    public async Task ExpectRatedAsync(string attributeKey, int value)
    {
        var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Expect(Row(attributeKey)).ToHaveAttributeAsync("data-value", text);
        await Expect(Row(attributeKey).GetByTestId($"rate-{text}")).ToHaveAttributeAsync("aria-pressed", "true");
    }
}

public sealed class PairwiseTaskPage(IPage page) : TaskPageBase(page)
{
    public ILocator Left => Page.GetByTestId("response-left");

    public ILocator Right => Page.GetByTestId("response-right");

    public ILocator ChoiceRow => Page.GetByTestId("choice-row");

    public ILocator StrengthRow => Page.GetByTestId("strength-row");

    public ILocator Conversation => Page.GetByTestId("conversation");
}
