using Portal.App.Data;
using Portal.App.Features.Releases;
using Portal.Web.Features.Releases;

namespace Portal.Web.Components.Tests.Features.Releases;

public class ReleaseCountsTests : PortalComponentTest
{
    private static ReleaseSummary Summary(bool pairwise, string? hash) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "Pairs", "v1", ReleaseStatus.Ready, pairwise, 20, 3, 2, 55, 4, hash, DateTime.UtcNow, DateTime.UtcNow, null, null);

    [Fact]
    public void Render_PairwiseRelease_ShowsPairsWithoutTiesLabelSourcesAndTheWholeHash()
    {
        var hash = string.Concat(Enumerable.Repeat("0123456789abcdef", 4));
        var stats = new ReleaseStats { MeanItemAgreement = 0.8125, LabelSources = new() { ["human_majority"] = 15, ["ai_confirmed"] = 5, ["ai_only"] = 0 } };

        var cut = Render<ReleaseCounts>(p => p.Add(x => x.Summary, Summary(true, hash)).Add(x => x.Stats, stats));

        Assert.Equal("20", cut.Find("[data-testid=release-items]").TextContent);
        Assert.Equal("15", cut.Find("[data-testid=release-pairs]").TextContent);
        Assert.Equal("0.813", cut.Find("[data-testid=release-agreement]").TextContent);
        Assert.Equal("human majority 15 · ai confirmed 5", cut.Find("[data-testid=release-label-sources]").TextContent);
        Assert.Equal(hash, cut.Find("[data-testid=release-hash]").TextContent);
        Assert.Single(cut.FindAll("[data-testid=copy-release-hash]"));
    }

    [Fact]
    public void Render_LikertReleaseBeingCut_ShowsNoPairsAndSaysTheHashIsToCome()
    {
        var cut = Render<ReleaseCounts>(p => p.Add(x => x.Summary, Summary(false, null)).Add(x => x.Stats, new ReleaseStats()));

        Assert.Empty(cut.FindAll("[data-testid=release-pairs]"));
        Assert.Empty(cut.FindAll("[data-testid=release-label-sources]"));
        Assert.Equal("—", cut.Find("[data-testid=release-agreement]").TextContent);
        Assert.Contains("not yet", cut.Find("[data-testid=release-hash]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=copy-release-hash]"));
    }
}
