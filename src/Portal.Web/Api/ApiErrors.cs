using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;

namespace Portal.Web.Api;

/// <summary>Errors of the REST API as problem details (<c>application/problem+json</c>), whatever went wrong.</summary>
internal static class ApiErrors
{
    /// <summary>
    /// Answers an exception thrown under <c>/api</c> with problem details instead of the HTML error page: 413 for a body
    /// over a limit, 400 for a request that could not be read or a field at fault, 500 with a reference otherwise.
    /// </summary>
    /// <remarks>Guards against leaking internals to API clients: a 500 names no exception type, message or stack, only the
    /// request's reference, which the log holds with the exception.</remarks>
    public static IApplicationBuilder UseApiProblemDetails(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteAsync,
            AllowStatusCode404Response = true,
        }));

    private static Task WriteAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        IResult result = error switch
        {
            UploadTooLargeException tooLarge => TooLarge(tooLarge.Limit),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(
                context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? context.RequestServices.GetRequiredService<UploadLimits>().MaxUploadBytes),
            BadHttpRequestException bad => TypedResults.Problem(statusCode: bad.StatusCode, title: "The request could not be read.",
                detail: bad.Message),
            PortalValidationException invalid => PortalApi.Invalid(invalid),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Something went wrong on the server.",
                detail: $"Nothing was changed by the part that failed. Quote reference {context.TraceIdentifier} when reporting it.",
                extensions: new Dictionary<string, object?> { ["reference"] = context.TraceIdentifier }),
        };
        return result.ExecuteAsync(context);
    }

    /// <summary>A 413 that states the limit.</summary>
    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
            detail: $"The body is larger than {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes, the most one upload may hold (Limits:UploadBytes). Nothing was kept; split the file.",
            extensions: new Dictionary<string, object?> { ["limit"] = limit });

    /// <summary>
    /// Prepares a request whose body is an upload: answers 413 at once when its declared length is over the limit, else
    /// lets the server read up to the limit (the portal counts the bytes itself and stops one past it).
    /// </summary>
    public static ProblemHttpResult? CheckUploadSize(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit == long.MaxValue ? null : limit + 1;
        }

        return null;
    }

    /// <summary>Checks an uploaded file's name: at most 200 characters, no control characters, no folders.</summary>
    public static PortalValidationException? CheckFileName(string? fileName, string field = "fileName")
    {
        if (fileName is null)
        {
            return null;
        }

        if (fileName.Length is 0 or > MaxFileNameLength)
        {
            return new PortalValidationException(field, $"A file name must have 1 to {MaxFileNameLength} characters; this one has {fileName.Length}.");
        }

        if (fileName.Any(char.IsControl))
        {
            return new PortalValidationException(field, "A file name must not hold control characters (NUL, line breaks, tabs).");
        }

        return fileName.IndexOfAny(['/', '\\']) >= 0 || fileName is "." or ".."
            ? new PortalValidationException(field, "A file name must not name a folder: leave out / and \\.")
            : null;
    }

    public const int MaxFileNameLength = 200;
}
