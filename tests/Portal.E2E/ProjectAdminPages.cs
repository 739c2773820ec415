using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>The settings page of a project: attributes, pairwise and gold options.</summary>
public sealed class ProjectSettingsPage(IPage page)
{
    public ILocator Attribute(int index) => page.GetByTestId($"attribute-{index}");

    public ILocator Field(string testId) => page.GetByTestId(testId);

    /// <summary>Types into a text field and leaves it, so the value is bound.</summary>
    public async Task FillAsync(string testId, string value)
    {
        var input = page.GetByTestId(testId);
        await input.FillAsync(value);
        await input.BlurAsync();
    }

    public async Task RemoveAttributeAsync(int index) => await page.GetByTestId($"attr-remove-{index}").ClickAsync();

    public async Task ChooseStrengthAsync(string text) =>
        await page.GetByTestId("strength-levels").GetByText(text, new() { Exact = true }).ClickAsync();

    public async Task SaveAsync() => await page.GetByTestId("save-settings").ClickAsync();

    public ILocator Problems => page.GetByTestId("settings-problems");

    public async Task ExpectSavedAsync() =>
        await Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Settings saved." })).ToBeVisibleAsync();
}

/// <summary>The items page of a project and its gold dialog.</summary>
public sealed class ProjectItemsPage(IPage page)
{
    public ILocator Grid => page.GetByTestId("items");

    public ILocator Row(string externalId) => Grid.Locator("tbody tr").Filter(new() { HasText = externalId });

    public async Task MarkGoldAsync(string externalId, string choice, string explanation)
    {
        await Row(externalId).GetByTestId("mark-gold").ClickAsync();
        var dialog = page.GetByTestId("gold-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByTestId("gold-choice").GetByText(choice, new() { Exact = true }).ClickAsync();
        var text = dialog.GetByTestId("gold-explanation");
        await text.FillAsync(explanation);
        await text.BlurAsync();
        await page.GetByTestId("save-gold").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }

    public async Task ShowGoldOnlyAsync() =>
        await page.GetByTestId("items-gold-filter").GetByText("Gold", new() { Exact = true }).ClickAsync();

    public async Task SearchAsync(string text) => await page.GetByTestId("items-search").FillAsync(text);
}

/// <summary>The project navigation: pages grouped in menus (Setup, Running, AI, Delivering) beside Overview.</summary>
public sealed class ProjectNavigation(IPage page)
{
    private static readonly Dictionary<string, string> Groups = new()
    {
        ["settings"] = "setup",
        ["items"] = "setup",
        ["guidelines"] = "setup",
        ["qualification"] = "setup",
        ["progress"] = "running",
        ["annotators"] = "running",
        ["quality"] = "running",
        ["calibration"] = "running",
        ["ai-labels"] = "ai",
        ["rlthf"] = "ai",
        ["red-team"] = "ai",
        ["releases"] = "delivering",
    };

    /// <summary>Opens a project page by its key (overview, settings, items, quality, ai-labels …), through its group's menu.</summary>
    public async Task GoAsync(string key)
    {
        if (key != "overview")
        {
            await page.GetByTestId($"project-nav-group-{Groups[key]}").GetByRole(AriaRole.Button).ClickAsync();
        }

        await page.GetByTestId($"project-nav-{key}").ClickAsync();
    }
}
