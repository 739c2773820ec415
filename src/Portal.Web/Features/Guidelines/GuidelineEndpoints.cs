using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Data;
using Portal.App.Features.Guidelines;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Text;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Guidelines;

/// <summary>A new guideline version: the whole Markdown, what changed, Minor (acknowledge) or Major (qualify again).</summary>
internal sealed record PublishGuidelineRequest(string? Markdown, string? ChangeNote, GuidelineChange? Change);

internal sealed record AcknowledgeRequest(int? Version);

/// <summary>The current guidelines: the version with its Markdown and the same rendered to safe HTML parts (examples resolved); null when none is published.</summary>
internal sealed record CurrentGuidelinesResponse(GuidelineVersionView? Current, IReadOnlyList<GuidelineDocumentPart> Parts);

internal sealed record GuidelineDiffResponse(int From, int To, IReadOnlyList<DiffLine> Lines);

/// <summary>The qualification test as an admin sets it: gold item ids in order, pass mark 0…1, tries (0 unlimited), cool-down minutes.</summary>
internal sealed record QualificationTestRequest(List<Guid>? ItemIds, double? PassMark, int? MaxAttempts, int? CooldownMinutes);

/// <summary>The test, every try, and who is not required to take it (annotated before the test was created).</summary>
internal sealed record QualificationAdminResponse(QualificationTestView? Test, IReadOnlyList<QualificationAttemptView> Attempts,
    QualificationGrandfathering Grandfathered);

/// <summary>One try: answers in display terms (left/right) of the sheet, and the sheet's try number (<c>attempt</c>).</summary>
internal sealed record QualificationSubmitRequest(List<QualificationAnswer>? Answers, int? Attempt);

