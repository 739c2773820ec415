using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.TestSupport;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

/// <summary>Back on the task page: the last answer comes back to be changed, and a submit revises that same annotation.</summary>
public class TaskPageBackTests : PortalComponentTest
{
    private static readonly AttributeDefinition[] TwoAttributes =
    [
        new("helpfulness", "Helpfulness", "Does what was asked.", 1, 5),
        new("accuracy", "Accuracy", "No false statements.", 1, 5),
    ];

    private TestDatabase _db = default!;
    private TestTenant _tenant = default!;
    private Project _project = default!;

    private Guid Me => _tenant.Members[OrgRoles.Annotator].Id;

    private async Task<IRenderedComponent<TaskPage>> OpenAsync()
    {
        _db = await UseDatabaseAsync();
        _tenant = await _db.CreateTestTenantAsync("Acme");
        var settings = ProjectSettings.Default with { Attributes = TwoAttributes, Gold = new GoldOptions { Rate = 0 } };
        _project = await _db.CreateTaskProjectAsync(_tenant.Organisation.Id, ProjectKind.Likert, 3, overlap: 1, settings: settings, name: "Sample project");
        SignIn("annotator", Me);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var cut = Render<TaskPage>(p => p.Add(x => x.OrgId, _tenant.Organisation.Id).Add(x => x.ProjectId, _project.Id));
        cut.WaitForState(() => cut.FindAll("[data-testid=task]").Count > 0);
        return cut;
    }

    private static Task Key(IRenderedComponent<TaskPage> cut, string key) => cut.InvokeAsync(() => cut.Instance.OnKey(key));

    private static IReadOnlyList<string?> Values(IRenderedComponent<TaskPage> cut) =>
        [.. cut.FindAll("[data-testid=rating-row]").Select(r => r.GetAttribute("data-value"))];

    private async Task<List<Annotation>> AnnotationsAsync()
    {
        await using var ctx = _db.Factory.CreateForTenant(_tenant.Organisation.Id);
        return await ctx.Annotations.AsNoTracking().Where(a => a.ProjectId == _project.Id).ToListAsync();
    }

    private static async Task<string> AnswerFirstAsync(IRenderedComponent<TaskPage> cut)
    {
        var first = cut.Find("[data-testid=response]").TextContent;
        await Key(cut, "4");
        await Key(cut, "2");
        await Key(cut, "Enter");
        cut.WaitForAssertion(() => Assert.NotEqual(first, cut.Find("[data-testid=response]").TextContent));
        return first;
    }

    [Fact]
    public async Task Backspace_AfterASubmit_BringsTheAnswerBackAndSubmitRevisesTheSameAnnotation()
    {
        var cut = await OpenAsync();
        var first = await AnswerFirstAsync(cut);
        var held = cut.Find("[data-testid=response]").TextContent;

        await Key(cut, "Backspace");

        Assert.NotNull(cut.Find("[data-testid=revising]"));
        Assert.Equal(first, cut.Find("[data-testid=response]").TextContent);
        Assert.Equal(["4", "2"], Values(cut));
        Assert.Empty(cut.FindAll("[data-testid=skip]"));
        Assert.Equal("Save the change", cut.Find("[data-testid=submit]").TextContent.Trim());

        await Key(cut, "ArrowUp");
        await Key(cut, "ArrowUp");
        await Key(cut, "5");
        await Key(cut, "Enter");

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=revising]")));
        Assert.Equal(held, cut.Find("[data-testid=response]").TextContent);
        Assert.Contains("Your answer was changed.", cut.Find("[data-testid=back-message]").TextContent, StringComparison.Ordinal);
        var stored = Assert.Single(await AnnotationsAsync());
        Assert.Equal((5, 2, 1), (stored.Scores!["helpfulness"], stored.Scores!["accuracy"], stored.Revisions));
        Assert.Contains("1 of 3 items of this project rated by you", cut.Find("[data-testid=done-by-me]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escape_WhileChangingAnAnswer_LeavesItAsItWasAndReturnsToTheHeldTask()
    {
        var cut = await OpenAsync();
        await AnswerFirstAsync(cut);
        var held = cut.Find("[data-testid=response]").TextContent;
        await Key(cut, "Backspace");
        await Key(cut, "ArrowUp");
        await Key(cut, "1");

        await Key(cut, "Escape");

        cut.WaitForAssertion(() => Assert.Equal(held, cut.Find("[data-testid=response]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=revising]"));
        var stored = Assert.Single(await AnnotationsAsync());
        Assert.Equal((4, 2, 0), (stored.Scores!["helpfulness"], stored.Scores!["accuracy"], stored.Revisions));
    }

    [Fact]
    public async Task Back_BeforeAnyAnswer_SaysThereIsNothingToChange()
    {
        var cut = await OpenAsync();

        cut.Find("[data-testid=back]").Click();

        cut.WaitForAssertion(() => Assert.Contains("no answer of yours here that can still be changed", cut.Find("[data-testid=back-message]").TextContent,
            StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=revising]"));
    }

    [Fact]
    public void KeyList_ListsBackspaceForBack()
    {
        var hints = TaskKeys.For(ProjectKind.Likert, null, TwoAttributes);

        Assert.Contains(hints, h => h.Keys.SequenceEqual(["Backspace"]) && h.Action.StartsWith("back", StringComparison.Ordinal));
    }
}
