using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>An admin cuts a release on the Releases tab (a job with a progress bar) and grants it; the client opens it and downloads it.</summary>
public class ReleaseDownloadTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Project = "Release browser test";

    private static async Task<JsonElement> JsonAsync(IAPIResponse response)
    {
        Assert.True(response.Ok, $"{response.Status} {await response.TextAsync()}");
        return (await response.JsonAsync())!.Value;
    }

    [Fact]
    public async Task Client_OpensAGrantedRelease_DownloadsTheFileWhoseHashThePageShows()
    {
        var db = new PortalDatabase(fixture.Portal.DatabasePath);
        var (org, projectId) = await db.CreateDemoProjectAsync(Project, kind: 2);
        for (var i = 1; i <= 4; i++)
        {
            await db.AddItemAsync(projectId, $"Release question {i}?", $"Good answer {i}.", $"Weak answer {i}.");
        }

        var annotator = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        await new LoginPage(annotator).SignInAsync("annotator1@demo.local", PortalFixture.DemoPassword);
        for (var i = 0; i < 10; i++)
        {
            var next = await JsonAsync(await annotator.APIRequest.GetAsync($"/api/v1/orgs/{org}/projects/{projectId}/tasks/next"));
            if (next.GetProperty("status").GetString() != "Assigned")
            {
                break;
            }

            var assignment = next.GetProperty("task").GetProperty("assignmentId").GetString();
            await JsonAsync(await annotator.APIRequest.PostAsync($"/api/v1/orgs/{org}/assignments/{assignment}/annotation", new()
            {
                DataObject = new { choice = "Left", strength = 1, timeOnTaskMs = 9000 },
                Headers = new Dictionary<string, string> { ["Idempotency-Key"] = $"release-{i}" },
            }));
        }

        await annotator.Context.CloseAsync();

        var admin = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
        IPage? client = null;
        try
        {
            await new LoginPage(admin).SignInAsync("admin@demo.local", PortalFixture.DemoPassword);
            await admin.GotoAsync($"/orgs/{org}/projects/{projectId}/releases");
            await new Shell(admin).WaitInteractiveAsync();
            await admin.GetByTestId("release-name").FillAsync("Browser release v1");
            await admin.GetByTestId("release-cut").ClickAsync();
            // A release never changes, so cutting asks first.
            await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cut now" }).ClickAsync();
            await Expect(admin.GetByTestId("job-runs")).ToContainTextAsync("cut-release");
            await Expect(admin.GetByTestId("job-runs").GetByTestId("run-status").First).ToHaveTextAsync("Succeeded", new() { Timeout = 30_000 });
            await Expect(admin.GetByTestId("releases").GetByTestId("release-status").First).ToHaveTextAsync("Ready");
            await admin.GetByTestId("release-link").First.ClickAsync();
            await Expect(admin.GetByTestId("release-title")).ToHaveTextAsync("Release Browser release v1");
            await Expect(admin.GetByTestId("release-items")).ToHaveTextAsync("4");

            var release = (await JsonAsync(await admin.APIRequest.GetAsync($"/api/v1/orgs/{org}/projects/{projectId}/releases"))).EnumerateArray().First();
            var releaseId = release.GetProperty("id").GetString()!;
            var me = await JsonAsync(await admin.APIRequest.GetAsync($"/api/v1/orgs/{org}/members"));
            var clientId = me.EnumerateArray().First(m => m.GetProperty("email").GetString() == "client@demo.local").GetProperty("userId").GetString();
            var granted = await admin.APIRequest.PutAsync($"/api/v1/orgs/{org}/projects/{projectId}/releases/{releaseId}/grants/{clientId}");
            Assert.True(granted.Ok, $"{granted.Status} {await granted.TextAsync()}");

            client = await fixture.Browser.NewPageAsync(fixture.Portal.BaseUrl);
            await new LoginPage(client).SignInAsync("client@demo.local", PortalFixture.DemoPassword);
            await Expect(client.GetByTestId("home-client")).ToBeVisibleAsync();
            await new Shell(client).WaitInteractiveAsync();
            await client.GetByRole(AriaRole.Link, new() { Name = "Browser release v1" }).ClickAsync();
            await Expect(client.GetByTestId("client-release-title")).ToHaveTextAsync("Browser release v1");
            await Expect(client.GetByTestId("release-card")).ToContainTextAsync("Label sources");
            var expected = await client.GetByTestId("release-file").First.Locator("code").GetAttributeAsync("title");

            var download = await client.RunAndWaitForDownloadAsync(() => client.GetByTestId("download-trl-plain").ClickAsync());
            var path = Path.Combine(Path.GetTempPath(), $"release-{Guid.NewGuid():N}.jsonl");
            await download.SaveAsAsync(path);
            var bytes = await File.ReadAllBytesAsync(path);
            File.Delete(path);
            Assert.Equal("Browser-release-v1.trl-plain.jsonl", download.SuggestedFilename);
            Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(4, bytes.Count(b => b == (byte)'\n'));
            await client.ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotFolder, "client-release.png"), FullPage = true });

            await admin.ReloadAsync();
            await Expect(admin.GetByTestId("release-downloads")).ToContainTextAsync("client@demo.local");
        }
        catch
        {
            await Browser.KeepEvidenceAsync(admin, "release-admin");
            if (client is not null)
            {
                await Browser.KeepEvidenceAsync(client, "client-release");
            }

            throw;
        }
    }
}
