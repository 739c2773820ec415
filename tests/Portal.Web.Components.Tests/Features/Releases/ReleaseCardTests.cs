using Portal.Web.Features.Releases;

namespace Portal.Web.Components.Tests.Features.Releases;

public class ReleaseCardTests : PortalComponentTest
{
    [Fact]
    public void Render_CardWithATitle_ShowsItOneLevelDownSoThePageKeepsOneH1()
    {
        var cut = Render<ReleaseCard>(p => p.Add(x => x.Markdown, "# Spring v1\n\n## Filters\n\n```\n# not a heading\n```\n"));

        Assert.Empty(cut.FindAll("h1"));
        Assert.Equal("Spring v1", cut.Find("h2").TextContent);
        Assert.Equal("Filters", cut.Find("h3").TextContent);
        Assert.Contains("# not a heading", cut.Find("pre").TextContent, StringComparison.Ordinal);
    }
}
