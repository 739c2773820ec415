using Portal.App.Features.Quality;
using Portal.Web.Features.Quality;

namespace Portal.Web.Components.Tests.Features.Quality;

public class KappaHeatMapTests : PortalComponentTest
{
    private static readonly Guid Ann = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Bob = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid Cat = Guid.Parse("00000000-0000-0000-0000-00000000000c");

    private IRenderedComponent<KappaHeatMap> RenderMap(params PairAgreement[] pairs) => Render<KappaHeatMap>(p => p.Add(x => x.Pairs, pairs));

    private static AngleSharp.Dom.IElement Cell(IRenderedComponent<KappaHeatMap> cut, string row, string col) =>
        cut.FindAll("[data-testid=kappa-cell]").Single(c => c.GetAttribute("data-row") == row && c.GetAttribute("data-col") == col);

    [Fact]
    public void Render_ThreePairs_EachCellShowsItsKappaAndItsBand()
    {
        var cut = RenderMap(new PairAgreement(Ann, Bob, "Ann", "Bob", 0.82, 10), new PairAgreement(Ann, Cat, "Ann", "Cat", -0.25, 10),
            new PairAgreement(Bob, Cat, "Bob", "Cat", 0.3, 8));

        Assert.Equal(["Ann", "Bob", "Cat"], cut.FindAll("tbody th[scope=row]").Select(t => t.TextContent.Trim()));
        Assert.Equal("0.82", Cell(cut, "Ann", "Bob").TextContent.Trim());
        Assert.Contains("kappa-strong", Cell(cut, "Bob", "Ann").ClassList);
        Assert.Equal("-0.25", Cell(cut, "Cat", "Ann").TextContent.Trim());
        Assert.Contains("kappa-negative", Cell(cut, "Ann", "Cat").ClassList);
        Assert.Contains("kappa-weak", Cell(cut, "Bob", "Cat").ClassList);
        Assert.Contains("kappa-self", Cell(cut, "Bob", "Bob").ClassList);
        Assert.Equal("κ = 0.30 over 8 shared items", Cell(cut, "Bob", "Cat").GetAttribute("title"));
    }

    [Fact]
    public void Render_PairWithoutKappa_GreyCellWithADash()
    {
        var cut = RenderMap(new PairAgreement(Ann, Bob, "Ann", "Bob", null, 1));

        var cell = Cell(cut, "Ann", "Bob");
        Assert.Contains("kappa-none", cell.ClassList);
        Assert.Equal("—", cell.TextContent.Trim());
    }

    [Fact]
    public void Render_Legend_ExplainsEveryColourBand()
    {
        var cut = RenderMap(new PairAgreement(Ann, Bob, "Ann", "Bob", 0.5, 4));

        var legend = cut.Find("[data-testid=kappa-legend]");
        Assert.Equal(5, legend.QuerySelectorAll(".kappa-swatch").Length);
        Assert.Contains("worse than chance", legend.TextContent, StringComparison.Ordinal);
        Assert.Contains("kappa-moderate", Cell(cut, "Ann", "Bob").ClassList);
    }
}
