using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.App.Data;
using Portal.App.Features.Gold;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class GoldDialogTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant, Item Item, IRenderedComponent<MudProviders> Providers, IDialogReference Dialog)> OpenAsync(
        ProjectKind kind, ProjectSettings settings)
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var project = await db.CreateTaskProjectAsync(tenant.Id, kind, items: 1, settings: settings);
        Item item;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            item = await ctx.Items.SingleAsync(i => i.ProjectId == project.Id);
        }

        var details = (await Services.GetRequiredService<ProjectQueries>().GetDetailsAsync(tenant.Id, project.Id))!;
        var providers = RenderProviders();
        var dialog = await providers.InvokeAsync(() => Dialogs.ShowAsync<GoldDialog>("Mark as gold",
            new DialogParameters<GoldDialog> { { x => x.OrgId, tenant.Id }, { x => x.Project, details }, { x => x.ItemId, item.Id } }));
        providers.WaitForAssertion(() => providers.Find("[data-testid=gold-dialog]"));
        return (db, tenant, item, providers, dialog);
    }

    [Fact]
    public async Task Save_PairwiseBWithExplanation_MarksTheItemGold()
    {
        var (db, tenant, item, providers, dialog) = await OpenAsync(ProjectKind.Pairwise, ProjectSettings.Default);

        providers.Find("[data-testid=gold-choice]").QuerySelectorAll(".mud-toggle-item").First(e => e.TextContent.Trim() == "B is better").Click();
        providers.Find("textarea[data-testid=gold-explanation]").Input("B names the right city.");
        providers.Find("[data-testid=save-gold]").Click();

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsType<ItemRow>(result!.Data);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var saved = await ctx.Items.SingleAsync(i => i.Id == item.Id);
        Assert.True(saved.IsGold);
        Assert.Equal(PreferenceChoice.B, saved.Gold!.Choice);
        Assert.Equal("B names the right city.", saved.Gold.Explanation);
    }

    [Fact]
    public async Task Render_ProjectWithoutTie_OffersNoTie()
    {
        var settings = ProjectSettings.Default with { Pairwise = ProjectSettings.Default.Pairwise with { AllowTie = false } };

        var (_, _, _, providers, _) = await OpenAsync(ProjectKind.Pairwise, settings);

        var choices = providers.Find("[data-testid=gold-choice]").QuerySelectorAll(".mud-toggle-item").Select(e => e.TextContent.Trim()).ToList();
        Assert.DoesNotContain("Tie", choices);
        Assert.Contains("A is better", choices);
    }

    [Fact]
    public async Task Save_LikertScoreOffTheScale_ShowsTheProblemUnderThatScore()
    {
        var (db, tenant, item, providers, dialog) = await OpenAsync(ProjectKind.Likert, ProjectSettings.Default);
        var key = ProjectSettings.Default.Attributes[0].Key;

        providers.Find($"input[data-testid=gold-score-{key}]").Input("99");
        providers.Find("[data-testid=save-gold]").Click();

        providers.WaitForAssertion(() => providers.Find($"[data-testid='problem-scores.{key}']"));
        Assert.False(dialog.Result.IsCompleted);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.False((await ctx.Items.SingleAsync(i => i.Id == item.Id)).IsGold);
    }
}
