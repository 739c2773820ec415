using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Portal.Web.Components.Shared;

/// <summary>
/// MudBlazor's look as plain elements, for the pages many people keep open at once (the annotator's task page). Every
/// MudBlazor component is two to four live components in the circuit, each with its own render-tree buffers (2.5 KB at
/// least) and state; a static button or icon needs none of that. These give the same CSS classes the components
/// would (MudMarkupTests compares them), so the page looks the same. Interactive widgets (text fields, overlays) stay
/// components.
/// </summary>
internal static class MudMarkup
{
    /// <summary>The classes of a <c>MudButton</c> with these settings (ripple on; no drop shadow when asked).</summary>
    public static string ButtonClass(Variant variant, Color color, Size size = Size.Medium, string? extra = null, bool dropShadow = true)
    {
        var v = Name(variant);
        var classes = $"mud-button-root mud-button mud-button-{v} mud-button-{v}-{Name(color)} mud-button-{v}-size-{Name(size)} mud-ripple";
        if (!dropShadow)
        {
            classes += " mud-button-disable-elevation";
        }

        return extra is null ? classes : classes + " " + extra;
    }

    /// <summary>The classes of a <c>MudIconButton</c> (no variant) with these settings.</summary>
    public static string IconButtonClass(Color color, Size size = Size.Medium, Edge edge = Edge.False, string? extra = null)
    {
        var classes = "mud-button-root mud-icon-button";
        if (color != Color.Default)
        {
            classes += $" mud-{Name(color)}-text hover:mud-{Name(color)}-hover";
        }

        classes += " mud-ripple mud-ripple-icon";
        if (size != Size.Medium)
        {
            classes += $" mud-icon-button-size-{Name(size)}";
        }

        if (edge != Edge.False)
        {
            classes += $" mud-icon-button-edge-{Name(edge)}";
        }

        return extra is null ? classes : classes + " " + extra;
    }

    /// <summary>A <c>MudIcon</c>'s SVG (an icon of <see cref="Icons"/>), taking its button's colour: decorative, hidden from screen readers.</summary>
    public static RenderFragment Icon(string svg, Size size = Size.Medium, string? extra = null) => builder =>
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", extra is null ? $"mud-icon-root mud-svg-icon mud-icon-size-{Name(size)}" : $"mud-icon-root mud-svg-icon mud-icon-size-{Name(size)} {extra}");
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddAttribute(5, "role", "img");
        builder.AddMarkupContent(6, svg);
        builder.CloseElement();
    };

    /// <summary>A <c>MudButton</c>'s start icon: the icon in its span.</summary>
    public static RenderFragment StartIcon(string svg, Size size = Size.Medium) => builder =>
    {
        builder.OpenElement(0, "span");
        builder.AddAttribute(1, "class", $"mud-button-icon-start mud-button-icon-size-{Name(size)}");
        builder.AddContent(2, Icon(svg, size));
        builder.CloseElement();
    };

    /// <summary>
    /// The classes of an outlined, dense <c>MudTextField</c> with a label and <c>Lines</c> above 1, part by part: the
    /// control around everything (<paramref name="error"/>: the field shows an error).
    /// </summary>
    public static string TextAreaControlClass(bool error) => error
        ? "mud-input-control mud-input-control-margin-dense mud-input-error mud-input-outlined-with-label mud-input-input-control mud-input-sizing-fixed"
        : "mud-input-control mud-input-control-margin-dense mud-input-outlined-with-label mud-input-input-control mud-input-sizing-fixed";

    /// <summary>The box around the textarea; <paramref name="shrink"/> (the field has text) keeps the label up, as focus does.</summary>
    public static string TextAreaInputClass(bool shrink, bool error) =>
        "mud-input mud-input-outlined mud-input-outlined-with-label mud-input-margin-dense"
        + (shrink ? " mud-shrink" : "") + (error ? " mud-input-error" : "") + " mud-typography-subtitle1 mud-input-sizing-fixed";

    /// <summary>The textarea itself.</summary>
    public const string TextAreaSlotClass = "mud-input-slot mud-input-root mud-input-root-outlined mud-input-root-margin-dense";

    /// <summary>The label, drawn over the border until the field has focus or text.</summary>
    public static string TextAreaLabelClass(bool error) => error
        ? "mud-input-label mud-input-label-animated mud-input-label-outlined mud-input-label-margin-dense mud-input-error mud-input-label-inputcontrol"
        : "mud-input-label mud-input-label-animated mud-input-label-outlined mud-input-label-margin-dense mud-input-label-inputcontrol";

    /// <summary>
    /// A determinate, horizontal <c>MudProgressLinear</c> (no buffer, no stripes): the same elements, classes, style and
    /// ARIA attributes (MudMarkupTests compares them), <paramref name="value"/> a percentage of 0 to 100.
    /// </summary>
    public static RenderFragment ProgressLinear(double value, Color color, Size size, bool rounded, string? extra, string? ariaLabel) => builder =>
    {
        var percent = Math.Clamp(value, 0, 100);
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "role", "progressbar");
        builder.AddAttribute(2, "aria-busy", percent < 100 ? "true" : "false");
        builder.AddAttribute(3, "aria-valuenow", percent.ToString(CultureInfo.InvariantCulture));
        builder.AddAttribute(4, "aria-valuemin", "0");
        builder.AddAttribute(5, "aria-valuemax", "100");
        builder.AddAttribute(6, "aria-live", "polite");
        builder.AddAttribute(7, "class", $"mud-progress-linear{(rounded ? " mud-progress-linear-rounded" : "")} mud-progress-linear-{Name(size)} "
            + $"mud-progress-linear-color-{Name(color)} mud-progress-linear-background horizontal{(extra is null ? "" : " " + extra)}");
        builder.AddAttribute(8, "aria-label", ariaLabel);
        builder.OpenElement(9, "div");
        builder.AddAttribute(10, "class", "mud-progress-linear-bars mud-flip-x-rtl");
        builder.OpenElement(11, "div");
        builder.AddAttribute(12, "class", "mud-progress-linear-bar");
        builder.AddAttribute(13, "style", $"transform: translateX(-{(int)Math.Round(100.0 - percent)}%);");
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
    };

    /// <summary>"true" or "false", for aria-pressed and friends.</summary>
    public static string Aria(bool on) => on ? "true" : "false";

    private static string Name(Variant variant) => variant switch
    {
        Variant.Filled => "filled",
        Variant.Outlined => "outlined",
        _ => "text",
    };

    private static string Name(Color color) => color switch
    {
        Color.Primary => "primary",
        Color.Secondary => "secondary",
        Color.Tertiary => "tertiary",
        Color.Info => "info",
        Color.Success => "success",
        Color.Warning => "warning",
        Color.Error => "error",
        Color.Dark => "dark",
        Color.Transparent => "transparent",
        Color.Inherit => "inherit",
        Color.Surface => "surface",
        _ => "default",
    };

    private static string Name(Size size) => size switch
    {
        Size.Small => "small",
        Size.Large => "large",
        _ => "medium",
    };

    private static string Name(Edge edge) => edge switch
    {
        Edge.Start => "start",
        Edge.End => "end",
        _ => "false",
    };
}
