using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Tokens;
using Portal.Core.Aggregation;
using Portal.Core.Export;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Releases;

public class ReleaseEndpointTests
{
    private sealed record Fixture(TestTenant A, TestTenant B, Release Release, PortalUser UngrantedClient)
    {
        public string Download(string query = "format=trl-plain") => $"/api/v1/orgs/{A.Id}/releases/{Release.Id}/download?{query}";
    }

    /// <summary>Organisation A with a 40-item pairwise release granted to its client; B is another organisation.</summary>
    private static async Task<Fixture> ArrangeAsync(TestDatabase db)
    {
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        var project = await db.CreateTaskProjectAsync(a.Id, items: 40, name: "Pairs");
        var annotator = a.Member(OrgRoles.Annotator);
        await using (var ctx = db.Factory.CreateForTenant(a.Id))
        {
            // Long responses make the file span several of the writer's chunks, so ranges cut through the middle of it.
            await ctx.Items.Where(i => i.ProjectId == project.Id).ExecuteUpdateAsync(x => x.SetProperty(i => i.ResponseA, i => i.ResponseA + " " + new string('a', 3000)));
            var items = await ctx.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).ToListAsync();
            foreach (var (item, n) in items.Select((item, n) => (item, n)))
            {
                await db.AddTestAnnotationAsync(a.Id, item, annotator.Id, n % 3 == 0 ? PreferenceChoice.B : PreferenceChoice.A);
            }
        }

