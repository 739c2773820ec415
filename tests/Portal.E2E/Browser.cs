using Microsoft.Playwright;
using Portal.TestSupport;

namespace Portal.E2E;

/// <summary>Debian's Chromium driven by Playwright (never a downloaded browser), with a trace and screenshot kept on failure.</summary>
public sealed class Browser : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> ConsoleLogs = [];

    /// <summary>How long an action, a navigation, an assertion or a layout wait may take, in milliseconds.</summary>
    private const float Timeout = 30_000;

    private IPlaywright? _playwright;

    private IBrowser? _chromium;

    public IBrowser Chromium => _chromium ?? throw new InvalidOperationException("The browser has not started.");

    public static string ScreenshotFolder
    {
        get
        {
            var folder = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public async Task InitializeAsync()
    {
        // Assertions wait as long as actions and navigations do (30 s, below) instead of Playwright's 5 s: on a machine
        // under load a Blazor page can take far longer than that to load, connect and render (CI saw a sign-in's
        // redirect take over 15 s), and a wait that holds returns at once.
        Assertions.SetDefaultExpectTimeout(Timeout);
        _playwright = await Playwright.CreateAsync();
        _chromium = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("PORTAL_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task<IPage> NewPageAsync(string baseUrl)
    {
        var context = await Chromium.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = 1280, Height = 860 } });
        context.SetDefaultTimeout(Timeout);
        await context.Tracing.StartAsync(new() { Screenshots = true, Snapshots = true });
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, m) => { lock (console) { console.Add($"{m.Type}: {m.Text}"); } };
        page.PageError += (_, e) => { lock (console) { console.Add("pageerror: " + e); } };
        ConsoleLogs.AddOrUpdate(page, console);
        return page;
    }

    /// <summary>Keeps the trace and a screenshot of a page whose test failed, under artifacts/failures.</summary>
    /// <summary>
    /// Waits until <paramref name="condition"/> (JavaScript) holds on the page, and fails with <paramref name="measure"/> (a
    /// JavaScript string expression) when it does not within 30 s. Both may call <c>rect(testId, innerTestId?)</c>, the
    /// bounding box of the element with that data-testid. Layout settles after a resize or a render, never at one instant.
    /// </summary>
    public static async Task WaitForLayoutAsync(IPage page, string what, string condition, string measure)
    {
        const string Rect = "const rect = (id, inner) => { let e = document.querySelector(`[data-testid=\"${id}\"]`); "
            + "if (e && inner) { e = e.querySelector(`[data-testid=\"${inner}\"]`); } "
            + "return e ? e.getBoundingClientRect() : { top: NaN, bottom: NaN, left: NaN, right: NaN, height: NaN, width: NaN }; };";
        try
        {
            await page.WaitForFunctionAsync($"() => {{ {Rect} return {condition}; }}", null, new() { Timeout = Timeout });
        }
        catch (TimeoutException)
        {
            var measured = await page.EvaluateAsync<string>($"() => {{ {Rect} return {measure}; }}");
            Assert.Fail($"{what}: not so after {Timeout / 1000} s; {measured}");
        }
    }

    /// <summary>
    /// Chooses a file in a Blazor file input once Blazor has attached its change listener to it; a file set before
    /// that (a busy machine, a page still rendering) is dropped without a sound.
    /// </summary>
    public static async Task ChooseFileAsync(IPage page, string testId, string path)
    {
        await page.WaitForFunctionAsync(
            "id => { let e = document.querySelector(`[data-testid=\"${id}\"]`); if (e && e.tagName !== 'INPUT') { e = e.querySelector('input[type=file]'); } "
            + "return !!e && e._blazorInputFileNextFileId !== undefined; }", testId, new() { Timeout = 30_000 });
        await page.GetByTestId(testId).SetInputFilesAsync(path);
    }

    public static async Task KeepEvidenceAsync(IPage page, string name)
    {
        var folder = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "failures");
        Directory.CreateDirectory(folder);
        if (ConsoleLogs.TryGetValue(page, out var console))
        {
            string[] lines;
            lock (console)
            {
                lines = [.. console];
            }

            await File.WriteAllLinesAsync(Path.Combine(folder, name + ".console.txt"), lines);
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        await page.Context.Tracing.StopAsync(new() { Path = Path.Combine(folder, name + ".trace.zip") });
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
