using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Releases;
using Portal.TestSupport;
using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.Annotate;
using Portal.Web.Features.Client;

namespace Portal.Web.Components.Tests.Features.Client;

public class ClientReleasePageTests : PortalComponentTest
{
    public ClientReleasePageTests()
    {
        ComponentFactories.AddStub<MarkdownView>("<div data-testid=card-stub></div>");
    }

    [Fact]
    public async Task Render_GrantedRelease_PreviewShowsTheFirstRowsOfTheFileTheDownloadGives()
    {
        var db = await UseDatabaseAsync();
        var f = await db.GrantedReleaseAsync();
        var file = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(f.Tenant.Id, f.Release, "trl-plain"));
        var firstLines = file.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(3).ToList();
        SignIn("client", f.Client.Id);
        RenderProviders();

        var cut = Render<ClientReleasePage>(p => p.Add(x => x.OrgId, f.Tenant.Id).Add(x => x.ReleaseId, f.Release.Id));

        var preview = cut.WaitForElement("[data-testid=preview-trl-plain]");
        var lines = preview.QuerySelectorAll("[data-testid=preview-line]").Select(l => l.TextContent).ToList();
        Assert.Equal(firstLines, lines);
        Assert.Contains("trl-messages", cut.Find("[data-testid=release-preview-tabs]").TextContent, StringComparison.Ordinal);
        Assert.Contains("hh-rlhf", cut.Find("[data-testid=release-preview-tabs]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_GrantedRelease_ShowsEachFilesWholeHashAsStoredAtTheCut()
    {
        var db = await UseDatabaseAsync();
        var f = await db.GrantedReleaseAsync();
        var stored = ReleaseExporter.Files(f.Release).Where(x => x.Error is null).Select(x => x.Sha256).ToList();
        SignIn("client", f.Client.Id);
        RenderProviders();

        var cut = Render<ClientReleasePage>(p => p.Add(x => x.OrgId, f.Tenant.Id).Add(x => x.ReleaseId, f.Release.Id));

        cut.WaitForElement("[data-testid=client-release-title]");
        Assert.Equal(stored, cut.FindAll("[data-testid=release-file-sha]").Select(c => c.TextContent).ToList());
        Assert.All(stored, s => Assert.Equal(64, s.Length));
    }

    [Fact]
    public async Task Render_ReleaseNotGranted_ShowsNotFoundAndNoPreview()
    {
        var db = await UseDatabaseAsync();
        var f = await db.GrantedReleaseAsync(grant: false);
        SignIn("client", f.Client.Id);

        var cut = Render<ClientReleasePage>(p => p.Add(x => x.OrgId, f.Tenant.Id).Add(x => x.ReleaseId, f.Release.Id));

        cut.WaitForElement("[data-testid=not-found]");
        Assert.Empty(cut.FindAll("[data-testid=release-preview]"));
    }
    [Fact]
    public async Task Render_GrantedLikertRelease_PreviewShowsTheCsvHeaderAndFirstRows()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Likert");
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 5, overlap: 1, name: "Likert");
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            foreach (var item in ctx.Items.AsNoTracking().Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).ToList())
            {
                await db.AddTestAnnotationAsync(tenant.Id, item, tenant.Member(OrgRoles.Annotator).Id, null, new Dictionary<string, int> { ["helpfulness"] = 6 });
            }
        }

        var admin = tenant.Member(OrgRoles.ProjectAdmin).Id;
        var release = await db.CutTestReleaseAsync(tenant.Id, project.Id, "likert v1", admin);
        await db.ReleaseService().GrantAsync(tenant.Id, project.Id, release.Id, tenant.Member(OrgRoles.Client).Id, admin);
        var csv = Encoding.UTF8.GetString(await db.ExportTestReleaseAsync(tenant.Id, release, "likert-items-csv")).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        SignIn("client", tenant.Member(OrgRoles.Client).Id);
        RenderProviders();
        var cut = Render<ClientReleasePage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ReleaseId, release.Id));
        cut.WaitForElement("[data-testid=release-preview-tabs]");

        cut.FindAll(".mud-tab").Single(t => t.TextContent.Trim().Equals("likert-items-csv", StringComparison.OrdinalIgnoreCase)).Click();

        var preview = cut.WaitForElement("[data-testid=preview-likert-items-csv]");
        var lines = preview.QuerySelectorAll("[data-testid=preview-line]").Select(l => l.TextContent).ToList();
        Assert.Equal(csv.Take(4), lines);
        Assert.Contains("helpfulness_mean", lines[0], StringComparison.Ordinal);
        Assert.Contains("the header and the first 3 row(s)", cut.Find("[data-testid=release-preview]").TextContent, StringComparison.Ordinal);
    }
}
