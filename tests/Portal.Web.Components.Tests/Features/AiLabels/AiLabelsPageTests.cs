using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Portal.TestSupport;
using Portal.Web.Components.Tests.Features.Releases;
using Portal.Web.Features.AiLabels;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.AiLabels;

public class AiLabelsPageTests : PortalComponentTest
{
    public AiLabelsPageTests()
    {
        ComponentFactories.AddStub<ProjectNav>();
    }

    private async Task<(TestDatabase Db, TestTenant Tenant, IRenderedComponent<MudProviders> Providers, IRenderedComponent<AiLabelsPage> Cut)> RenderPageAsync(
        ProjectKind kind = ProjectKind.Pairwise)
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var projectId = tenant.Project.Id;
        if (kind == ProjectKind.Likert)
        {
            projectId = (await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 2)).Id;
        }

        SignIn("admin", tenant.Member(OrgRoles.ProjectAdmin).Id);
        var providers = RenderProviders();
        var cut = Render<AiLabelsPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, projectId));
        cut.WaitForElement("[data-testid=ai-labels-title]");
        return (db, tenant, providers, cut);
    }

    private static string FieldText(IRenderedComponent<AiLabelsPage> cut, string testId) =>
        cut.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.TextContent;

    [Fact]
    public async Task Save_NoBaseUrlNorModel_ShowsEachProblemUnderItsFieldAndSavesNothing()
    {
        var (db, tenant, _, cut) = await RenderPageAsync();

        cut.Find("[data-testid=llm-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("The base URL is an absolute http(s) URL", FieldText(cut, "llm-base-url"), StringComparison.Ordinal));
        Assert.Contains("The model name is 1 to 200 characters.", FieldText(cut, "llm-model"), StringComparison.Ordinal);
        Assert.Contains("Nothing was saved", cut.Find("[data-testid=llm-problems]").TextContent, StringComparison.Ordinal);
        var stored = await Services.GetRequiredService<LlmLabelerService>().GetSettingsAsync(tenant.Id, tenant.Project.Id);
        Assert.Null(stored!.UpdatedAt);
        Assert.True(cut.Find("[data-testid=llm-run]").HasAttribute("disabled"));
        _ = db;
    }

    [Fact]
    public async Task Save_ValidSettings_StoresThemSaysSoAndEnablesLabelling()
    {
        var (_, tenant, providers, cut) = await RenderPageAsync();
        cut.Find("input[data-testid=llm-base-url]").Change("https://llm.example.test/v1");
        cut.Find("input[data-testid=llm-model]").Change("judge-1");

        cut.Find("[data-testid=llm-save]").Click();

        providers.WaitForAssertion(() => Assert.Contains("LLM labeler saved (prompt version 1).", providers.Markup, StringComparison.Ordinal));
        var stored = await Services.GetRequiredService<LlmLabelerService>().GetSettingsAsync(tenant.Id, tenant.Project.Id);
        Assert.Equal("https://llm.example.test/v1", stored!.BaseUrl);
        Assert.Equal("judge-1", stored.Model);
        Assert.False(cut.Find("[data-testid=llm-run]").HasAttribute("disabled"));
        Assert.Empty(cut.FindAll(".mud-input-error"));
    }

    [Fact]
    public async Task RelabelEveryItem_Cancelled_AsksFirstAndStartsNoJob()
    {
        var (db, tenant, providers, cut) = await RenderPageAsync();
        cut.Find("input[data-testid=llm-base-url]").Change("https://llm.example.test/v1");
        cut.Find("input[data-testid=llm-model]").Change("judge-1");
        cut.Find("[data-testid=llm-save]").Click();
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=llm-run-all]").HasAttribute("disabled")));

        cut.Find("[data-testid=llm-run-all]").Click();
        providers.WaitForAssertion(() => Assert.Contains("The replaced labels cannot be restored.", providers.Markup, StringComparison.Ordinal));
        providers.FindAll(".mud-dialog button").Single(b => b.TextContent.Contains("Cancel", StringComparison.Ordinal)).Click();

        providers.WaitForAssertion(() => Assert.Empty(providers.FindAll(".mud-dialog")));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.JobRuns.CountAsync());
    }

    [Fact]
    public async Task Upload_NotALabelFile_SaysWhichFilesItTakesUnderTheInput()
    {
        var (db, tenant, _, cut) = await RenderPageAsync();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("hello", "labels.txt"));

        cut.WaitForAssertion(() => Assert.Contains("'labels.txt' is not a label file: choose a .jsonl, .json or .gz file.",
            cut.Find("[data-testid=ai-labels-file-error]").TextContent, StringComparison.Ordinal));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.JobRuns.CountAsync());
    }

    [Fact]
    public async Task Render_LikertProject_ExplainsAiLabelsArePairwiseAndOffersNoForms()
    {
        var (_, _, _, cut) = await RenderPageAsync(ProjectKind.Likert);

        Assert.Contains("they are for pairwise projects", cut.Find("[data-testid=ai-labels-likert]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=llm-labeler]"));
        Assert.Empty(cut.FindAll("[data-testid=ai-labels-file]"));
    }
}
