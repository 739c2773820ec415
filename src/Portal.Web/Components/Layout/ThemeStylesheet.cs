using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace Portal.Web.Components.Layout;

/// <summary>
/// The portal's theme (<see cref="PortalTheme"/>) as one stylesheet: MudBlazor's CSS variables for the light palette on
/// <c>:root</c> and for the dark one on <c>:root.portal-dark</c> (the class <c>js/theme.js</c> sets), with the scrollbar
/// and chart rules <see cref="MudThemeProvider"/> adds. Built once at start by rendering <see cref="MudThemeProvider"/>
/// itself, so the variables are exactly the ones it would write, and served as a cached file.
/// </summary>
/// <remarks>
/// A <see cref="MudThemeProvider"/> in the layout builds this text of about 10 KB for every circuit, keeps it in its render
/// tree (twice after the dark mode is read), and a default <see cref="MudTheme"/> of its own beside the one it is given:
/// tens of KB a connected user (README, "Server memory per annotator page"). MudBlazor's components need only the CSS
/// variables, not the provider.
/// </remarks>
public sealed partial class ThemeStylesheet
{
    public const string Path = "/theme.css";

    /// <summary>The class on <c>&lt;html&gt;</c> that selects the dark palette.</summary>
    public const string DarkClass = "portal-dark";

    private ThemeStylesheet(string css)
    {
        Css = css;
        Version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(css)))[..12];
    }

    public string Css { get; }

    /// <summary>A hash of <see cref="Css"/>, for the address: a new theme is a new address, so the file can be cached for good.</summary>
    public string Version { get; }

    /// <summary>The address to link, with <see cref="Version"/>.</summary>
    public string Href => $"{Path}?v={Version}";

    public static async Task<ThemeStylesheet> BuildAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
        var dark = PortalTheme.Create();
        dark.PseudoCss = new PseudoCss { Scope = ":root." + DarkClass };
        var (lightHtml, darkHtml) = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var light = await renderer.RenderComponentAsync<MudThemeProvider>(Parameters(PortalTheme.Theme, isDark: false));
            var darkOutput = await renderer.RenderComponentAsync<MudThemeProvider>(Parameters(dark, isDark: true));
            return (light.ToHtmlString(), darkOutput.ToHtmlString());
        });

        // All of the light provider's styles (scrollbar, charts, variables); of the dark one only its variables.
        var darkVariables = ThemeBlock().Match(darkHtml);
        if (!darkVariables.Success || !darkVariables.Value.Contains(":root." + DarkClass, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("MudThemeProvider's output has changed: its theme <style> was not found.");
        }

        return new ThemeStylesheet(StyleTags().Replace(lightHtml, "").Trim() + "\n" + StyleTags().Replace(darkVariables.Value, "").Trim() + "\n");
    }

    private static ParameterView Parameters(MudTheme theme, bool isDark) => ParameterView.FromDictionary(new Dictionary<string, object?>
    {
        [nameof(MudThemeProvider.Theme)] = theme,
        [nameof(MudThemeProvider.IsDarkMode)] = isDark,
    });

    [GeneratedRegex("<style class='mud-theme-provider'>.*?</style>", RegexOptions.Singleline)]
    private static partial Regex ThemeBlock();

    [GeneratedRegex("</?style[^>]*>")]
    private static partial Regex StyleTags();
}

public static class ThemeStylesheetEndpoints
{
    /// <summary>Builds the theme's stylesheet once, at the first request for it or for a page that links it.</summary>
    /// <remarks>On the thread pool: the first caller may be a page rendering on its renderer's synchronization context.</remarks>
    public static IServiceCollection AddThemeStylesheet(this IServiceCollection services) =>
        services.AddSingleton(sp => Task.Run(() => ThemeStylesheet.BuildAsync(sp)).GetAwaiter().GetResult());

    /// <summary>
    /// <c>GET /theme.css</c>: the theme's CSS, for everyone (the sign-in page wears it too), cached for a year: its address
    /// carries a hash of its text.
    /// </summary>
    public static IEndpointConventionBuilder MapThemeStylesheet(this IEndpointRouteBuilder app) =>
        app.MapMethods(ThemeStylesheet.Path, [HttpMethods.Get, HttpMethods.Head], (HttpContext context, ThemeStylesheet sheet) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return TypedResults.Text(sheet.Css, "text/css; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
}
