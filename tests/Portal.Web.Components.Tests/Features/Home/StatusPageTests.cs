using Portal.Web.Features.Home;

namespace Portal.Web.Components.Tests.Features.Home;

public class StatusPageTests : PortalComponentTest
{
    [Theory]
    [InlineData(401, "Please sign in", "This page needs you to be signed in.")]
    [InlineData(403, "Access denied", "Your role in this organisation does not include this page.")]
    [InlineData(500, "Something went wrong", "The server answered with status 500.")]
    public void Code_ShowsItsTitleAndWhatItMeans(int code, string title, string text)
    {
        var cut = Render<StatusPage>(p => p.Add(x => x.Code, code));

        Assert.Equal(title, Assert.Single(cut.FindAll("h1")).TextContent);
        Assert.Contains(text, cut.Find("[data-testid=status-page]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void SignInNeeded_OffersTheSignInPage()
    {
        var cut = Render<StatusPage>(p => p.Add(x => x.Code, 401));

        Assert.Equal("/account/login", cut.Find("a[href='/account/login']").GetAttribute("href"));
    }
}
