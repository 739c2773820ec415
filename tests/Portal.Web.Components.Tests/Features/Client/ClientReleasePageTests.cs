using System.Text;
using Portal.App.Features.Releases;
using Portal.TestSupport;
using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.Annotate;
using Portal.Web.Features.Client;

namespace Portal.Web.Components.Tests.Features.Client;

public class ClientReleasePageTests : DeliveryComponentTest
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
}
