using MudBlazor;

namespace Portal.Web.Components.Layout;

/// <summary>The portal's one theme: palette, dark palette, typography and layout sizes. No colours in page markup.</summary>
public static class PortalTheme
{
    public static MudTheme Theme { get; } = Create();

    /// <summary>A new instance of the theme (<see cref="ThemeStylesheet"/> scopes a copy of it to the dark class).</summary>
    public static MudTheme Create() => new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3f51b5",
            Secondary = "#00897b",
            Tertiary = "#8e24aa",
            AppbarBackground = "#283593",
            AppbarText = "#ffffff",
            Background = "#f7f8fb",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            Success = "#2e7d32",
            Warning = "#b26a00",
            Error = "#b3261e",
            Info = "#0277bd",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8da",
            Secondary = "#4db6ac",
            Tertiary = "#ce93d8",
            AppbarBackground = "#1c1f2b",
            AppbarText = "#e8eaf6",
            Background = "#14161f",
            Surface = "#1e2130",
            DrawerBackground = "#1a1d29",
            Success = "#81c784",
            Warning = "#ffb74d",
            Error = "#f28b82",
            Info = "#4fc3f7",
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "8px",
            DrawerWidthLeft = "232px",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Roboto", "Helvetica", "Arial", "sans-serif"] },
            H4 = new H4Typography { FontSize = "1.75rem", FontWeight = "500" },
            H5 = new H5Typography { FontSize = "1.35rem", FontWeight = "500" },
            H6 = new H6Typography { FontSize = "1.1rem", FontWeight = "500" },
        },
    };
}
