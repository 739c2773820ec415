using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Guidelines;
using Portal.App.Features.Organisations;
using Portal.Core.Aggregation;
using Portal.Web.Features.Guidelines;

namespace Portal.Web.Components.Tests.Features.Guidelines;

public class QualificationTakePageTests : QualityAreaTest
{
    private Guid AnnotatorId => Tenant.Member(OrgRoles.Annotator).Id;

    private QualificationService Qualification => Services.GetRequiredService<QualificationService>();

    /// <summary>A pairwise project whose first two items are gold (A right) and make the test.</summary>
    private async Task<Guid> TestAsync(int tries = 3)
    {
        var (project, items) = await ProjectAsync(4);
        await MakeGoldAsync(items[0]);
        await MakeGoldAsync(items[1]);
        await Qualification.SetTestAsync(OrgId, project.Id, new QualificationTestInput([items[0].Id, items[1].Id], 1.0, tries, 0));
        return project.Id;
    }

    private IRenderedComponent<QualificationTakePage> RenderTest(Guid projectId)
    {
        SignInAs("annotator@quality.test", AnnotatorId);
        return Render<QualificationTakePage>(p => p.Add(x => x.OrgId, OrgId).Add(x => x.ProjectId, projectId));
    }

    [Fact]
    public async Task Submit_LeftChosenOnEveryQuestion_SendsLeftAndIsScoredInTheItemsTerms()
    {
        var projectId = await TestAsync();
        var cut = RenderTest(projectId);
        Assert.Equal("1", cut.Find("[data-testid=qualification-take]").GetAttribute("data-attempt"));
        Assert.StartsWith("Try 1:", cut.Find("[data-testid=qualification-intro]").TextContent.Trim(), StringComparison.Ordinal);

        for (var i = 0; i < 2; i++)
        {
            cut.FindAll("[data-testid=qualification-question]")[i].QuerySelector("[data-testid=q-choose-left]")!.Click();
        }

        Assert.All(cut.FindAll("[data-testid=q-choose-left]"), b => Assert.Equal("true", b.GetAttribute("aria-pressed")));
        cut.Find("[data-testid=qualification-submit]").Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=qualification-result]")));
        var attempt = Assert.Single((await Qualification.AttemptsAsync(OrgId, projectId))!);
        Assert.All(attempt.Answers, a => Assert.Equal(a.LeftIsA == false ? PreferenceChoice.B : PreferenceChoice.A, a.Choice));
        Assert.Equal(attempt.Answers.Count(a => a.LeftIsA != false), attempt.Correct);
        Assert.Equal(attempt.Passed ? "true" : "false", cut.Find("[data-testid=qualification-result]").GetAttribute("data-passed"));
    }

    [Fact]
    public async Task Render_AfterAFailedTry_IsTheSecondAttempt()
    {
        var projectId = await TestAsync();
        var sheet = (await Qualification.SheetAsync(OrgId, projectId, AnnotatorId))!;
        await Qualification.SubmitAsync(OrgId, projectId, AnnotatorId, [.. sheet.Items.Select(i => new QualificationAnswer(i.ItemId, ShownChoice.Tie))], sheet.Attempt);

        var cut = RenderTest(projectId);

        Assert.Equal("2", cut.Find("[data-testid=qualification-take]").GetAttribute("data-attempt"));
        Assert.StartsWith("Try 2:", cut.Find("[data-testid=qualification-intro]").TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_NoTest_SaysSoAndLeadsToTheTasks()
    {
        var (project, _) = await ProjectAsync();

        var cut = RenderTest(project.Id);

        Assert.Contains("no qualification test", cut.Find("[data-testid=qualification-none]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"/orgs/{OrgId}/projects/{project.Id}/annotate", cut.Find("[data-testid=continue-tasks]").GetAttribute("href"));
    }
}
