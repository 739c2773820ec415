using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.TestSupport;
using Portal.Web.Features.Home;

namespace Portal.Web.Components.Tests.Features.Home;

public class HomePageTests : PortalComponentTest
{
    [Fact]
    public async Task NoOrganisation_SaysToAskForAnInvite()
    {
        var db = await UseDatabaseAsync();
        using var scope = db.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<OrganisationService>().CreateUserAsync("loner@nowhere.test", Builders.Password, "Loner");
        SignIn("loner", user.Id);

        var cut = Render<HomePage>();

        Assert.Contains("invite link", cut.Find("[data-testid=no-organisation]").TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("h1"));
    }

    [Fact]
    public async Task Member_IsSentToTheirOrganisationsHome()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        SignIn("annotator", tenant.Members[OrgRoles.Annotator].Id);

        Render<HomePage>();

        Assert.EndsWith($"/orgs/{tenant.Organisation.Id}/annotate", Services.GetRequiredService<BunitNavigationManager>().Uri, StringComparison.Ordinal);
    }
}