internal static class GuidelineEndpoints
{
    public static RouteGroupBuilder MapGuidelineEndpoints(this RouteGroupBuilder org)
    {
        var staff = org.MapGroup("/projects/{projectId:guid}/guidelines").RequireAuthorization(Policies.ProjectStaff);
        staff.MapGet("/", async Task<Results<Ok<CurrentGuidelinesResponse>, NotFound>> (Guid orgId, Guid projectId, GuidelineService service, CancellationToken ct) =>
            {
                var (exists, _) = await service.CurrentAsync(orgId, projectId, ct);
                if (!exists)
                {
                    return TypedResults.NotFound();
                }

                var document = await service.DocumentAsync(orgId, projectId, null, ct);
                return TypedResults.Ok(new CurrentGuidelinesResponse(document?.Version, document?.Parts ?? []));
            })
            .WithName("Guidelines_Current").WithSummary("The project's current guidelines, as Markdown and as safe HTML with the example items inline.");

        var admin = org.MapGroup("/projects/{projectId:guid}/guidelines").RequireAuthorization(Policies.ProjectAdmin);
        admin.MapGet("/versions", async Task<Results<Ok<IReadOnlyList<GuidelineVersionView>>, NotFound>> (Guid orgId, Guid projectId, GuidelineService service, CancellationToken ct) =>
                await service.HistoryAsync(orgId, projectId, ct) is { } history ? TypedResults.Ok(history) : TypedResults.NotFound())
            .WithName("Guidelines_History").WithSummary("Every published version, newest first: who published it, when, the change note and minor/major.");
        admin.MapGet("/diff", async Task<Results<Ok<GuidelineDiffResponse>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, int? from, int? to, GuidelineService service, CancellationToken ct) =>
            {
                try
                {
                    var (exists, current) = await service.CurrentAsync(orgId, projectId, ct);
                    if (!exists)
                    {
                        return TypedResults.NotFound();
                    }

                    // Without versions: the latest change (the version before the current one to the current one).
                    var toVersion = to ?? current?.Version ?? throw new PortalValidationException("to", "This project has no guidelines to compare yet.");
                    var fromVersion = from ?? toVersion - 1;
                    return await service.DiffAsync(orgId, projectId, fromVersion, toVersion, ct) is { } lines
                        ? TypedResults.Ok(new GuidelineDiffResponse(fromVersion, toVersion, lines))
                        : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Guidelines_Diff").WithSummary("The line diff between two versions (?from=&to=); without them, from the previous version to the current one.");
        admin.MapPost("/", async Task<Results<Created<GuidelineVersionView>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, PublishGuidelineRequest request, ClaimsPrincipal user, GuidelineService service, CancellationToken ct) =>
            {
                try
                {
                    var input = new PublishGuidelineInput(request.Markdown, request.ChangeNote, request.Change ?? (GuidelineChange)0);
                    return await service.PublishAsync(orgId, projectId, user.UserId(), input, ct) is { } version
                        ? TypedResults.Created($"/api/v1/orgs/{orgId}/projects/{projectId}/guidelines/versions", version)
                        : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Guidelines_Publish").WithSummary("Publishes a new immutable version; annotators must acknowledge it (and qualify again when the change is Major).");

        var annotator = org.MapGroup("/projects/{projectId:guid}").RequireAuthorization(Policies.Annotator);
        annotator.MapGet("/guidelines/status", async Task<Results<Ok<AnnotatorGuidelineStatus>, NotFound>> (
                Guid orgId, Guid projectId, ClaimsPrincipal user, GuidelineService service, CancellationToken ct) =>
                await service.StatusAsync(orgId, projectId, user.UserId(), ct) is { } status ? TypedResults.Ok(status) : TypedResults.NotFound())
            .WithName("Guidelines_MyStatus").WithSummary("Your standing: the current version, the one you acknowledged, and your qualification.");
        annotator.MapPost("/guidelines/acknowledge", async Task<Results<Ok<AnnotatorGuidelineStatus>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, AcknowledgeRequest request, ClaimsPrincipal user, GuidelineService service, CancellationToken ct) =>
            {
                try
                {
                    if (request.Version is not { } version)
                    {
                        throw new PortalValidationException("version", "Say which version you read and acknowledge.");
                    }

                    return await service.AcknowledgeAsync(orgId, projectId, user.UserId(), version, ct)
                        && await service.StatusAsync(orgId, projectId, user.UserId(), ct) is { } status
                        ? TypedResults.Ok(status)
                        : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Guidelines_Acknowledge").WithSummary("Acknowledges that you read the current version.");
        annotator.MapGet("/qualification/sheet", async Task<Results<Ok<QualificationSheet>, NotFound>> (
                Guid orgId, Guid projectId, ClaimsPrincipal user, QualificationService service, CancellationToken ct) =>
                await service.SheetAsync(orgId, projectId, user.UserId(), ct) is { } sheet ? TypedResults.Ok(sheet) : TypedResults.NotFound())
            .WithName("Qualification_Sheet").WithSummary(
                "The qualification test to take (this try's shuffled items, sides left/right, without their answers), its try number and your status: tries left, cool-down.");
        annotator.MapPost("/qualification/attempts", async Task<Results<Ok<QualificationResult>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, QualificationSubmitRequest request, ClaimsPrincipal user, QualificationService service, CancellationToken ct) =>
            {
                try
                {
                    return await service.SubmitAsync(orgId, projectId, user.UserId(), request.Answers ?? [], request.Attempt, ct) is { } result
                        ? TypedResults.Ok(result)
                        : TypedResults.NotFound();
                }
                catch (PortalValidationException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Qualification_Submit").WithSummary(
                "Submits one try: every item answered in the sheet's left/right terms, with its try number; mapped back to A/B, scored against the gold answers; the try and each answer are kept.");

        var qualification = org.MapGroup("/projects/{projectId:guid}/qualification").RequireAuthorization(Policies.ProjectAdmin);
        qualification.MapGet("/", async Task<Results<Ok<QualificationAdminResponse>, NotFound>> (Guid orgId, Guid projectId, QualificationService service, CancellationToken ct) =>
                await service.GetTestAsync(orgId, projectId, ct) is (true, var test) && await service.AttemptsAsync(orgId, projectId, ct) is { } attempts
                    && await service.GrandfatheredAsync(orgId, projectId, ct) is { } grandfathered
                    ? TypedResults.Ok(new QualificationAdminResponse(test, attempts, grandfathered))
                    : TypedResults.NotFound())
            .WithName("Qualification_Get").WithSummary("The test, every try with its answers (newest first), and who need not take it (annotated before the test).");
        qualification.MapPut("/", async Task<Results<Ok<QualificationTestView>, NotFound, ValidationProblem>> (
                Guid orgId, Guid projectId, QualificationTestRequest request, QualificationService service, CancellationToken ct) =>
            {
                try
                {
                    var input = new QualificationTestInput(request.ItemIds, request.PassMark ?? 0.8, request.MaxAttempts ?? 3, request.CooldownMinutes ?? 60);
                    return await service.SetTestAsync(orgId, projectId, input, ct) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();
                }
                catch (ValidationProblemsException ex)
                {
                    return PortalApi.Invalid(ex);
                }
            })
            .WithName("Qualification_Set").WithSummary("Creates or replaces the test from gold items of the project.");
        qualification.MapDelete("/", async Task<Results<NoContent, NotFound>> (Guid orgId, Guid projectId, QualificationService service, CancellationToken ct) =>
                await service.ClearTestAsync(orgId, projectId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("Qualification_Clear").WithSummary("Removes the test; tries already made are kept.");
        qualification.MapPost("/annotators/{userId:guid}/reset", async Task<Results<NoContent, NotFound>> (
                Guid orgId, Guid projectId, Guid userId, QualificationService service, CancellationToken ct) =>
                await service.ResetAttemptsAsync(orgId, projectId, userId, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithName("Qualification_ResetTries").WithSummary("Gives an annotator their tries back: their failed tries stay on record but stop counting.");
        return org;
    }
}
