using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Tokens;
using Portal.TestSupport;
using Portal.Web.Features.Account;

namespace Portal.Web.Components.Tests.Features.Account;

public class ApiTokensPageTests : PortalComponentTest
{
    private async Task<(IRenderedComponent<MudProviders> Providers, IRenderedComponent<ApiTokensPage> Page, Guid UserId)> OpenAsync()
    {
        var db = await UseDatabaseAsync();
        var tenant = await db.CreateTestTenantAsync("Acme");
        var userId = tenant.Members[OrgRoles.Client].Id;
        SignIn("client", userId);
        var providers = RenderProviders();
        return (providers, Render<ApiTokensPage>(), userId);
    }

    private async Task<IReadOnlyList<TokenRow>> TokensAsync(Guid userId)
    {
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ApiTokenService>().ListAsync(userId);
    }

    [Fact]
    public async Task NoTokens_ShowsWhatToDo()
    {
        var (_, page, _) = await OpenAsync();

        Assert.Contains("Create one above", page.Find("[data-testid=tokens-empty]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ShowsTheTokenOnceWithACopyButton_AndListsIt()
    {
        var (_, page, userId) = await OpenAsync();

        page.Find("input[data-testid=token-name]").Input("download script");
        page.Find("[data-testid=create-token]").Click();

        page.WaitForAssertion(() => Assert.NotEmpty(page.Find("[data-testid=new-token]").TextContent));
        var token = page.Find("[data-testid=new-token]").TextContent;
        Assert.Single(page.FindAll("[data-testid=copy-token]"));
        Assert.Contains("shown only once", page.Find("[data-testid=created-token]").TextContent, StringComparison.Ordinal);
        var row = Assert.Single(await TokensAsync(userId));
        Assert.StartsWith(row.Prefix, token, StringComparison.Ordinal);
        Assert.Contains("download script", page.Find("[data-testid=tokens]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithoutAName_SaysWhyUnderTheField()
    {
        var (_, page, userId) = await OpenAsync();

        page.Find("[data-testid=create-token]").Click();

        page.WaitForAssertion(() => Assert.Contains("mud-input-error", page.Markup, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=new-token]"));
        Assert.Empty(await TokensAsync(userId));
    }

    [Fact]
    public async Task Revoke_AsksFirst_AndCancelKeepsTheToken()
    {
        var (providers, page, userId) = await OpenAsync();
        page.Find("input[data-testid=token-name]").Input("bot");
        page.Find("[data-testid=create-token]").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=revoke-token]")));

        page.Find("[data-testid=revoke-token]").Click();
        providers.WaitForAssertion(() => Assert.Contains("Revoke the token \"bot\"?", providers.Markup, StringComparison.Ordinal));
        providers.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        providers.WaitForAssertion(() => Assert.DoesNotContain("Revoke the token", providers.Markup, StringComparison.Ordinal));
        Assert.Null(Assert.Single(await TokensAsync(userId)).RevokedAt);
    }

    [Fact]
    public async Task Revoke_Confirmed_RevokesAndSaysSo()
    {
        var (providers, page, userId) = await OpenAsync();
        page.Find("input[data-testid=token-name]").Input("bot");
        page.Find("[data-testid=create-token]").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=revoke-token]")));

        page.Find("[data-testid=revoke-token]").Click();
        providers.WaitForAssertion(() => Assert.NotEmpty(providers.FindAll(".mud-dialog button")));
        providers.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Revoke").Click();

        page.WaitForAssertion(() => Assert.Equal("revoked", page.Find("[data-testid=token-state]").TextContent));
        Assert.NotNull(Assert.Single(await TokensAsync(userId)).RevokedAt);
        providers.WaitForAssertion(() => Assert.Contains("Token \"bot\" revoked.", providers.Markup, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=revoke-token]"));
    }
}
