using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Web.Components.Shared;

namespace Portal.Web.Components.Layout;

/// <summary>
/// The app bar's switch between the light and the dark theme, shared by <c>MainLayout</c> and <c>TaskLayout</c>. Plain
/// markup with a <c>MudIconButton</c>'s classes: <c>js/theme.js</c> does the switching in the browser (the class on
/// <c>&lt;html&gt;</c> that <see cref="ThemeStylesheet"/> scopes the dark palette to, the stored choice, the browser's
/// preference when there is none, the button's name), so a circuit holds no theme state and no theme component.
/// </summary>
internal static class ThemeToggle
{
    /// <summary>The button: both icons, CSS shows the one that fits; the names are the light theme's until the script syncs them.</summary>
    public static RenderFragment Button { get; } = builder =>
    {
        builder.OpenElement(0, "button");
        builder.AddAttribute(1, "type", "button");
        builder.AddAttribute(2, "class", MudMarkup.IconButtonClass(Color.Inherit));
        builder.AddAttribute(3, "title", "Switch to the dark theme");
        builder.AddAttribute(4, "aria-label", "Dark theme");
        builder.AddAttribute(5, "data-theme-toggle", "");
        builder.AddAttribute(6, "data-testid", "theme-toggle");
        builder.OpenElement(7, "span");
        builder.AddAttribute(8, "class", "mud-icon-button-label");
        builder.AddContent(9, MudMarkup.Icon(Icons.Material.Filled.DarkMode, extra: "portal-when-light"));
        builder.AddContent(10, MudMarkup.Icon(Icons.Material.Filled.LightMode, extra: "portal-when-dark"));
        builder.CloseElement();
        builder.CloseElement();
    };

    /// <summary>
    /// Gives the buttons the names of the current theme. A layout calls it after its first interactive render: the circuit
    /// has just drawn a new button with the light theme's names.
    /// </summary>
    public static async Task SyncAsync(IJSRuntime js, bool firstRender, bool interactive)
    {
        if (firstRender && interactive)
        {
            await js.InvokeVoidAsync("portal.theme.sync");
        }
    }
}
