using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Feedback;
using Portal.TestSupport;
using Portal.Web.Features.Feedback;
using Portal.Web.Features.Projects;

namespace Portal.Web.Components.Tests.Features.Feedback;

public class FeedbackPageTests : PortalComponentTest
{
    public FeedbackPageTests()
    {
        ComponentFactories.AddStub<ProjectNav>();
    }

    private async Task<(TestDatabase Db, TestTenant Tenant, IRenderedComponent<FeedbackPage> Cut)> RenderPageAsync(bool withEvents)
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        SignIn("admin", tenant.Member(OrgRoles.ProjectAdmin).Id);
        if (withEvents)
        {
            var now = DateTimeOffset.UtcNow;
            FeedbackTurnInput[] conversation = [new("user", "Where is my order?")];
            FeedbackEventInput Thumb(string id, bool up, string model, string? category) =>
                new(id, "thumbs", conversation, model, now, category, Response: $"Answer {id}", Thumb: up ? "up" : "down");
            await Services.GetRequiredService<FeedbackService>().IngestAsync(tenant.Id, tenant.Project.Id,
            [
                ("", Thumb("1", true, "assistant-v1", null)), ("", Thumb("2", false, "assistant-v1", "late-delivery")),
                ("", Thumb("3", false, "assistant-v1", "late-delivery")), ("", Thumb("4", true, "assistant-v2", null)),
            ]);
        }

        RenderProviders();
        var cut = Render<FeedbackPage>(p => p.Add(x => x.OrgId, tenant.Id).Add(x => x.ProjectId, tenant.Project.Id));
        cut.WaitForElement("[data-testid=feedback-title]");
        return (db, tenant, cut);
    }

    [Fact]
    public async Task Render_FourEventsOfTwoModels_ShowsVolumeSatisfactionModelsAndTopNegativeCategory()
    {
        var (_, _, cut) = await RenderPageAsync(withEvents: true);

        Assert.Equal("4 events", cut.Find("[data-testid=feedback-volume]").TextContent.Trim());
        Assert.Equal("Satisfaction 50 %", cut.Find("[data-testid=feedback-satisfaction]").TextContent.Trim());
        var models = cut.FindAll("[data-testid=feedback-model-row]").Select(r => r.TextContent).ToList();
        Assert.Equal(2, models.Count);
        Assert.StartsWith("assistant-v131233.3 %", models[0], StringComparison.Ordinal);
        var category = Assert.Single(cut.FindAll("[data-testid=feedback-category-row]"));
        Assert.Equal("assistant-v1late-delivery2", category.TextContent);
        Assert.NotNull(cut.Find("[data-testid=feedback-volume-chart] svg"));
        Assert.NotNull(cut.Find("[data-testid=feedback-satisfaction-chart] svg"));
    }

    [Fact]
    public async Task Render_NoEvents_SaysWhereToPostThem()
    {
        var (_, tenant, cut) = await RenderPageAsync(withEvents: false);

        Assert.Contains($"/api/v1/orgs/{tenant.Id}/projects/{tenant.Project.Id}/feedback", cut.Find("[data-testid=feedback-empty]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=feedback-volume-chart]"));
    }

    [Fact]
    public async Task SaveSettings_SamplingAboveAHundredThenAQuarter_ClampsTheFirstAndStoresTheSecond()
    {
        var (_, tenant, cut) = await RenderPageAsync(withEvents: false);
        var service = Services.GetRequiredService<FeedbackService>();

        cut.Find("input[data-testid=feedback-sampling]").Change("150");
        await cut.Find("[data-testid=feedback-save-settings]").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        cut.WaitForElement("[data-testid=feedback-settings-saved]");
        Assert.Equal(1.0, (await service.GetSettingsAsync(tenant.Id, tenant.Project.Id))!.SamplingRate);

        cut.Find("input[data-testid=feedback-thumbs]").Change(true);
        cut.Find("input[data-testid=feedback-sampling]").Change("25");
        await cut.Find("[data-testid=feedback-save-settings]").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        cut.WaitForElement("[data-testid=feedback-settings-saved]");
        var saved = await service.GetSettingsAsync(tenant.Id, tenant.Project.Id);
        Assert.Equal(new FeedbackSettingsDto(true, true, true, true, 0.25), saved);
    }

    [Fact]
    public async Task Mint_ThenRevoke_ShowsTheTokenOnceListsItAndMarksItRevoked()
    {
        var (db, tenant, cut) = await RenderPageAsync(withEvents: false);

        cut.Find("input[data-testid=feedback-token-name]").Change("Support bot");
        cut.Find("[data-testid=feedback-mint]").Click();

        var token = cut.WaitForElement("[data-testid=feedback-minted-token]").TextContent;
        Assert.StartsWith("ptl_", token, StringComparison.Ordinal);
        var row = Assert.Single(cut.FindAll("[data-testid=feedback-token-row]"));
        Assert.Contains("Support bot", row.TextContent, StringComparison.Ordinal);
        Assert.Contains(tenant.Member(OrgRoles.ProjectAdmin).Email!, row.TextContent, StringComparison.Ordinal);
        await using (var ctx = db.Factory.CreateSystem())
        {
            var stored = await ctx.ApiTokens.SingleAsync();
            Assert.Equal((tenant.Project.Id, tenant.Id), (stored.FeedbackProjectId!.Value, stored.FeedbackTenantId!.Value));
            Assert.DoesNotContain(token, stored.TokenHash, StringComparison.Ordinal);
        }

        cut.Find("[data-testid=feedback-revoke]").Click();

        cut.WaitForAssertion(() => Assert.Contains("revoked", cut.Find("[data-testid=feedback-token-row]").TextContent, StringComparison.Ordinal));
    }
}
