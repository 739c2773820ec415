using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Security;

/// <summary>
/// What an attacker or a careless script sends, through the real app: decompression bombs, endless lines, oversized
/// bodies, hostile file names, numbers that overflow, huge texts, Markdown nested beyond reason, and errors that must come
/// back as problem details. Each answer names the field or the limit, and nothing is changed or left behind.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _uploads = Path.Combine(Path.GetTempPath(), "portal-tests", "hostile-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_uploads))
        {
            Directory.Delete(_uploads, recursive: true);
        }
    }

    private Dictionary<string, string> Settings(params (string Key, string Value)[] limits)
    {
        var settings = new Dictionary<string, string> { ["Storage:Uploads"] = _uploads };
        foreach (var (key, value) in limits)
        {
            settings[key] = value;
        }

        return settings;
    }

    private string[] UploadsLeft() => Directory.Exists(_uploads) ? Directory.GetFiles(_uploads) : [];

    [Fact]
    public async Task ImportItems_GzipBomb_FailsNamingTheLimitImportsNothingAndKeepsNoFile()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true, settings: Settings());
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        // 32 MiB of line breaks, ~32 KiB gzipped (blank lines, which the parser skips), with the default limits: the
        // expansion ratio stops it. (Zeros, one endless line, meet the line limit first: see the next test's kind.)
        var breaks = new byte[32 << 20];
        Array.Fill(breaks, (byte)'\n');
        var bomb = Gzip(breaks);

        var started = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items?fileName=bomb.jsonl.gz", new ByteArrayContent(bomb));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);

        Assert.Equal("Failed", run.Status);
        Assert.Contains("bomb.jsonl.gz decompresses to more than 100 times its compressed size", run.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was imported.", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, await ItemCountAsync(db, a));
        Assert.Empty(UploadsLeft());
    }

    [Fact]
    public async Task ImportItems_GzipBombOfZeros_FailsAtTheLineLimit()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true, settings: Settings());
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);

        var started = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items?fileName=zeros.jsonl.gz", new ByteArrayContent(Gzip(new byte[32 << 20])));
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);

        Assert.Equal("Failed", run.Status);
        Assert.Contains("zeros.jsonl.gz line 1 is longer than 8,388,608 characters", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, await ItemCountAsync(db, a));
        Assert.Empty(UploadsLeft());
    }

    [Fact]
    public async Task ImportItems_DecompressedPastTheLimit_FailsNamingTheLimit()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true, settings: Settings(("Limits:DecompressedBytes", "100000")));
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var lines = string.Join('\n', Enumerable.Range(1, 3000).Select(i => $"{{\"prompt\": \"Q{i}\", \"chosen\": \"good {i}\", \"rejected\": \"bad {i}\"}}"));

        var started = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items?fileName=big.jsonl.gz", new ByteArrayContent(Gzip(Encoding.UTF8.GetBytes(lines))));
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);

        Assert.Equal("Failed", run.Status);
        Assert.Contains("big.jsonl.gz is larger than 100,000 bytes once decompressed", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, await ItemCountAsync(db, a));
    }

    [Fact]
    public async Task ImportItems_LineLongerThanTheLimit_FailsNamingTheLine()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, jobs: true, settings: Settings(("Limits:LineChars", "1000")));
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var body = "{\"prompt\": \"Q\", \"chosen\": \"c\", \"rejected\": \"r\"}\n" + new string('x', 50_000);

        var started = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items?fileName=long.jsonl", new StringContent(body));
        var run = await PortalFactory.WaitForRunAsync(admin, started.Headers.Location!.OriginalString);

        Assert.Equal("Failed", run.Status);
        Assert.Contains("long.jsonl line 2 is longer than 1,000 characters", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, await ItemCountAsync(db, a));
    }

    [Fact]
    public async Task ImportItems_BodyOverTheUploadLimit_413ProblemStatingTheLimitAndNoPartialFile()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, settings: Settings(("Limits:UploadBytes", "1048576")));
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items?fileName=big.jsonl";

        // Declared length over the limit: refused before reading; streamed without a length: refused one byte past it.
        var declared = await admin.PostAsync(url, new ByteArrayContent(new byte[2 << 20]));
        var streamed = await admin.PostAsync(url, new StreamContent(new UnknownLengthStream(5 << 20)));

        foreach (var response in new[] { declared, streamed })
        {
            var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
            Assert.Contains("larger than 1,048,576 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(1048576, problem.GetProperty("limit").GetInt64());
        }

        Assert.Empty(UploadsLeft());
        Assert.Equal(1, await ItemCountAsync(db, a));
    }

    [Fact]
    public async Task ImportAiLabels_BodyOverTheUploadLimit_413Problem()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, settings: Settings(("Limits:UploadBytes", "1048576")));
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);

        var response = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/ai-labels", new ByteArrayContent(new byte[2 << 20]));

        var problem = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1,048,576", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(300, false)]
    [InlineData(10, true)]
    public async Task ImportItems_FileNameTooLongOrWithNul_400NamingFileNameAndNothingStored(int length, bool nul)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, settings: Settings());
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var name = new string('n', length) + (nul ? "\0.csv" : ".csv");

        var response = await admin.PostAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/items?fileName={Uri.EscapeDataString(name)}",
            new StringContent("prompt,response_a,response_b\nq,a,b\n", Encoding.UTF8, "text/csv"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("fileName", out _), problem.ToString());
        Assert.Empty(UploadsLeft());
    }

    [Fact]
    public async Task CreateInvite_HostileNumbersAndTexts_400NamingTheFieldAndNothingStored()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/invites";

        var overflow = await admin.PostAsJsonAsync(url, new { roles = new[] { "annotator" }, expiresInHours = int.MaxValue });
        var negative = await admin.PostAsJsonAsync(url, new { roles = new[] { "annotator" }, expiresInHours = int.MinValue });
        var hugeNote = await admin.PostAsJsonAsync(url, new { roles = new[] { "annotator" }, expiresInHours = 24, note = new string('n', 5_000_000) });

        Assert.True((await ProblemAsync(overflow, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("expiresInHours", out _));
        Assert.True((await ProblemAsync(negative, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("expiresInHours", out _));
        Assert.True((await ProblemAsync(hugeNote, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("note", out _));
        await using var ctx = db.Factory.CreateForTenant(a.Id);
        Assert.False(await ctx.Invites.AnyAsync());
    }

    [Fact]
    public async Task UpdateProject_ScaleFromIntMinToIntMax_400NamingTheScaleAndNothingSaved()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);
        var url = $"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}";
        var before = await admin.GetStringAsync(url);

        var response = await admin.PutAsJsonAsync(url, new
        {
            kind = "Likert",
            settings = new
            {
                attributes = new[] { new { key = "wide", name = "Wide", description = "", min = int.MinValue, max = int.MaxValue, lowLabel = "", highLabel = "" } },
                pairwise = new { },
                gold = new { },
                quality = new { },
            },
        });

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("settings.attributes[0].min", out _), errors.ToString());
        Assert.Equal(before, await admin.GetStringAsync(url));
    }

    [Fact]
    public async Task PublishGuidelines_NestedAHundredThousandLevels_400NamingTheMarkdown()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.ProjectAdmin).Email!);

        var response = await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/guidelines",
            new { markdown = new string('>', 100_000) + " deep", changeNote = "nested", change = "Minor" });

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Contains("cannot be rendered as Markdown", errors.GetProperty("markdown")[0].GetString(), StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateForTenant(a.Id);
        Assert.False(await ctx.GuidelineVersions.AnyAsync());
    }

    [Fact]
    public async Task GetGuidelines_StoredBeforeTheCheckAndNestedTooDeep_200WithTheTextEscaped()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            ctx.GuidelineVersions.Add(new GuidelineVersion
            {
                ProjectId = a.Project.Id,
                Version = 1,
                Markdown = new string('>', 100_000) + " <script>alert(1)</script>",
                ChangeNote = "old",
                PublishedByUserId = a.Member(OrgRoles.ProjectAdmin).Id,
                PublishedAt = DateTime.UtcNow,
            });
            await ctx.SaveChangesAsync();
        }

        await using var app = new PortalFactory(db);
        var annotator = await app.SignInAsync(a.Member(OrgRoles.Annotator).Email!);

        var response = await annotator.GetAsync($"/api/v1/orgs/{a.Id}/projects/{a.Project.Id}/guidelines");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parts")[0].GetProperty("html").GetString();
        Assert.StartsWith("<pre class=\"markdown-as-text\">&gt;&gt;", html, StringComparison.Ordinal);
        Assert.EndsWith("&lt;script&gt;alert(1)&lt;/script&gt;</pre>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_BodyThatIsNotJson_400ProblemJson()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);

        var response = await admin.PostAsync($"/api/v1/orgs/{a.Id}/invites", new StringContent("{\"roles\": [\"annotator\"], \"expiresInHours\": 99999999999}", Encoding.UTF8, "application/json"));

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Api_UnexpectedException_500ProblemJsonWithAReferenceAndNoInternals()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        await using var broken = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddScoped<ProjectQueries>(_ => throw new InvalidOperationException("secret-internal-detail"))));
        var client = broken.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostLoginAsync(client, a.Member(OrgRoles.ProjectAdmin).Email!, Builders.Password)).StatusCode);

        var response = await client.GetAsync($"/api/v1/orgs/{a.Id}/projects");

        var problem = await ProblemAsync(response, HttpStatusCode.InternalServerError);
        var body = problem.ToString();
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("reference").GetString()));
        Assert.DoesNotContain("secret-internal-detail", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/v1/no-such-route")]
    [InlineData("DELETE", "/api/v1/me")]
    public async Task Api_UnknownRouteOrMethod_ProblemJsonNotTheHtmlPage(string method, string path)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db);
        var admin = await app.SignInAsync(a.Member(OrgRoles.OrgAdmin).Email!);

        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.True((int)response.StatusCode is 404 or 405, response.StatusCode.ToString());
        await ProblemAsync(response, response.StatusCode);
    }

    [Fact]
    public async Task RegisterThroughTheInvitePage_EightAtOnce_OneAccountWithItsMembershipAndNoOrphan()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var a = await db.CreateTestTenantAsync("Alpha");
        var invite = await db.Services.CreateScope().ServiceProvider.GetRequiredService<Portal.App.Features.Invites.InviteService>()
            .CreateAsync(a.Id, OrgRoles.Annotator, TimeSpan.FromHours(1), a.Member(OrgRoles.OrgAdmin).Id, null);
        await using var app = new PortalFactory(db);
        var forms = new List<(HttpClient Client, string Token)>();
        for (var i = 0; i < 8; i++)
        {
            var client = app.Anonymous();
            forms.Add((client, PortalFactory.AntiforgeryToken(await client.GetStringAsync(invite.Path))));
        }

        var responses = await Task.WhenAll(forms.Select((f, i) => f.Client.PostAsync(invite.Path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = f.Token,
            ["_handler"] = "register",
            ["Input.DisplayName"] = $"Racer {i}",
            ["Input.Email"] = $"racer{i}@example.test",
            ["Input.Password"] = Builders.Password,
        }))));

        // The losers are not signed in and are told the invite was used, whether their post got in before or after the winner's.
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Redirect);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.Redirect))
        {
            var page = await loser.Content.ReadAsStringAsync();
            Assert.True(loser.StatusCode == HttpStatusCode.OK, $"{(int)loser.StatusCode} {page}");
            Assert.Contains("already been used", page);
        }

        foreach (var (response, form) in responses.Zip(forms))
        {
            var me = await form.Client.GetAsync("/api/v1/me");
            Assert.Equal(response.StatusCode == HttpStatusCode.Redirect, me.StatusCode == HttpStatusCode.OK);
        }

        await using var system = db.Factory.CreateSystem();
        var racers = await system.Users.Where(u => u.Email!.StartsWith("racer")).Select(u => u.Id).ToListAsync();
        var racer = Assert.Single(racers);
        Assert.True(await system.Memberships.IgnoreQueryFilters().AnyAsync(m => m.UserId == racer && m.TenantId == a.Id && m.Roles == OrgRoles.Annotator));
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static async Task<int> ItemCountAsync(TestDatabase db, TestTenant a)
    {
        await using var ctx = db.Factory.CreateForTenant(a.Id);
        return await ctx.Items.CountAsync(i => i.ProjectId == a.Project.Id);
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Zeros whose length the client cannot know, so the body goes out chunked with no Content-Length.</summary>
    private sealed class UnknownLengthStream(long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _left);
            Array.Clear(buffer, offset, n);
            _left -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
