using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class NewProjectDialogTests : PortalComponentTest
{
    private async Task<(TestDatabase Db, TestTenant Tenant, IRenderedComponent<MudProviders> Providers, IDialogReference Dialog)> OpenAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var providers = RenderProviders();
        var dialog = await providers.InvokeAsync(() => Dialogs.ShowAsync<NewProjectDialog>("New project",
            new DialogParameters<NewProjectDialog> { { x => x.OrgId, tenant.Id } }));
        providers.WaitForAssertion(() => providers.Find("[data-testid=create-project]"));
        return (db, tenant, providers, dialog);
    }

    [Fact]
    public async Task Create_NoName_ShowsTheProblemUnderTheNameAndStaysOpen()
    {
        var (db, tenant, providers, dialog) = await OpenAsync();

        providers.Find("[data-testid=create-project]").Click();

        providers.WaitForAssertion(() => Assert.Contains("mud-input-error", providers.Find(".mud-input-control:has([data-testid=new-project-name])").OuterHtml, StringComparison.Ordinal));
        Assert.NotEmpty(providers.Find(".mud-input-control:has([data-testid=new-project-name]) .mud-input-helper-text").TextContent.Trim());
        Assert.False(dialog.Result.IsCompleted);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(1, await ctx.Projects.CountAsync());
    }

    [Fact]
    public async Task Create_NameAndKind_WritesTheProjectAndClosesWithIt()
    {
        var (db, tenant, providers, dialog) = await OpenAsync();

        providers.Find("input[data-testid=new-project-name]").Input("Tone checks");
        providers.Find("[data-testid=new-project-kind]").QuerySelectorAll(".mud-toggle-item").First(e => e.TextContent.Trim() == "Likert").Click();
        providers.Find("[data-testid=create-project]").Click();

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(30));
        var created = Assert.IsType<ProjectDetails>(result!.Data);
        Assert.Equal("Tone checks", created.Name);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var row = await ctx.Projects.SingleAsync(p => p.Id == created.Id);
        Assert.Equal(Portal.App.Data.ProjectKind.Likert, row.Kind);
    }
}
