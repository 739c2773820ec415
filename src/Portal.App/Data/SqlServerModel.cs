using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Portal.App.Data;

/// <summary>
/// What the model says differently on SQL Server (SqlServerModelTests check each):
/// <list type="bullet">
/// <item>Filtered indexes: the configurations write their filters in standard SQL (<c>"Status" IN (1, 2, 4)</c>), which
/// SQLite and PostgreSQL read as they are; SQL Server gets them with its own bracketed identifiers, so they do not depend
/// on the session's QUOTED_IDENTIFIER setting.</item>
/// <item>Cascade paths: SQL Server refuses a foreign key whose ON DELETE CASCADE reaches a table by a second path (error
/// 1785). A round's items are reached from a project through the round and through the item, so the item → round item
/// keys cascade in EF only (<see cref="DeleteBehavior.ClientCascade"/>: NO ACTION in the database). Deleting a project or
/// an organisation still removes them through the round; the portal deletes no single item. Likewise an external rater's
/// annotations (reached from a project through the rater and through the item's assignments) cascade from the rater in
/// EF only.</item>
/// <item>Identity's external-login and token keys: two <c>nvarchar(450)</c> columns make a 1,800-byte primary key, over
/// SQL Server's 900; they get 128 characters, as ASP.NET Core's SQL Server templates give them.</item>
/// </list>
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

        foreach (var roundItem in new[] { typeof(CalibrationRoundItem), typeof(RlthfRoundItem) })
        {
            foreach (var fk in builder.Model.FindEntityType(roundItem)!.GetForeignKeys().Where(fk => fk.PrincipalEntityType.ClrType == typeof(Item)))
            {
                fk.DeleteBehavior = DeleteBehavior.ClientCascade;
            }
        }

        foreach (var fk in builder.Model.FindEntityType(typeof(Annotation))!.GetForeignKeys().Where(fk => fk.PrincipalEntityType.ClrType == typeof(ExternalRater)))
        {
            fk.DeleteBehavior = DeleteBehavior.ClientCascade;
        }

        builder.Entity<IdentityUserLogin<Guid>>(b =>
        {
            b.Property(l => l.LoginProvider).HasMaxLength(128);
            b.Property(l => l.ProviderKey).HasMaxLength(128);
        });
        builder.Entity<IdentityUserToken<Guid>>(b =>
        {
            b.Property(t => t.LoginProvider).HasMaxLength(128);
            b.Property(t => t.Name).HasMaxLength(128);
        });
    }

    /// <summary><c>"Status" IN (1, 2)</c> → <c>[Status] IN (1, 2)</c>.</summary>
    public static string BracketIdentifiers(string sql) => QuotedIdentifier().Replace(sql, m => "[" + m.Groups[1].Value.Replace("]", "]]", StringComparison.Ordinal) + "]");

    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex QuotedIdentifier();
}
