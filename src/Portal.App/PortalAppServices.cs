using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Demo;
using Portal.App.Features.Import;
using Portal.App.Features.Invites;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.App.Features.Tokens;
using Portal.App.Identity;

namespace Portal.App;

public static class PortalAppServices
{
    /// <summary>
    /// What every host shares: the database, the feature services and Identity's user store with the portal's
    /// password and lockout rules. The web app adds sign-in and cookies to the returned builder.
    /// </summary>
    public static IdentityBuilder AddPortal(this IServiceCollection services, DatabaseOptions database)
    {
        services.AddPortalData(database);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Jobs.JobProgressBoard>();
        services.AddScoped<OrganisationService>();
        services.AddScoped<InviteService>();
        services.AddScoped<ProjectQueries>();
        services.AddScoped<ProjectProgressQuery>();
        services.AddScoped<ProjectService>();
        services.AddScoped<Features.Gold.GoldService>();
        services.AddScoped<Features.Gold.ItemBrowser>();
        services.AddScoped<Features.Gold.ProjectAnnotatorService>();
        services.AddSingleton<UploadLimits>();
        services.AddScoped<ItemImportService>();
        services.AddScoped<Features.Annotations.TaskService>();
        services.AddScoped<Features.Quality.QualityService>();
        services.AddScoped<Features.Rlthf.RlthfService>();
        services.AddSingleton<Core.Rlthf.IRewardTrainer>(sp => Features.Rlthf.RewardTrainers.FromConfiguration(sp.GetService<Microsoft.Extensions.Configuration.IConfiguration>()));
        services.AddScoped<ApiTokenService>();
        services.AddSingleton<TokenUsage>();
        services.AddScoped<Features.Guidelines.GuidelineService>();
        services.AddSingleton<Features.Guidelines.GuidelinePanels.Cache>();
        services.AddScoped<Features.Guidelines.GuidelinePanels>();
        services.AddScoped<Features.Guidelines.QualificationService>();
        services.AddScoped<Features.Calibration.CalibrationService>();
        services.AddScoped<Features.Releases.ReleaseService>();
        services.AddScoped<Features.Releases.ReleaseCutter>();
        services.AddScoped<Features.Releases.ReleaseExporter>();
        services.AddDataProtection();
        services.AddScoped<Features.AiLabels.AiLabelService>();
        services.AddScoped<Features.AiLabels.LlmLabelerService>();
        services.AddScoped<Features.RedTeam.RedTeamService>();
        services.AddScoped<Features.RedTeam.RedTeamRunner>();
        services.AddScoped<Features.Hybrid.HybridService>();
        services.AddScoped<Features.Feedback.FeedbackService>();
        services.AddScoped<Features.Feedback.FeedbackDashboard>();
        services.AddScoped<Features.Feedback.FeedbackTokenService>();
        services.AddScoped<DemoSeeder>();
        return services.AddIdentityCore<PortalUser>(IdentitySetup.Configure).AddEntityFrameworkStores<PortalDbContext>();
    }
}
