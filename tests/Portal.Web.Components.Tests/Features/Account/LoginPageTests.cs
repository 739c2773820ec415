using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.TestSupport;
using Portal.Web.Features.Account;

namespace Portal.Web.Components.Tests.Features.Account;

public class LoginPageTests : PortalComponentTest
{
    private async Task<IRenderedComponent<LoginPage>> OpenAsync()
    {
        var db = await UseDatabaseAsync();
        await db.CreateTestTenantAsync("Acme");
        Services.AddHttpContextAccessor();
        Services.AddAuthentication();
        new IdentityBuilder(typeof(PortalUser), Services).AddSignInManager();
        Services.AddOptions<Portal.Web.Security.RateLimitSettings>();
        Services.AddSingleton<Portal.Web.Security.SignInThrottle>();
        Services.AddScoped<PortalSignIn>();
        return Render<LoginPage>();
    }

    [Fact]
    public async Task Submit_Empty_SaysWhatIsMissingUnderEachField()
    {
        var cut = await OpenAsync();

        cut.Find("form").Submit();

        var messages = cut.FindAll(".validation-message").Select(m => m.TextContent).ToList();
        Assert.Equal(["Enter your e-mail address.", "Enter your password."], messages);
        Assert.Empty(cut.FindAll("[data-testid=login-error]"));
    }

    [Fact]
    public async Task Submit_NotAnEmailAddress_SaysSo()
    {
        var cut = await OpenAsync();

        cut.Find("#email").Change("not-an-address");
        cut.Find("#password").Change("whatever");
        cut.Find("form").Submit();

        Assert.Equal(["This is not an e-mail address."], cut.FindAll(".validation-message").Select(m => m.TextContent));
    }

    [Fact]
    public async Task Submit_WrongPassword_SaysWrongEmailOrPassword()
    {
        var cut = await OpenAsync();

        cut.Find("#email").Change("annotator@acme.test");
        cut.Find("#password").Change("not the password");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal(PortalSignIn.FailedMessage, cut.Find("[data-testid=login-error]").TextContent.Trim()));
    }

    [Fact]
    public async Task Page_HasOneHeadingAndASignInButton()
    {
        var cut = await OpenAsync();

        Assert.Equal("Sign in to Portal", Assert.Single(cut.FindAll("h1")).TextContent);
        Assert.Equal("submit", cut.Find("#sign-in").GetAttribute("type"));
    }
}
