using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Organisations;
using Portal.Web.Api;
using Portal.Web.Tenancy;

namespace Portal.Web.Features.Annotate;

internal sealed record SkipRequest(string? Reason, ContentFlags Flags = ContentFlags.None);

/// <summary>
/// The annotator's work loop for scripts and bots: the next task, the task itself, an answer (once), a skip, a draft.
/// Always as the signed-in annotator: an assignment id of someone else answers 404.
/// </summary>
internal static class TaskEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>The size of <see cref="Assignment.DraftJson"/>'s column.</summary>
    private const int MaxDraftChars = 65536;

    public static RouteGroupBuilder MapTaskEndpoints(this RouteGroupBuilder org)
    {
        org.MapGet("/annotator/projects", async (Guid orgId, ClaimsPrincipal user, TaskService tasks, CancellationToken ct) =>
                TypedResults.Ok(await tasks.ProjectsAsync(orgId, user.UserId(), ct)))
            .RequireAuthorization(Policies.Annotator)
            .WithName("Tasks_Projects").WithSummary("Your projects in the organisation, with what is left for you in each.");

        org.MapGet("/projects/{projectId:guid}/tasks/next", async Task<Results<Ok<NextTaskResult>, NotFound, ProblemHttpResult>> (
                Guid orgId, Guid projectId, ClaimsPrincipal user, TaskService tasks, CancellationToken ct) =>
            {
                try
                {
                    return await tasks.NextAsync(orgId, projectId, user.UserId(), ct) is { } next ? TypedResults.Ok(next) : TypedResults.NotFound();
                }
                catch (TaskConflictException ex)
                {
                    // Every candidate was taken by others while this request tried: asking again is the answer.
                    return Conflict(ex.Message, "Ask again");
                }
            })
            .RequireAuthorization(Policies.Annotator)
            .WithName("Tasks_Next")
            .WithSummary("Your task in the project: the one you hold, or a new lease on the next item that needs you; or why there is none.");

        org.MapGet("/assignments/{assignmentId:guid}", async Task<Results<Ok<TaskView>, NotFound>> (
                Guid orgId, Guid assignmentId, ClaimsPrincipal user, TaskService tasks, CancellationToken ct) =>
                await tasks.GetAsync(orgId, assignmentId, user.UserId(), ct) is { } task ? TypedResults.Ok(task) : TypedResults.NotFound())
            .RequireAuthorization(Policies.Annotator)
            .WithName("Tasks_Get").WithSummary("Your task behind a live lease, with its draft.");

        org.MapPost("/assignments/{assignmentId:guid}/annotation", SubmitAsync)
            .RequireAuthorization(Policies.Annotator)
            .WithName("Tasks_Submit")
            .WithSummary("Submits your answer, once: a retry with the same Idempotency-Key gets the stored answer back (200 instead of 201).");

        org.MapPost("/assignments/{assignmentId:guid}/skip", async Task<Results<NoContent, ProblemHttpResult>> (
                Guid orgId, Guid assignmentId, HttpRequest request, ClaimsPrincipal user, TaskService tasks, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                try
                {
                    var skip = await ReadJsonAsync<SkipRequest>(request, json.Value.SerializerOptions, ct);
                    await tasks.SkipAsync(orgId, assignmentId, user.UserId(), skip.Reason ?? "", skip.Flags, ct);
                    return TypedResults.NoContent();
                }
                catch (Exception ex) when (Refusal(ex) is { } refusal)
                {
                    return refusal;
                }
            })
            .RequireAuthorization(Policies.Annotator)
            .WithName("Tasks_Skip").WithSummary("Gives the task back unanswered with a reason and content flags; the item goes to someone else.");

        org.MapPut("/assignments/{assignmentId:guid}/draft", async Task<Results<NoContent, ProblemHttpResult>> (
                Guid orgId, Guid assignmentId, HttpRequest request, ClaimsPrincipal user, TaskService tasks, CancellationToken ct) =>
            {
                try
                {
                    var draft = await ReadDraftAsync(request, ct);
                    return await tasks.SaveDraftAsync(orgId, assignmentId, user.UserId(), draft, ct)
                        ? TypedResults.NoContent()
                        : Conflict("The lease on this task is no longer live, so the draft was not kept: ask for your next task.");
                }
                catch (Exception ex) when (Refusal(ex) is { } refusal)
                {
                    return refusal;
                }
            })
            .RequireAuthorization(Policies.Annotator)
            .WithName("Tasks_SaveDraft").WithSummary("Keeps your unsaved answer (any JSON) with the lease, for a reload or a dropped connection.");

        org.MapGet("/projects/{projectId:guid}/tasks/last", async Task<Results<Ok<RevisableAnswer>, NotFound>> (
                Guid orgId, Guid projectId, ClaimsPrincipal user, TaskService tasks, CancellationToken ct) =>
                await tasks.LastAnswerAsync(orgId, projectId, user.UserId(), ct) is { } last ? TypedResults.Ok(last) : TypedResults.NotFound())
            .RequireAuthorization(Policies.Annotator)
            .WithName("Tasks_Last")
            .WithSummary("Your last answer in the project with its task, while it can still be changed (the project's lease length after you gave it); 404 otherwise.");

        org.MapPut("/annotations/{annotationId:guid}", ReviseAsync)
            .RequireAuthorization(Policies.Annotator)
            .WithName("Tasks_Revise")
            .WithSummary("Replaces your answer in the same annotation, once per Idempotency-Key (201, then 200 on a retry); 409 once the time to change it has ended.");
        return org;
    }

    private static async Task<Results<Created<SubmitResult>, Ok<SubmitResult>, ProblemHttpResult>> SubmitAsync(
        Guid orgId, Guid assignmentId, HttpRequest request, ClaimsPrincipal user, TaskService tasks, IOptions<JsonOptions> json, CancellationToken ct)
    {
        try
        {
            var input = await ReadJsonAsync<AnnotationInput>(request, json.Value.SerializerOptions, ct);
            var key = IdempotencyKey(request.Headers[IdempotencyHeader].ToString(), input.IdempotencyKey);
            var result = await tasks.SubmitAsync(orgId, assignmentId, user.UserId(), input with { IdempotencyKey = key }, ct);
            return result.Replayed ? TypedResults.Ok(result) : TypedResults.Created((string?)null, result);
        }
        catch (Exception ex) when (Refusal(ex) is { } refusal)
        {
            return refusal;
        }
    }

    private static async Task<Results<Created<ReviseResult>, Ok<ReviseResult>, ProblemHttpResult>> ReviseAsync(
        Guid orgId, Guid annotationId, HttpRequest request, ClaimsPrincipal user, TaskService tasks, IOptions<JsonOptions> json, CancellationToken ct)
    {
        try
        {
            var input = await ReadJsonAsync<AnnotationInput>(request, json.Value.SerializerOptions, ct);
            var key = IdempotencyKey(request.Headers[IdempotencyHeader].ToString(), input.IdempotencyKey);
            var result = await tasks.ReviseAsync(orgId, annotationId, user.UserId(), input with { IdempotencyKey = key }, ct);
            return result.Replayed ? TypedResults.Ok(result) : TypedResults.Created((string?)null, result);
        }
        catch (Exception ex) when (Refusal(ex) is { } refusal)
        {
            return refusal;
        }
    }

    /// <summary>The key from the header or the body; one of them is required, and they must agree when both are given.</summary>
    private static string IdempotencyKey(string header, string? body)
    {
        header = header.Trim();
        body = body?.Trim();
        if (header.Length > 0 && !string.IsNullOrEmpty(body) && header != body)
        {
            throw new PortalValidationException(IdempotencyHeader, "The Idempotency-Key header and the idempotencyKey field differ; send one of them.");
        }

        var key = header.Length > 0 ? header : body;
        if (string.IsNullOrEmpty(key))
        {
            throw new PortalValidationException("idempotencyKey",
                "A submit needs an idempotency key (the Idempotency-Key header or an idempotencyKey field), so that a retry is not stored twice.");
        }

        if (key.Length > 100)
        {
            throw new PortalValidationException(header.Length > 0 ? IdempotencyHeader : "idempotencyKey", "An idempotency key is at most 100 characters.");
        }

        return key;
    }

    /// <summary>Reads a JSON body; a malformed one is refused naming the field where it went wrong.</summary>
    private static async Task<T> ReadJsonAsync<T>(HttpRequest request, JsonSerializerOptions options, CancellationToken ct)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, options, ct)
                ?? throw new PortalValidationException("body", "The body must be a JSON object, not null.");
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            throw new PortalValidationException(field, field == "body"
                ? "The body is not a JSON object."
                : $"'{field}' has a value that does not fit: {ex.Message.Split(" Path:")[0]}");
        }
    }

    private static async Task<string> ReadDraftAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var buffer = new char[MaxDraftChars + 1];
        var length = await reader.ReadBlockAsync(buffer, ct);
        if (length > MaxDraftChars)
        {
            throw new PortalValidationException("draft", $"A draft is at most {MaxDraftChars} characters of JSON.");
        }

        var text = new string(buffer, 0, length);
        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new PortalValidationException("draft", "The draft must be JSON (any JSON value); this body is not.");
        }

        return text;
    }

    private static ProblemHttpResult Conflict(string message, string title = "The task is no longer yours to answer") =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: message);

    /// <summary>
    /// The engine's refusals as HTTP answers: 400 with the field named (validation problem details), 404, or 409 with the
    /// engine's message. Null for anything else, which is a failure, not a refusal.
    /// </summary>
    private static ProblemHttpResult? Refusal(Exception ex) => ex switch
    {
        PortalValidationException v => TypedResults.Problem(PortalApi.Invalid(v).ProblemDetails),
        TaskNotFoundException n => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such task", detail: n.Message),
        TaskConflictException c => Conflict(c.Message),
        _ => null,
    };
}
