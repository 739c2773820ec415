using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.TestSupport;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Projects;

public class ProjectItemPageTests : PortalComponentTest
{
    [Fact]
    public async Task Render_RatedGoldItem_ShowsConversationResponsesRatingsAndLabels()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var annotator = tenant.Member(OrgRoles.Annotator);
        Item item;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            item = new Item
            {
                ProjectId = tenant.Project.Id,
                ExternalId = "capital-1",
                ConversationJson = """[{"role":"system","content":"Be brief."},{"role":"user","content":"What is the capital of **Australia**?"}]""",
                ResponseA = "Sydney.",
                ResponseB = "Canberra.",
                IsGold = true,
                Gold = new GoldAnswer { Choice = PreferenceChoice.B, Explanation = "Canberra since 1913." },
                CreatedAt = DateTime.UtcNow,
            };
            ctx.Items.Add(item);
            ctx.AiLabels.Add(new AiLabel { ProjectId = item.ProjectId, ItemId = item.Id, Choice = PreferenceChoice.B, Confidence = 0.9, Model = "judge-1", CreatedAt = DateTime.UtcNow });
            ctx.CuratedLabels.Add(new CuratedLabel { ProjectId = item.ProjectId, ItemId = item.Id, Method = "majority", Choice = PreferenceChoice.B, Agreement = 1, Ratings = 1, ComputedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        var annotation = await db.AddTestAnnotationAsync(tenant.Id, item, annotator.Id, PreferenceChoice.B);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var row = ctx.Annotations.Single(a => a.Id == annotation.Id);
            row.GuidelineVersion = 3;
            row.Rationale = "Canberra is the capital.";
            await ctx.SaveChangesAsync();
        }

        SignIn("admin@acme.test");
        var cut = Render<ProjectItemPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id).Add(x => x.ItemId, item.Id));

        cut.WaitForAssertion(() => Assert.Equal("Item capital-1", cut.Find("h1").TextContent.Trim()));
        Assert.Contains("Australia", cut.Find("[data-testid=item-conversation]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("[data-testid=item-conversation] strong"));
        Assert.Contains("Sydney.", cut.Find("[data-testid=item-response-a]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Canberra.", cut.Find("[data-testid=item-response-b]").TextContent, StringComparison.Ordinal);
        Assert.Equal("B is better", cut.Find("[data-testid=item-gold-expected]").TextContent.Trim());
        Assert.StartsWith("B (90% confident)", cut.Find("[data-testid=item-ai-choice]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("majority", cut.Find("[data-testid=item-curated-label]").TextContent, StringComparison.Ordinal);
        Assert.Equal(annotator.DisplayName, cut.Find("[data-testid=rating-annotator]").TextContent.Trim());
        Assert.Equal("v3", cut.Find("[data-testid=rating-guideline]").TextContent.Trim());
        Assert.Contains("Canberra is the capital.", cut.Find("[data-testid=item-ratings]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_UnratedItem_SaysWhatWillAppear()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        SignIn("admin@acme.test");

        var cut = Render<ProjectItemPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id).Add(x => x.ItemId, tenant.Item.Id));

        cut.WaitForAssertion(() => cut.Find("[data-testid=item-ratings-empty]"));
        Assert.Contains("Not a gold item", cut.Find("[data-testid=item-gold]").TextContent, StringComparison.Ordinal);
        Assert.Contains("No AI label", cut.Find("[data-testid=item-ai-label]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_ItemOfAnotherOrganisation_ShowsNotFoundAndNothingOfIt()
    {
        var db = await UseDatabaseAsync();
        var acme = await db.CreateTestTenantAsync("Acme");
        var globex = await db.CreateTestTenantAsync("Globex");
        SignIn("admin@acme.test");

        var cut = Render<ProjectItemPage>(p => p.Add(x => x.OrgId, acme.Id).Add(x => x.ProjectId, globex.Project.Id).Add(x => x.ItemId, globex.Item.Id));

        cut.WaitForAssertion(() => cut.Find("[data-testid=not-found]"));
        Assert.Empty(cut.FindAll("[data-testid=item-title]"));
        Assert.DoesNotContain("item-1", cut.Markup, StringComparison.Ordinal);
    }
}
