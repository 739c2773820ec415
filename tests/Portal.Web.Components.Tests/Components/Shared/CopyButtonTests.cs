using Portal.Web.Components.Shared;

namespace Portal.Web.Components.Tests.Components.Shared;

public class CopyButtonTests : PortalComponentTest
{
    [Fact]
    public void Click_BrowserCopies_SendsTheValueAndSaysCopied()
    {
        JSInterop.Setup<bool>("portal.copy", "https://portal/invite/abc").SetResult(true);
        var providers = RenderProviders();
        var cut = Render<CopyButton>(p => p.Add(x => x.Value, "https://portal/invite/abc").Add(x => x.Label, "Copy link"));

        cut.Find("button[aria-label='Copy link']").Click();

        JSInterop.VerifyInvoke("portal.copy");
        providers.WaitForAssertion(() => Assert.Contains("Copied.", providers.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Click_BrowserRefuses_SaysHowToCopyByHand()
    {
        JSInterop.Setup<bool>("portal.copy", "secret").SetResult(false);
        var providers = RenderProviders();
        var cut = Render<CopyButton>(p => p.Add(x => x.Value, "secret"));

        cut.Find("button").Click();

        providers.WaitForAssertion(() => Assert.Contains("select the text and copy it", providers.Markup, StringComparison.Ordinal));
    }
}
