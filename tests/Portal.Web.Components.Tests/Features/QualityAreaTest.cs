using Bunit.TestDoubles;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Features.Jobs;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features;

/// <summary>
/// Base of the quality, calibration and guidelines page tests: a real SQLite database with a tenant, a project of
/// items and annotators, the admin signed in; the project links and the job-run table (other areas' components) stubbed.
/// </summary>
public abstract class QualityAreaTest : PortalComponentTest
{
    protected TestDatabase Db { get; private set; } = null!;

    protected TestTenant Tenant { get; private set; } = null!;

    protected Guid OrgId => Tenant.Id;

    protected Guid AdminId => Tenant.Member(OrgRoles.ProjectAdmin).Id;

    protected QualityAreaTest()
    {
        ComponentFactories.AddStub<ProjectNav>();
        ComponentFactories.AddStub<JobRunsTable>();
    }

    private BunitAuthorizationContext _auth = null!;

    public override async Task InitializeAsync()
    {
        Db = await UseDatabaseAsync();
        _auth = AddAuthorization();
        Tenant = await Db.CreateTestTenantAsync("Quality area");
    }

    protected void SignInAdmin() => SignInAs("admin@quality.test", AdminId);

    /// <summary>Who the page sees signed in (the services are registered once, before the first is used, so only the person changes).</summary>
    protected void SignInAs(string name, Guid userId)
    {
        _auth.SetAuthorized(name);
        _auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, userId.ToString()));
    }

    /// <summary>A pairwise (or other kind) project with <paramref name="items"/> items item-001…, and its items in order.</summary>
    protected async Task<(Project Project, List<Item> Items)> ProjectAsync(int items = 4, ProjectKind kind = ProjectKind.Pairwise, ProjectSettings? settings = null)
    {
        var project = await Db.CreateTaskProjectAsync(OrgId, kind, items: items, settings: settings
            ?? ProjectSettings.Default with { Pairwise = new PairwiseOptions { StrengthLevels = 0 }, Gold = new GoldOptions { Rate = 0 } });
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        return (project, [.. ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId)]);
    }

    /// <summary>The text box a test id names: the element itself when MudBlazor put the id on the input, else the input inside it.</summary>
    protected static AngleSharp.Dom.IElement TextBox(AngleSharp.Dom.IElement marked) =>
        marked.TagName is "INPUT" or "TEXTAREA" ? marked : marked.QuerySelector("input, textarea")!;

    /// <summary>Makes the item gold with the expected choice A and an explanation.</summary>
    protected async Task MakeGoldAsync(Item item, string explanation = "A is right.")
    {
        await using var ctx = Db.Factory.CreateForTenant(OrgId);
        var stored = ctx.Items.Single(i => i.Id == item.Id);
        stored.IsGold = true;
        stored.Gold = new GoldAnswer { Choice = PreferenceChoice.A, Explanation = explanation };
        await ctx.SaveChangesAsync();
    }
}
