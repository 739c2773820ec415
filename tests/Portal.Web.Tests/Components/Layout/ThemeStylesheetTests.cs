using System.Net;
using System.Text.RegularExpressions;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Components.Layout;

/// <summary>The theme is one stylesheet for every page (README, "Server memory per annotator page"), not a provider per circuit.</summary>
public partial class ThemeStylesheetTests
{
    [Fact]
    public async Task ThemeCss_LinkedFromTheSignInPage_HasTheLightAndTheDarkPaletteAndIsCachedForGood()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var app = new PortalFactory(db);
        var client = app.Anonymous();

        var page = await client.GetStringAsync("/account/login");
        var href = ThemeLink().Match(page).Groups[1].Value;
        Assert.NotEmpty(href);
        var response = await client.GetAsync(href);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var css = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<style", css, StringComparison.Ordinal);
        var dark = css.IndexOf(":root.portal-dark{", StringComparison.Ordinal);
        Assert.True(dark > 0, "no dark block");
        // PortalTheme's primary colours: #3f51b5 in the light palette, #9fa8da in the dark one.
        Assert.Contains("--mud-palette-primary: rgba(63,81,181,1);", css[..dark], StringComparison.Ordinal);
        Assert.Contains("--mud-palette-primary: rgba(159,168,218,1);", css[dark..], StringComparison.Ordinal);
        Assert.Contains("::-webkit-scrollbar", css[..dark], StringComparison.Ordinal);

        // A HEAD (proxies and link checkers ask one) gets the same answer without the body.
        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, href));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/css", head.Content.Headers.ContentType!.MediaType);
    }

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"(/theme\\.css\\?v=[0-9a-f]{12})\"")]
    private static partial Regex ThemeLink();
}
