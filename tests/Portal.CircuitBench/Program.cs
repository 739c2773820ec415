using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.CircuitBench;

// Server memory per open annotator task page: seeds a project, starts the portal (Release), opens annotators' task pages
// in headless Chromium contexts one by one, and reads the server's heap after a forced full GC at each step.
// Usage: Portal.CircuitBench [--pages 50,200] [--response-chars 2000] [--portal path/to/Portal.Web.dll] [--parallel 4]
var pages = Option("--pages", "50,200").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).Order().ToArray();
var responseChars = int.Parse(Option("--response-chars", "2000"), CultureInfo.InvariantCulture);
var parallel = int.Parse(Option("--parallel", "4"), CultureInfo.InvariantCulture);
var root = RepositoryRoot();
var portalDll = Option("--portal", Path.Combine(root, "src/Portal.Web/bin/Release/net10.0/Portal.Web.dll"));

var folder = Path.Combine(Path.GetTempPath(), "portal-circuits", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
var database = Path.Combine(folder, "portal.db");
Log($"seeding {pages[^1]} annotators, {pages[^1] * 2} pairwise items of ~{responseChars} characters a response in {database}");
var seed = await BenchDatabase.SeedAsync($"Data Source={database}", pages[^1], responseChars);

var port = FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
using var portal = StartPortal(portalDll, folder, database, baseUrl);
try
{
    await WaitListeningAsync(portal, baseUrl);
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = Environment.GetEnvironmentVariable("PORTAL_CHROMIUM") ?? "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"],
    });

    // The admin reads the memory through the API: signed in with a return URL that is no page, so she holds no circuit.
    var admin = await browser.NewContextAsync(new() { BaseURL = baseUrl });
    admin.SetDefaultTimeout(120_000);
    var adminPage = await admin.NewPageAsync();
    await SignInAsync(adminPage, seed.AdminEmail, "/api/v1/me");
    await adminPage.CloseAsync();

    var annotate = $"/orgs/{seed.OrgId}/projects/{seed.ProjectId}/annotate";
    var steps = new List<Step>();
    var open = new List<IBrowserContext>();
    steps.Add(await MeasureAsync(admin, 0));
    foreach (var target in pages.Prepend(1))
    {
        var started = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(parallel);
        var opening = seed.Annotators.Skip(open.Count).Take(target - open.Count).Select(async email =>
        {
            await gate.WaitAsync();
            try
            {
                return await OpenTaskAsync(browser, baseUrl, email, annotate);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        open.AddRange(await Task.WhenAll(opening));
        Log($"{open.Count} task pages open after {started.Elapsed.TotalSeconds:F0} s");
        steps.Add(await MeasureAsync(admin, open.Count));
    }

    var zero = steps[0];
    var one = steps[1];
    var results = steps.Skip(2).Select(s => new
    {
        pages = s.Pages,
        perCircuitKb = Math.Round((s.Memory.HeapBytes - zero.Memory.HeapBytes) / 1024.0 / s.Pages, 1),
        perCircuitAfterFirstKb = Math.Round((s.Memory.HeapBytes - one.Memory.HeapBytes) / 1024.0 / (s.Pages - 1), 1),
        workingSetPerCircuitKb = Math.Round((s.Memory.WorkingSetBytes - zero.Memory.WorkingSetBytes) / 1024.0 / s.Pages, 1),
    }).ToList();
    var report = new
    {
        machine = $"{Environment.ProcessorCount} cores, load average {LoadAverage()}",
        responseChars,
        steps = steps.Select(s => new
        {
            pages = s.Pages,
            s.Memory.OpenCircuits,
            heapMb = Math.Round(s.Memory.HeapBytes / 1048576.0, 2),
            committedMb = Math.Round(s.Memory.CommittedBytes / 1048576.0, 1),
            workingSetMb = Math.Round(s.Memory.WorkingSetBytes / 1048576.0, 1),
            privateMb = Math.Round(s.Memory.PrivateBytes / 1048576.0, 1),
            s.Memory.ServerGc,
        }),
        results,
        pid = portal.Id,
    };
    Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));

    // Leaves the pages open for a heap dump (dotnet-gcdump collect -p PID) when asked.
    if (Environment.GetEnvironmentVariable("CIRCUIT_BENCH_HOLD") is { Length: > 0 } hold)
    {
        Log($"holding the pages open for {hold} s: portal pid {portal.Id}");
        await Task.Delay(TimeSpan.FromSeconds(int.Parse(hold, CultureInfo.InvariantCulture)));
    }

    foreach (var context in open)
    {
        await context.CloseAsync();
    }
}
finally
{
    portal.Kill(entireProcessTree: true);
    await portal.WaitForExitAsync();
    try
    {
        Directory.Delete(folder, recursive: true);
    }
    catch (IOException)
    {
        // Left for the OS.
    }
}

