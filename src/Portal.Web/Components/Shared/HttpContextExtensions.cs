namespace Portal.Web.Components.Shared;

internal static class HttpContextExtensions
{
    /// <summary>
    /// During the first (server) render of a page whose record is not in this organisation, answer 404 like a
    /// route that does not exist; in the interactive circuit there is no response status to set.
    /// </summary>
    public static void MarkNotFoundIf(this HttpContext? context, bool missing)
    {
        if (missing && context is { Response.HasStarted: false })
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