        var admin = a.Member(OrgRoles.ProjectAdmin).Id;
        var release = await db.CutTestReleaseAsync(a.Id, project.Id, "alpha v1", admin);
        await db.ReleaseService().GrantAsync(a.Id, project.Id, release.Id, a.Member(OrgRoles.Client).Id, admin);
        using var scope = db.Services.CreateScope();
        var organisations = scope.ServiceProvider.GetRequiredService<OrganisationService>();
        var ungranted = await organisations.CreateUserAsync("client2@alpha.test", Builders.Password, "Second client");
        await organisations.GrantAsync(a.Id, ungranted.Id, OrgRoles.Client);
        return new Fixture(a, b, release, ungranted);
    }

    private static async Task<HttpClient> TokenClientAsync(TestDatabase db, PortalFactory app, PortalUser user)
    {
        using var scope = db.Services.CreateScope();
        var token = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(user.Id, "releases", null);
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }

    private static async Task<List<DownloadLog>> LogAsync(TestDatabase db, Fixture f)
    {
        await using var ctx = db.Factory.CreateForTenant(f.A.Id);
        return await ctx.DownloadLogs.AsNoTracking().Where(d => d.ReleaseId == f.Release.Id).OrderBy(d => d.At).ToListAsync();
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Download_TwiceByPageAndByToken_GivesIdenticalBytesWithTheHashAsETagAndLogsBoth(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var f = await ArrangeAsync(db);
        await using var app = new PortalFactory(db);
        var client = f.A.Member(OrgRoles.Client);
        var page = await app.SignInAsync(client.Email!);
        var api = await TokenClientAsync(db, app, client);

        var listed = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/{f.A.Id}/releases");
        Assert.Equal(f.Release.Id, Assert.Single(listed.EnumerateArray().ToList()).GetProperty("id").GetGuid());

        var first = await page.GetAsync(f.Download());
        var second = await api.GetAsync(f.Download());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var bytes = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(bytes, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(40, bytes.Count(b => b == (byte)'\n'));
        Assert.Equal($"\"{ContentHash.Of(bytes)}\"", first.Headers.ETag!.Tag);
        Assert.Equal(bytes.Length, first.Content.Headers.ContentLength);
        Assert.Contains("bytes", first.Headers.AcceptRanges);
        Assert.Equal("alpha-v1.trl-plain.jsonl", first.Content.Headers.ContentDisposition!.FileNameStar);

        using var again = new HttpRequestMessage(HttpMethod.Get, f.Download());
        again.Headers.IfNoneMatch.Add(first.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, (await api.SendAsync(again)).StatusCode);

        var card = await api.GetStringAsync(f.Download("format=card"));
        Assert.Contains("# alpha v1", card, StringComparison.Ordinal);
        Assert.Contains(ContentHash.Of(bytes), card, StringComparison.Ordinal);

        var log = await LogAsync(db, f);
        Assert.Equal(["trl-plain:page:" + bytes.Length, "trl-plain:api:" + bytes.Length, "card:api:" + System.Text.Encoding.UTF8.GetByteCount(card)],
            log.Select(d => $"{d.Format}:{d.Via}:{d.Bytes}"));
        Assert.All(log, d => Assert.Equal(client.Id, d.UserId));
    }

    [Fact]
    public async Task Download_ParquetChoice_StreamsTheStoredParquetFileWithItsHashAndARangeOfIt()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var f = await ArrangeAsync(db);
        await using var app = new PortalFactory(db);
        var api = await TokenClientAsync(db, app, f.A.Member(OrgRoles.Client));

        var response = await api.GetAsync(f.Download("format=trl-messages-parquet"));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apache.parquet", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("alpha-v1.trl-messages.parquet", response.Content.Headers.ContentDisposition!.FileNameStar);
        Assert.Equal("PAR1"u8.ToArray(), bytes[..4]);
        Assert.Equal("PAR1"u8.ToArray(), bytes[^4..]);
        Assert.Equal($"\"{ContentHash.Of(bytes)}\"", response.Headers.ETag!.Tag);
        Assert.Equal(await db.ExportTestReleaseAsync(f.A.Id, f.Release, "trl-messages-parquet"), bytes);

        using var range = new HttpRequestMessage(HttpMethod.Get, f.Download("format=trl-messages-parquet"));
        range.Headers.Range = RangeHeaderValue.Parse("bytes=100-");
        var tail = await api.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes[100..], await tail.Content.ReadAsByteArrayAsync());

        var card = await api.GetStringAsync(f.Download("format=card&of=trl-messages-parquet"));
        Assert.Contains("as Apache Parquet", card, StringComparison.Ordinal);
        Assert.Contains(ContentHash.Of(bytes), card, StringComparison.Ordinal);
        Assert.Contains("`alpha-v1.hh-rlhf.parquet`", card, StringComparison.Ordinal);
        Assert.Contains("hh-rlhf-parquet", await (await api.GetAsync(f.Download("format=nope-parquet"))).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("trl-messages-parquet:api:" + bytes.Length, (await LogAsync(db, f)).Select(d => $"{d.Format}:{d.Via}:{d.Bytes}"));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Range_ResumedDownloads_PlainAndGzip_ConcatenateToTheFullFile(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var f = await ArrangeAsync(db);
        await using var app = new PortalFactory(db);
        var api = await TokenClientAsync(db, app, f.A.Member(OrgRoles.Client));
        var full = await api.GetByteArrayAsync(f.Download());
        Assert.True(full.Length > 100_000, $"the file is only {full.Length} bytes");

        async Task<(HttpResponseMessage Response, byte[] Bytes)> Get(string url, string? range = null, bool gzip = false, string? ifRange = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (range is not null)
            {
                request.Headers.Range = RangeHeaderValue.Parse(range);
            }

            if (gzip)
            {
                request.Headers.AcceptEncoding.ParseAdd("gzip");
            }

            if (ifRange is not null)
            {
                request.Headers.IfRange = new RangeConditionHeaderValue(ifRange);
            }

            var response = await api.SendAsync(request);
            return (response, await response.Content.ReadAsByteArrayAsync());
        }

        // The connection drops after 70,001 bytes; the client resumes from there.
        var (head, part1) = await Get(f.Download(), "bytes=0-70000");
        var (tail, part2) = await Get(f.Download(), "bytes=70001-");
        Assert.Equal((HttpStatusCode.PartialContent, HttpStatusCode.PartialContent), (head.StatusCode, tail.StatusCode));
        Assert.Equal($"bytes 70001-{full.Length - 1}/{full.Length}", tail.Content.Headers.ContentRange!.ToString());
        Assert.Equal(full, part1.Concat(part2).ToArray());
        var (_, last) = await Get(f.Download(), "bytes=-100");
        Assert.Equal(full[^100..], last);

        var (plainGz, gz) = await Get(f.Download(), gzip: true);
        Assert.Equal("gzip", Assert.Single(plainGz.Content.Headers.ContentEncoding));
        Assert.Equal(gz.Length, plainGz.Content.Headers.ContentLength);
        Assert.Equal(full, Gunzip(gz));
        Assert.Equal(gz, await api.GetByteArrayAsync(f.Download("format=trl-plain&gzip=true")));
        var (gzHead, gz1) = await Get(f.Download(), $"bytes=0-{(gz.Length / 3) - 1}", gzip: true);
        var (_, gz2) = await Get(f.Download(), $"bytes={gz.Length / 3}-", gzip: true);
        Assert.Equal(HttpStatusCode.PartialContent, gzHead.StatusCode);
        Assert.Equal(gz, gz1.Concat(gz2).ToArray());

        var (beyond, _) = await Get(f.Download(), $"bytes={full.Length}-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        var (changed, whole) = await Get(f.Download(), "bytes=5-", ifRange: "\"not-the-etag\"");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(full, whole);

        var log = await LogAsync(db, f);
        Assert.Equal(70001, log.Single(d => d.RangeStart == 0 && !d.Gzip).Bytes);
        Assert.Equal(full.Length - 70001, log.Single(d => d.RangeStart == 70001).Bytes);
        Assert.Contains(log, d => d.Gzip && d.RangeStart == gz.Length / 3 && d.Bytes == gz.Length - (gz.Length / 3));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Clients_OfAnotherOrganisationOrWithoutAGrant_CannotListOpenOrDownload(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var f = await ArrangeAsync(db);
        await using var app = new PortalFactory(db);
        var other = await app.SignInAsync(f.B.Member(OrgRoles.Client).Email!);
        var otherApi = await TokenClientAsync(db, app, f.B.Member(OrgRoles.Client));
        var ungranted = await app.SignInAsync(f.UngrantedClient.Email!);
        var annotator = await app.SignInAsync(f.A.Member(OrgRoles.Annotator).Email!);
        var granted = await app.SignInAsync(f.A.Member(OrgRoles.Client).Email!);
        var inB = $"/api/v1/orgs/{f.B.Id}/releases/{f.Release.Id}";

        foreach (var (who, client) in new[] { ("client of B", other), ("client of B, token", otherApi) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/orgs/{f.A.Id}/releases")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(f.Download())).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(inB + "/download?format=trl-plain")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(inB)).StatusCode);
            Assert.Equal("[]", await client.GetStringAsync($"/api/v1/orgs/{f.B.Id}/releases"));
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/orgs/{f.A.Id}/client/releases/{f.Release.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/orgs/{f.B.Id}/client/releases/{f.Release.Id}")).StatusCode);
            Assert.DoesNotContain("alpha v1", await client.GetStringAsync($"/orgs/{f.B.Id}/client"), StringComparison.Ordinal);
        }

        Assert.Equal("[]", await ungranted.GetStringAsync($"/api/v1/orgs/{f.A.Id}/releases"));
        Assert.Equal(HttpStatusCode.NotFound, (await ungranted.GetAsync(f.Download())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ungranted.GetAsync(f.Download("format=card"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ungranted.GetAsync($"/api/v1/orgs/{f.A.Id}/releases/{f.Release.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ungranted.GetAsync($"/orgs/{f.A.Id}/client/releases/{f.Release.Id}")).StatusCode);
        Assert.DoesNotContain("alpha v1", await ungranted.GetStringAsync($"/orgs/{f.A.Id}/client"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.GetAsync(f.Download())).StatusCode);

        Assert.Contains("alpha v1", await granted.GetStringAsync($"/orgs/{f.A.Id}/client"), StringComparison.Ordinal);
        Assert.Contains("alpha v1", await granted.GetStringAsync($"/orgs/{f.A.Id}/client/releases/{f.Release.Id}"), StringComparison.Ordinal);
        Assert.Empty(await LogAsync(db, f));

        var bad = await granted.GetAsync(f.Download("format=parquet"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("trl-plain, trl-messages, hh-rlhf", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await granted.GetAsync(f.Download("format=likert-items-csv"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await granted.GetAsync(f.Download("format=trl-plain&ties=maybe"))).StatusCode);
        Assert.Empty(await LogAsync(db, f));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task AdminApi_CutsAsAJobThenGrantsAndRevokes(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var f = await ArrangeAsync(db);
        await using var app = new PortalFactory(db, jobs: true);
        var admin = await app.SignInAsync(f.A.Member(OrgRoles.ProjectAdmin).Email!);
        var root = $"/api/v1/orgs/{f.A.Id}/projects/{f.Release.ProjectId}/releases";

        var invalid = await admin.PostAsJsonAsync(root, new { name = "v2", filters = new { minAgreement = 2 } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("filters.minAgreement", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var cut = await admin.PostAsJsonAsync(root, new { name = "v2", filters = new { minRatings = 1, labels = "human" } });
        Assert.Equal(HttpStatusCode.Accepted, cut.StatusCode);
        var run = await PortalFactory.WaitForRunAsync(admin, cut.Headers.Location!.OriginalString);
        Assert.Equal("Succeeded", run.Status);
        var id = (await cut.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("releaseId").GetGuid();

        var detail = await admin.GetFromJsonAsync<JsonElement>($"{root}/{id}");
        Assert.Equal("Ready", detail.GetProperty("summary").GetProperty("status").GetString());
        Assert.Equal(40, detail.GetProperty("summary").GetProperty("items").GetInt32());
        Assert.Equal(f.Release.Id, detail.GetProperty("diff").GetProperty("previousReleaseId").GetGuid());
        // Three pairwise formats, with ties kept and left out, each as JSON Lines and as Parquet.
        Assert.Equal(12, detail.GetProperty("files").GetArrayLength());
        Assert.Equal(40, detail.GetProperty("diff").GetProperty("unchanged").GetInt32());

        var client = f.UngrantedClient;
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync($"{root}/{id}/grants/{f.A.Member(OrgRoles.Annotator).Id}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync($"{root}/{id}/grants/{client.Id}", null)).StatusCode);
        var clientApi = await TokenClientAsync(db, app, client);
        Assert.Equal(HttpStatusCode.OK, (await clientApi.GetAsync($"/api/v1/orgs/{f.A.Id}/releases/{id}/download?format=hh-rlhf&ties=keep")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{root}/{id}/grants/{client.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await clientApi.GetAsync($"/api/v1/orgs/{f.A.Id}/releases/{id}/download?format=hh-rlhf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"{root}/{id}/grants/{client.Id}")).StatusCode);
    }

    private static byte[] Gunzip(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