static async Task<IBrowserContext> OpenTaskAsync(IBrowser browser, string baseUrl, string email, string annotate)
{
    var context = await browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = 1280, Height = 860 } });
    context.SetDefaultTimeout(180_000);
    var page = await context.NewPageAsync();
    await SignInAsync(page, email, annotate);
    await page.Locator("[data-testid=circuit][data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    await page.Locator("[data-testid=task][data-task-seq]").WaitForAsync();
    return context;
}

static async Task SignInAsync(IPage page, string email, string returnUrl)
{
    await page.GotoAsync("/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
    await page.Locator("#email").FillAsync(email);
    await page.Locator("#password").FillAsync(BenchDatabase.Password);
    await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    await page.WaitForURLAsync(url => url.Contains(returnUrl, StringComparison.Ordinal));
}

// Three readings a step, the smallest kept: a circuit's message still in flight may hold a buffer for a moment.
static async Task<Step> MeasureAsync(IBrowserContext admin, int pages)
{
    MemoryReading? best = null;
    for (var i = 0; i < 3; i++)
    {
        var response = await admin.APIRequest.GetAsync("/api/v1/platform/diagnostics/memory");
        if (!response.Ok)
        {
            throw new InvalidOperationException($"The memory endpoint answered {response.Status}: {await response.TextAsync()}");
        }

        var reading = JsonSerializer.Deserialize<MemoryReading>(await response.TextAsync(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        if (best is null || reading.HeapBytes < best.HeapBytes)
        {
            best = reading;
        }
    }

    if (best!.OpenCircuits != pages)
    {
        throw new InvalidOperationException($"{pages} pages are open but the server counts {best.OpenCircuits} connected circuits.");
    }

    Log($"{pages} pages: heap {best.HeapBytes / 1048576.0:F2} MB, working set {best.WorkingSetBytes / 1048576.0:F1} MB");
    return new Step(pages, best);
}

static Process StartPortal(string dll, string folder, string database, string baseUrl)
{
    if (!File.Exists(dll))
    {
        throw new FileNotFoundException($"Build the portal first: dotnet build src/Portal.Web -c Release ({dll} is missing).");
    }

    var start = new ProcessStartInfo("dotnet", [dll])
    {
        WorkingDirectory = folder,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
    start.Environment["Urls"] = baseUrl;
    start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={database}";
    start.Environment["Database__Provider"] = "Sqlite";
    start.Environment["Demo__SeedOnStart"] = "false";
    start.Environment["Jobs__Schedules"] = "false";
    start.Environment["Diagnostics__MemoryEndpoint"] = "true";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    start.Environment["RateLimits__SignInPerIp"] = "100000";
    start.Environment["RateLimits__SignInPerAccount"] = "100000";
    start.Environment["RateLimits__ApiPerUserOrToken"] = "1000000";
    start.Environment["RateLimits__ApiPerIp"] = "1000000";
    var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + dll);
    process.OutputDataReceived += (_, e) => { if (e.Data is { } line && (line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal))) { Log("portal: " + line); } };
    process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { Log("portal: " + line); } };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task WaitListeningAsync(Process portal, string baseUrl)
{
    using var http = new HttpClient();
    var deadline = DateTime.UtcNow.AddSeconds(600);
    while (DateTime.UtcNow < deadline)
    {
        if (portal.HasExited)
        {
            throw new InvalidOperationException($"The portal exited with {portal.ExitCode}.");
        }

        try
        {
            if ((await http.GetAsync(baseUrl + "/account/login")).StatusCode == HttpStatusCode.OK)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }

        await Task.Delay(250);
    }

    throw new TimeoutException("The portal did not answer within 600 s.");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string RepositoryRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static void Log(string message) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

internal sealed record Step(int Pages, MemoryReading Memory);

internal sealed record MemoryReading(int OpenCircuits, int Circuits, long HeapBytes, long CommittedBytes, long WorkingSetBytes, long PrivateBytes, bool ServerGc);
