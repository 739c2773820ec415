using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.Web.Features.Guidelines;

namespace Portal.Web.Components.Tests.Features.Guidelines;

public class GuidelinesPageTests : QualityAreaTest
{
    private IRenderedComponent<GuidelinesPage> RenderEditor(Guid projectId)
    {
        SignInAdmin();
        return Render<GuidelinesPage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, projectId));
    }

    private static void Type(IRenderedComponent<GuidelinesPage> cut, string markdown) =>
        TextBox(cut.Find("[data-testid=guideline-markdown]")).Input(markdown);

    private static void Publish(IRenderedComponent<GuidelinesPage> cut, string note, bool major)
    {
        TextBox(cut.Find("[data-testid=guideline-note]")).Change(note);
        var radio = cut.FindAll("[data-testid=guideline-change] input[type=radio]")[major ? 1 : 0];
        radio.Click();
        cut.Find("[data-testid=guideline-publish]").Click();
    }

    [Fact]
    public async Task Preview_ScriptAndHtmlPayloads_ShownAsTextNeverAsElements()
    {
        var (project, _) = await ProjectAsync();
        var cut = RenderEditor(project.Id);

        Type(cut, "# Rules\n\n<script>window.__pwned = 1</script>\n\n<img src=x onerror=\"alert(1)\">\n\n<iframe src=\"https://example.com\"></iframe>");

        cut.WaitForAssertion(() => Assert.Contains("<script>window.__pwned = 1</script>", cut.Find("[data-testid=guideline-preview]").TextContent, StringComparison.Ordinal));
        var preview = cut.Find("[data-testid=guideline-preview]");
        Assert.Empty(preview.QuerySelectorAll("script, img, iframe"));
        Assert.Equal("Rules", preview.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Preview_ExampleOfAGoldItem_ShowsItsExpectedAnswerAndWarnsItLeavesTheGoldChecks()
    {
        var (project, items) = await ProjectAsync();
        await MakeGoldAsync(items[0], "Paris is the **capital**.");
        var cut = RenderEditor(project.Id);

        Type(cut, "# Examples\n\n@example(item-001)\n\n@example(item-002)\n");

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=guideline-example]").Count));
        var gold = cut.FindAll("[data-testid=guideline-example]").Single(e => e.GetAttribute("data-example") == "item-001");
        Assert.Equal("Expected: A is better", gold.QuerySelector("[data-testid=guideline-example-expected]")!.TextContent.Trim());
        Assert.Equal("capital", gold.QuerySelector("[data-testid=guideline-example-why] strong")!.TextContent);
        Assert.NotNull(gold.QuerySelector("[data-testid=guideline-example-gold]"));
        var warning = cut.Find("[data-testid=guideline-gold-example-warning]").TextContent;
        Assert.Contains("item-001", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("item-002", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_ExamplesOfOrdinaryAndUnknownItems_NoWarningAndSaysWhichIsMissing()
    {
        var (project, _) = await ProjectAsync();
        var cut = RenderEditor(project.Id);

        Type(cut, "@example(item-002)\n\n@example(nope-9)\n");

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=guideline-example]").Count));
        Assert.Empty(cut.FindAll("[data-testid=guideline-gold-example-warning]"));
        Assert.Contains("nope-9", cut.Find("[data-testid=guideline-example-missing]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_Minor_WritesTheVersionWithoutAsking()
    {
        var (project, _) = await ProjectAsync();
        var providers = RenderProviders();
        var cut = RenderEditor(project.Id);
        Type(cut, "# Rules\n\nPrefer the correct answer.");

        Publish(cut, "First version", major: false);

        cut.WaitForAssertion(() => Assert.Equal("First version", cut.Find("[data-testid=history-note]").TextContent.Trim()));
        Assert.DoesNotContain("Publish a major version?", providers.Markup, StringComparison.Ordinal);
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        var version = await ctx.GuidelineVersions.SingleAsync(v => v.ProjectId == project.Id);
        Assert.Equal(GuidelineChange.Minor, version.Change);
        Assert.Equal("# Rules\n\nPrefer the correct answer.", version.Markdown);
    }

    [Fact]
    public async Task Publish_MajorCancelled_AsksFirstAndPublishesNothing()
    {
        var (project, _) = await ProjectAsync();
        var providers = RenderProviders();
        var cut = RenderEditor(project.Id);

        Publish(cut, "Sources now count", major: true);
        providers.WaitForAssertion(() => Assert.Contains("Publish a major version?", providers.Markup, StringComparison.Ordinal));
        Assert.Contains("qualification test again", providers.Markup, StringComparison.Ordinal);
        providers.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.False(await ctx.GuidelineVersions.AnyAsync(v => v.ProjectId == project.Id));
    }

    [Fact]
    public async Task Publish_MajorConfirmed_WritesAMajorVersion()
    {
        var (project, _) = await ProjectAsync();
        var providers = RenderProviders();
        var cut = RenderEditor(project.Id);

        Publish(cut, "Sources now count", major: true);
        providers.WaitForAssertion(() => Assert.Contains("Publish a major version?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll("button").Single(b => b.TextContent.Trim() == "Publish and ask everyone to requalify").Click();

        cut.WaitForAssertion(() => Assert.Equal("Major", cut.Find("[data-testid=history-change]").TextContent.Trim()));
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.Equal(GuidelineChange.Major, (await ctx.GuidelineVersions.SingleAsync(v => v.ProjectId == project.Id)).Change);
    }

    [Fact]
    public async Task Publish_NoNote_ShowsTheProblemUnderTheNote()
    {
        var (project, _) = await ProjectAsync();
        var cut = RenderEditor(project.Id);

        cut.Find("[data-testid=guideline-publish]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Say what changed", cut.Markup, StringComparison.Ordinal));
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        Assert.False(await ctx.GuidelineVersions.AnyAsync());
    }
}
