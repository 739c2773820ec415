using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Portal.Web.Security;

/// <summary>
/// An endpoint that reads a JSON body answers 415 (problem details) to a body of any other declared type.
/// </summary>
/// <remarks>
/// Guards against bodies a cross-site form can send without a CORS preflight (<c>text/plain</c>,
/// <c>application/x-www-form-urlencoded</c>, <c>multipart/form-data</c>) being read as JSON; with the Origin check
/// this closes the form-post path to every JSON endpoint.
/// </remarks>
internal static class JsonContentType
{
    /// <summary>The endpoint routing chooses when a body's content type matches no endpoint's (AcceptsMatcherPolicy).</summary>
    private const string RoutingRefused = "415 HTTP Unsupported Media Type";

    public static bool IsRefused(HttpContext context, out string expected)
    {
        expected = "";
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || (HttpMethods.IsDelete(request.Method) && request.ContentLength is null or 0))
        {
            return false;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint?.DisplayName == RoutingRefused)
        {
            // Routing found only endpoints that read JSON, and this body is not JSON.
            expected = "application/json";
            return true;
        }

        var accepts = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>();
        if (accepts is null || accepts.ContentTypes.Count == 0 || !accepts.ContentTypes.All(IsJson))
        {
            return false;
        }

        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (!hasBody && string.IsNullOrEmpty(request.ContentType))
        {
            return false;
        }

        expected = string.Join(", ", accepts.ContentTypes);
        return !(MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && IsJson(type.MediaType.Value ?? ""));
    }

    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    public static Task RefuseAsync(HttpContext context, string expected) =>
        Results.Problem(
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported content type",
            detail: $"This endpoint reads a JSON body: send it with Content-Type: {expected} (this request said '{context.Request.ContentType}').")
            .ExecuteAsync(context);
}
