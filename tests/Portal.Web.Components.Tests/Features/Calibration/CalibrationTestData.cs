using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Calibration;
using Portal.App.Features.Organisations;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.Web.Components.Tests.Features.Calibration;

/// <summary>A round opened on real rows: the tenant's annotator plus <c>extra</c> more take part.</summary>
public abstract class CalibrationAreaTest : QualityAreaTest
{
    protected CalibrationService Calibration => Services.GetRequiredService<CalibrationService>();

    protected Guid AnnotatorId => Tenant.Member(OrgRoles.Annotator).Id;

    protected async Task<(Project Project, List<Item> Items, IReadOnlyList<Guid> People)> RoundAsync(int items = 2, int extra = 2)
    {
        var (project, rows) = await ProjectAsync(items + 1);
        var more = await Db.CreateAnnotatorsAsync(OrgId, extra, "c");
        var round = await Calibration.OpenAsync(OrgId, project.Id, AdminId, new OpenCalibrationInput("Week 1", [.. rows.Take(items).Select(i => i.Id)]));
        Assert.NotNull(round);
        return (project, rows, [AnnotatorId, .. more.Select(m => m.Id)]);
    }

    protected Task AnswerAsync(Project project, Guid annotator, Item item, PreferenceChoice choice, string? why = null) =>
        Calibration.AnswerAsync(OrgId, project.Id, 1, annotator, item.Id, new CalibrationAnswerInput(choice, null, why));
}
