using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Portal.App.Data;

/// <summary>
/// What the model says differently on SQL Server. The configurations write filtered indexes' filters in standard SQL
/// (<c>"Status" IN (1, 2, 4)</c>), which SQLite and PostgreSQL read as they are; SQL Server gets them with its own
/// bracketed identifiers, so they do not depend on the session's QUOTED_IDENTIFIER setting.
/// </summary>
/// <remarks>
/// The rest needs no branch: EF's SQL Server mapping already gives keys and indexed strings <c>nvarchar(450)</c>, a unique
/// index on a nullable column its <c>IS NOT NULL</c> filter, and the JSON columns are plain text (<c>nvarchar(max)</c>)
/// on every provider. The model has no row versions, sequences or collations.
/// </remarks>
internal static partial class SqlServerModel
{
    public static void Apply(ModelBuilder builder)
    {
        foreach (var index in builder.Model.GetEntityTypes().SelectMany(e => e.GetDeclaredIndexes()))
        {
            if (index.GetFilter() is { } filter)
            {
                index.SetFilter(BracketIdentifiers(filter));
            }
        }
    }

    /// <summary><c>"Status" IN (1, 2)</c> → <c>[Status] IN (1, 2)</c>.</summary>
    public static string BracketIdentifiers(string sql) => QuotedIdentifier().Replace(sql, m => "[" + m.Groups[1].Value.Replace("]", "]]", StringComparison.Ordinal) + "]");

    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex QuotedIdentifier();
}
