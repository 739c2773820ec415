using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.TestSupport;
using Portal.Web.Features.Annotate;

namespace Portal.Web.Components.Tests.Features.Annotate;

public class AnnotatorHomePageTests : PortalComponentTest
{
    [Fact]
    public async Task Projects_ShowAsCardsWithCountsThatLeaveGoldOutOnBothSides()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var project = await db.CreateTaskProjectAsync(tenant.Organisation.Id, ProjectKind.Pairwise, items: 5, overlap: 1, name: "Chatbot A/B");
        await using (var ctx = db.Factory.CreateForTenant(tenant.Organisation.Id))
        {
            await ctx.Items.Where(i => i.ProjectId == project.Id && i.ExternalId == "item-001").ExecuteUpdateAsync(x => x.SetProperty(i => i.IsGold, true));
        }

        SignIn("annotator", tenant.Members[OrgRoles.Annotator].Id);
        var cut = Render<AnnotatorHomePage>(p => p.Add(x => x.OrgId, tenant.Organisation.Id));

        var card = cut.FindAll("[data-testid=annotator-project]").Single(c => c.GetAttribute("data-project") == "Chatbot A/B");
        var counts = card.QuerySelector("[data-testid=project-counts]")!;
        Assert.Equal(("4", "0"), (counts.GetAttribute("data-available"), counts.GetAttribute("data-done")));
        Assert.Contains("0 of 4 items rated by you · 4 left for you", counts.TextContent, StringComparison.Ordinal);
        Assert.Equal("h1", cut.Find("[data-testid=home-annotator]").TagName.ToLowerInvariant());
    }

    [Fact]
    public async Task Start_Clicked_OpensTheProjectsTaskPage()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        SignIn("annotator", tenant.Members[OrgRoles.Annotator].Id);
        var cut = Render<AnnotatorHomePage>(p => p.Add(x => x.OrgId, tenant.Organisation.Id));

        cut.Find($"button[aria-label='Start {tenant.Project.Name}']").Click();

        var navigation = Services.GetRequiredService<BunitNavigationManager>();
        Assert.EndsWith($"/orgs/{tenant.Organisation.Id}/projects/{tenant.Project.Id}/annotate", navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PausedProject_ShowsPausedInsteadOfStart()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var me = tenant.Members[OrgRoles.Annotator].Id;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Organisation.Id))
        {
            ctx.ProjectAnnotators.Add(new ProjectAnnotator { ProjectId = tenant.Project.Id, AnnotatorId = me, PausedAt = DateTime.UtcNow, PauseReason = "test" });
            await ctx.SaveChangesAsync();
        }

        SignIn("annotator", me);
        var cut = Render<AnnotatorHomePage>(p => p.Add(x => x.OrgId, tenant.Organisation.Id));

        Assert.Single(cut.FindAll("[data-testid=project-paused]"));
        Assert.Empty(cut.FindAll("[data-testid=start-task]"));
    }
}
