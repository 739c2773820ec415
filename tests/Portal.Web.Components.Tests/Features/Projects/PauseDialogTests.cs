using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.App.Data;
using Portal.App.Features.Gold;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class PauseDialogTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant, IRenderedComponent<MudProviders> Providers, IDialogReference Dialog)> OpenAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var standing = (await Services.GetRequiredService<ProjectAnnotatorService>().ListAsync(tenant.Id, tenant.Project.Id))!.Single();
        var providers = RenderProviders();
        var dialog = await providers.InvokeAsync(() => Dialogs.ShowAsync<PauseDialog>("Pause?", new DialogParameters<PauseDialog>
        {
            { x => x.OrgId, tenant.Id },
            { x => x.ProjectId, tenant.Project.Id },
            { x => x.Annotator, standing },
            { x => x.AdminId, tenant.Member(OrgRoles.ProjectAdmin).Id },
        }));
        providers.WaitForAssertion(() => providers.Find("[data-testid=pause-dialog]"));
        return (db, tenant, providers, dialog);
    }

    [Fact]
    public async Task Pause_WithAReason_PausesTheAnnotatorInTheProject()
    {
        var (db, tenant, providers, dialog) = await OpenAsync();

        providers.Find("input[data-testid=pause-reason]").Input("Rushes through tasks.");
        providers.Find("[data-testid=confirm-pause]").Click();

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(30));
        var standing = Assert.IsType<AnnotatorStanding>(result!.Data);
        Assert.True(standing.Paused);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var row = await ctx.ProjectAnnotators.SingleAsync(a => a.AnnotatorId == tenant.Member(OrgRoles.Annotator).Id);
        Assert.Equal("Rushes through tasks.", row.PauseReason);
    }

    [Fact]
    public async Task Pause_WithoutAReason_SaysWhyItIsNeededAndPausesNobody()
    {
        var (db, tenant, providers, dialog) = await OpenAsync();

        providers.Find("[data-testid=confirm-pause]").Click();

        providers.WaitForAssertion(() => Assert.Contains("Say why", providers.Find("[data-testid=problem-reason]").TextContent, StringComparison.Ordinal));
        Assert.False(dialog.Result.IsCompleted);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.False(await ctx.ProjectAnnotators.AnyAsync(a => a.PausedAt != null));
    }
}
