using AngleSharp.Dom;
using MudBlazor;
using Portal.Web.Components.Shared;

namespace Portal.Web.Components.Tests.Components.Shared;

/// <summary>
/// The task page draws its static buttons and icons as plain elements with MudBlazor's classes (MudMarkup): they must
/// look the same, so their classes are compared with what the MudBlazor components render for the same settings.
/// </summary>
public class MudMarkupTests : PortalComponentTest
{
    public static TheoryData<Variant, Color, Size, bool> Buttons => new()
    {
        { Variant.Filled, Color.Primary, Size.Medium, true },
        { Variant.Outlined, Color.Default, Size.Medium, true },
        { Variant.Text, Color.Default, Size.Medium, true },
        { Variant.Text, Color.Error, Size.Medium, true },
        { Variant.Text, Color.Inherit, Size.Small, true },
        { Variant.Filled, Color.Primary, Size.Small, false },
        { Variant.Outlined, Color.Default, Size.Small, false },
        { Variant.Filled, Color.Error, Size.Small, false },
    };

    [Theory]
    [MemberData(nameof(Buttons))]
    public void ButtonClass_IsMudButtonsClassList(Variant variant, Color color, Size size, bool dropShadow)
    {
        var cut = Render<MudButton>(p => p.Add(x => x.Variant, variant).Add(x => x.Color, color).Add(x => x.Size, size)
            .Add(x => x.DropShadow, dropShadow).Add(x => x.Class, "extra"));

        var plain = MudMarkup.ButtonClass(variant, color, size, "extra", dropShadow);

        Assert.Equal(Classes(cut.Find("button")), plain.Split(' '));
    }

    [Fact]
    public void StartIcon_IsMudButtonsStartIconMarkup()
    {
        var cut = Render<MudButton>(p => p.Add(x => x.StartIcon, Icons.Material.Filled.Send).Add(x => x.Variant, Variant.Filled));
        var plain = Render(MudMarkup.StartIcon(Icons.Material.Filled.Send));

        var mud = cut.Find(".mud-button-icon-start");
        var ours = plain.Find(".mud-button-icon-start");
        Assert.Equal(Classes(mud), Classes(ours));
        Assert.Equal(Classes(mud.QuerySelector("svg")!), Classes(ours.QuerySelector("svg")!));
        Assert.Equal(mud.QuerySelector("svg")!.InnerHtml.Trim(), ours.QuerySelector("svg")!.InnerHtml.Trim());
        Assert.Equal("true", ours.QuerySelector("svg")!.GetAttribute("aria-hidden"));
    }

    [Theory]
    [InlineData(Color.Inherit, Size.Medium, Edge.False)]
    [InlineData(Color.Inherit, Size.Medium, Edge.Start)]
    [InlineData(Color.Inherit, Size.Small, Edge.False)]
    [InlineData(Color.Default, Size.Medium, Edge.False)]
    public void IconButtonClass_IsMudIconButtonsClassList(Color color, Size size, Edge edge)
    {
        var cut = Render<MudIconButton>(p => p.Add(x => x.Icon, Icons.Material.Filled.Menu).Add(x => x.Color, color)
            .Add(x => x.Size, size).Add(x => x.Edge, edge).Add(x => x.Class, "extra"));
        var plain = Render(MudMarkup.Icon(Icons.Material.Filled.Menu, size));

        Assert.Equal(Classes(cut.Find("button")), MudMarkup.IconButtonClass(color, size, edge, "extra").Split(' '));
        Assert.Equal(Classes(cut.Find("svg")), Classes(plain.Find("svg")));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("some text", false)]
    [InlineData("", true)]
    [InlineData("some text", true)]
    public void TextAreaClasses_AreAnOutlinedDenseMudTextFieldsClasses(string value, bool error)
    {
        var cut = Render<MudTextField<string>>(p => p.Add(x => x.Label, "Rationale").Add(x => x.Lines, 2)
            .Add(x => x.Variant, Variant.Outlined).Add(x => x.Margin, Margin.Dense).Add(x => x.Immediate, true).Add(x => x.Value, value)
            .Add(x => x.Error, error).Add(x => x.ErrorText, error ? "Too short." : null));

        Assert.Equal(Classes(cut.Find(".mud-input-control")), MudMarkup.TextAreaControlClass(error).Split(' '));
        Assert.Equal(Classes(cut.Find(".mud-input")), MudMarkup.TextAreaInputClass(value.Length > 0, error).Split(' '));
        Assert.Equal(Classes(cut.Find("textarea")), MudMarkup.TextAreaSlotClass.Split(' '));
        Assert.Equal("2", cut.Find("textarea").GetAttribute("rows"));
        Assert.Equal(Classes(cut.Find("label")), MudMarkup.TextAreaLabelClass(error).Split(' '));
        Assert.Equal("mud-input-outlined-border", cut.Find("fieldset").ClassName);
        Assert.Equal("Rationale", cut.Find("fieldset legend").TextContent);
        Assert.Equal(error, cut.FindAll(".mud-input-control-helper-container.px-2 > .d-flex.mud-input-helper-text.mud-input-error > .me-auto").Count == 1);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(100.0 / 3)]
    [InlineData(62.5)]
    [InlineData(100.0)]
    public void ProgressLinear_IsMudProgressLinearsMarkup(double value)
    {
        var cut = Render<MudProgressLinear>(p => p.Add(x => x.Value, value).Add(x => x.Color, Color.Primary).Add(x => x.Rounded, true)
            .Add(x => x.Size, Size.Small).Add(x => x.Class, "extra").AddUnmatched("aria-label", "3 of 9"));
        var plain = Render(MudMarkup.ProgressLinear(value, Color.Primary, Size.Small, rounded: true, "extra", "3 of 9"));

        var mud = cut.Find("[role=progressbar]");
        var ours = plain.Find("[role=progressbar]");
        Assert.Equal(Classes(mud), Classes(ours));
        foreach (var name in new[] { "aria-busy", "aria-valuenow", "aria-valuemin", "aria-valuemax", "aria-live", "aria-label" })
        {
            Assert.Equal(mud.GetAttribute(name), ours.GetAttribute(name));
        }

        Assert.Equal(Classes(mud.QuerySelector(".mud-progress-linear-bars")!), Classes(ours.QuerySelector(".mud-progress-linear-bars")!));
        Assert.Equal(mud.QuerySelector(".mud-progress-linear-bar")!.GetAttribute("style"), ours.QuerySelector(".mud-progress-linear-bar")!.GetAttribute("style"));
        Assert.Equal(mud.QuerySelectorAll("div").Length, ours.QuerySelectorAll("div").Length);
    }

    private static string[] Classes(IElement element) => element.ClassList.ToArray();
}
