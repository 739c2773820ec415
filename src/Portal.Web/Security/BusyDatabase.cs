using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Portal.Web.Security;

/// <summary>
/// Answers 503 with <c>Retry-After</c> (problem details) when SQLite stayed busy or locked longer than its timeout,
/// instead of the 500 the exception would give.
/// </summary>
/// <remarks>
/// On the embedded SQLite database one writer holds the file at a time; a long write elsewhere (an import) makes other
/// writes wait and, past the timeout, fail with "database is locked". That is the server being busy, not broken: a
/// client should wait and retry, which 503 with Retry-After says.
/// </remarks>
internal static class BusyDatabase
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public static bool IsBusy(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked })
            {
                return true;
            }
        }

        return false;
    }

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next, int retryAfterSeconds)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (IsBusy(ex) && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BusyDatabase))
                .LogWarning("{Method} {Path}: the database is busy; answered 503. {Message}", context.Request.Method, context.Request.Path, ex.Message);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The database is busy",
                detail: $"Another write is holding the database (a large import, most likely). Nothing was changed; try again in {retryAfterSeconds} s.")
                .ExecuteAsync(context);
        }
    }
}
