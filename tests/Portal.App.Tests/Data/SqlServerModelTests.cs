using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.App.Data;
using Portal.TestSupport;

namespace Portal.App.Tests.Data;

/// <summary>
/// What can be checked of SQL Server with no SQL Server engine (none on these machines): the model and its migrations, the
/// script they make, the constraints SQL Server would refuse, and that the queries translate. The same tests with an
/// engine run through <see cref="SqlServerDataAttribute"/> when <c>PORTAL_TEST_SQLSERVER</c> is set.
/// </summary>
public sealed partial class SqlServerModelTests
{
    /// <summary>A SQL Server-configured context; its connection string points at no server and is never opened.</summary>
    private static PortalDbContext SqlServerContext()
    {
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        new DatabaseOptions(DatabaseProvider.SqlServer, DatabaseOptions.SqlServerDesignTimeConnectionString).Configure(builder);
        return new PortalDbContext(builder.Options);
    }

    [Fact]
    public void Model_WithoutAServer_HasNoChangesThatTheSqlServerMigrationsMiss()
    {
        using var db = SqlServerContext();

        Assert.True(db.Database.IsSqlServer());
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            "The model has changes that no SQL Server migration captures: add one to migrations/Portal.Migrations.SqlServer.");
    }

    [Fact]
    public void IdempotentScript_WithoutAServer_CreatesEveryTableOnceEachGuardedByTheHistoryTable()
    {
        using var db = SqlServerContext();
        // What `dotnet ef migrations script --idempotent --project migrations/Portal.Migrations.SqlServer` prints.
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        foreach (var migration in db.Database.GetMigrations())
        {
            Assert.Contains($"IF NOT EXISTS (\n    SELECT * FROM [__EFMigrationsHistory]\n    WHERE [MigrationId] = N'{migration}'\n)", script.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }

        foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct())
        {
            Assert.Single(Regex.Matches(script, $@"CREATE TABLE \[{Regex.Escape(table)}\] \("));
        }

        // The filtered indexes in SQL Server's own quoting (see SqlServerModel).
        Assert.Contains("WHERE [Status] IN (1, 2, 4) AND [RepeatOf] IS NULL", script, StringComparison.Ordinal);
        Assert.DoesNotContain("WHERE \"", script, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignKeys_OnSqlServer_HaveNoCyclesOrMultipleCascadePaths()
    {
        // SQL Server refuses a foreign key whose ON DELETE CASCADE / SET NULL would reach a table by two paths or in a cycle
        // (error 1785) when the migration runs; SQLite and PostgreSQL accept it. Nothing here can run the migration, so the
        // rule is checked on the model: count the cascading paths from every table to every other.
        using var db = SqlServerContext();
        var edges = db.Model.GetEntityTypes()
            .SelectMany(e => e.GetDeclaredForeignKeys())
            .Where(fk => fk.DeleteBehavior is DeleteBehavior.Cascade or DeleteBehavior.SetNull)
            .Select(fk => (From: fk.PrincipalEntityType.GetTableName()!, To: fk.DeclaringEntityType.GetTableName()!, Name: fk.GetConstraintName()!))
            .ToList();
        var problems = new List<string>();
        foreach (var start in edges.Select(e => e.From).Distinct())
        {
            var paths = new Dictionary<string, List<string>>();
            void Walk(string table, string path, HashSet<string> seen)
            {
                foreach (var edge in edges.Where(e => e.From == table))
                {
                    var next = $"{path} -{edge.Name}-> {edge.To}";
                    if (!seen.Add(edge.To))
                    {
                        problems.Add("cycle: " + next);
                        continue;
                    }

                    (paths.TryGetValue(edge.To, out var list) ? list : paths[edge.To] = []).Add(next);
                    Walk(edge.To, next, seen);
                    seen.Remove(edge.To);
                }
            }

            Walk(start, start, [start]);
            problems.AddRange(paths.Where(p => p.Value.Count > 1).Select(p => $"{p.Value.Count} cascade paths from {start} to {p.Key}: {string.Join(" | ", p.Value)}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    [Fact]
    public void Indexes_OnSqlServer_HaveKeysWithinItsSizeLimits()
    {
        // An index key over 1,700 bytes (900 for the clustered primary key) is created with a warning and then refuses the
        // rows that fill it; an nvarchar(max) key column is refused outright. EF sizes indexed strings nvarchar(450).
        using var db = SqlServerContext();
        var problems = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var keys = entity.GetDeclaredIndexes().Select(i => (Name: i.GetDatabaseName(table) ?? i.Name ?? "?", i.Properties, Limit: 1700))
                .Concat(entity.GetDeclaredKeys().Where(k => k.IsPrimaryKey()).Select(k => (Name: k.GetName(table) ?? "PK", k.Properties, Limit: 900)));
            foreach (var (name, properties, limit) in keys)
            {
                var bytes = properties.Sum(p => KeyBytes(p.GetColumnType(table) ?? p.GetColumnType()));
                if (bytes > limit)
                {
                    problems.Add($"{entity.GetTableName()}.{name}: {bytes} bytes ({string.Join(", ", properties.Select(p => $"{p.Name} {p.GetColumnType()}"))}), limit {limit}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static int KeyBytes(string storeType)
    {
        var sized = SizedType().Match(storeType);
        if (sized.Success)
        {
            var kind = sized.Groups[1].Value;
            var size = sized.Groups[2].Value;
            return size == "max" ? int.MaxValue / 64 : int.Parse(size, System.Globalization.CultureInfo.InvariantCulture) * (kind.StartsWith('n') ? 2 : 1);
        }

        return storeType switch
        {
            "uniqueidentifier" => 16,
            "int" => 4,
            "bigint" => 8,
            "smallint" => 2,
            "tinyint" or "bit" => 1,
            "float" or "datetime2" or "datetime" => 8,
            "real" => 4,
            "datetimeoffset" => 10,
            "date" => 3,
            "time" => 5,
            "nvarchar(max)" or "varchar(max)" or "varbinary(max)" => int.MaxValue / 64,
            _ when storeType.StartsWith("decimal", StringComparison.Ordinal) => 17,
            _ => throw new InvalidOperationException($"No key size known for {storeType}: add it here."),
        };
    }

    [GeneratedRegex(@"^(n?varchar|n?char|varbinary|binary)\((\d+|max)\)$")]
    private static partial Regex SizedType();

    [Fact]
    public async Task TranslationCheck_QueryOnlySqliteTranslates_FailsTheTestThatRanItOnSqlite()
    {
        // The SQLite test databases compile every query for SQL Server too (SqlServerTranslationCheck). GLOB is SQLite's
        // alone: SQLite runs this query, SQL Server cannot translate it, so the check must stop it.
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var ctx = db.Factory.CreateDbContext();

        var error = await Assert.ThrowsAsync<SqlServerTranslationException>(
            () => ctx.Users.Where(u => EF.Functions.Glob(u.Email!, "*@sqlserver-check.test")).ToListAsync());

        Assert.Contains("could not be translated", error.Message, StringComparison.Ordinal);
        Assert.Contains("Glob", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranslationCheck_TenantFilteredQueryOnSqlite_IsCompiledForSqlServerAndStillRuns()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await using var ctx = db.Factory.CreateDbContext();
        ctx.CurrentTenantId = Guid.NewGuid();
        var before = SqlServerTranslationCheck.Instance.Checked;

        // A shape no service uses, so it is compiled here, not cached from another test.
        var count = await ctx.Items.Where(i => i.ExternalId != null && i.ExternalId.Length == 987654).Select(i => new { i.Id, i.Priority }).CountAsync();

        Assert.Equal(0, count);
        Assert.True(SqlServerTranslationCheck.Instance.Checked > before);
    }
}
