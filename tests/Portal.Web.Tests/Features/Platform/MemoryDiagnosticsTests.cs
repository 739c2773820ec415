using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Platform;

/// <summary>The circuit benchmark's memory endpoint: absent unless switched on, and then for platform admins only.</summary>
public class MemoryDiagnosticsTests
{
    private const string Path = "/api/v1/platform/diagnostics/memory";
    private static readonly Dictionary<string, string> On = new() { ["Diagnostics:MemoryEndpoint"] = "true" };

    [Fact]
    public async Task Memory_SwitchedOff_IsNotThereEvenForAPlatformAdmin()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var app = new PortalFactory(db);
        var admin = await app.SignInPlatformAdminAsync();

        var response = await admin.GetAsync(Path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Memory_SwitchedOn_PlatformAdminGetsTheHeapAndCircuits()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var app = new PortalFactory(db, settings: On);
        var admin = await app.SignInPlatformAdminAsync();

        var report = await admin.GetFromJsonAsync<Report>(Path);

        Assert.NotNull(report);
        Assert.Equal(0, report.OpenCircuits);
        Assert.InRange(report.HeapBytes, 1, report.CommittedBytes);
        Assert.True(report.WorkingSetBytes > report.HeapBytes, $"working set {report.WorkingSetBytes} ≤ heap {report.HeapBytes}");
    }

    [Theory]
    [InlineData(OrgRoles.OrgAdmin)]
    [InlineData(OrgRoles.Annotator)]
    [InlineData(null)]
    public async Task Memory_SwitchedOn_AnyoneButAPlatformAdminIsRefused(OrgRoles? role)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var app = new PortalFactory(db, settings: On);
        var client = role is null ? app.Anonymous() : await app.SignInAsync(tenant.Member(role.Value).Email!);

        var response = await client.GetAsync(Path);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        Assert.DoesNotContain("heapBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }


    private sealed record Report(int OpenCircuits, int Circuits, long HeapBytes, long CommittedBytes, long WorkingSetBytes, long PrivateBytes, bool ServerGc);
}
