using Portal.App.Data;
using Portal.App.Features.Releases;
using Portal.Web.Features.Releases;

namespace Portal.Web.Components.Tests.Features.Releases;

public class ReleaseFilesTests : PortalComponentTest
{
    private static readonly Guid Org = Guid.NewGuid();
    private static readonly string Sha = new string('a', 32) + new string('b', 32);

    private static ReleaseSummary Summary(bool pairwise = true) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "Pairs", "v1", ReleaseStatus.Ready, pairwise, 10, 1, 1, 30, 3, new string('c', 64), DateTime.UtcNow, DateTime.UtcNow, null, null);

    private IRenderedComponent<ReleaseFiles> RenderFiles(ReleaseSummary summary, params ReleaseFile[] files) =>
        Render<ReleaseFiles>(p => p.Add(x => x.OrgId, Org).Add(x => x.Summary, summary).Add(x => x.Files, files));

    [Fact]
    public void Render_ReadyFile_ShowsTheWholeSha256WithACopyButton()
    {
        var cut = RenderFiles(Summary(), new ReleaseFile("trl-plain", false, 2048, Sha, 512, "g"));

        var hash = cut.Find("[data-testid=release-file-sha]");
        Assert.Equal(Sha, hash.TextContent);
        Assert.Equal(Sha, hash.GetAttribute("title"));
        Assert.Single(cut.FindAll("[data-testid=copy-trl-plain]"));
        Assert.Contains("2.0 KiB", cut.Find("[data-testid=release-file]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void CopyHash_Click_PutsTheWholeHashOnTheClipboard()
    {
        JSInterop.Setup<bool>("portal.copy", Sha).SetResult(true);
        RenderProviders();
        var cut = RenderFiles(Summary(), new ReleaseFile("trl-plain", false, 10, Sha, 5, "g"));

        cut.Find("button[data-testid=copy-trl-plain]").Click();

        JSInterop.VerifyInvoke("portal.copy");
    }

    [Fact]
    public void Render_Files_LinkEachToTheDownloadApiWithItsFormatAndTies()
    {
        var summary = Summary();
        var cut = RenderFiles(summary, new ReleaseFile("trl-plain", false, 10, Sha, 5, "g"), new ReleaseFile("trl-plain", true, 12, Sha, 6, "g"));

        var plain = cut.Find("a[data-testid=download-trl-plain]");
        Assert.Equal($"/api/v1/orgs/{Org}/releases/{summary.Id}/download?format=trl-plain", plain.GetAttribute("href"));
        Assert.True(plain.HasAttribute("download"));
        Assert.Equal("false", plain.GetAttribute("data-enhance-nav"));
        Assert.Equal($"/api/v1/orgs/{Org}/releases/{summary.Id}/download?format=trl-plain&ties=keep",
            cut.Find("a[data-testid=download-trl-plain-ties]").GetAttribute("href"));
        Assert.Equal($"/api/v1/orgs/{Org}/releases/{summary.Id}/download?format=card", cut.Find("a[data-testid=download-card]").GetAttribute("href"));
        Assert.Contains("kept, flagged", cut.FindAll("[data-testid=release-file]")[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FileTheRowsCannotTake_SaysWhyInsteadOfALink()
    {
        var cut = RenderFiles(Summary(), new ReleaseFile("hh-rlhf", false, 0, "", 0, "", "a system turn has no HH transcript"));

        Assert.Empty(cut.FindAll("[data-testid=download-hh-rlhf]"));
        Assert.Contains("not available: a system turn has no HH transcript", cut.Find("[data-testid=release-file-error]").TextContent, StringComparison.Ordinal);
    }
}
