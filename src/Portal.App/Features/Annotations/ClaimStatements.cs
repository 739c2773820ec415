using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.App.Data;
using Annotation = Portal.App.Data.Annotation;

namespace Portal.App.Features.Annotations;

/// <summary>
/// The assignment engine's hot path on the server databases, one statement each (see docs/decisions/0006): a claim that
/// skips the rows other annotators are claiming right now instead of queueing on their locks, and a submit that closes the
/// lease and stores the answer together. SQLite has none (<see cref="For"/> is null): it has one writer at a time, so there
/// is no lock to skip, and the engine's portable path serves it.
/// </summary>
/// <remarks>
/// Both statements carry the tenant in their <c>WHERE</c> themselves: raw SQL bypasses the context's tenant filter.
/// Inserted rows are written from the EF model (column names, value converters, parameter types), so a new column cannot be
/// forgotten here.
/// </remarks>
internal abstract class ClaimStatements
{
    private static readonly ClaimStatements PostgresStatements = new Postgres();
    private static readonly ClaimStatements SqlServerStatements = new SqlServer();

    /// <summary>The statements for the context's database; null on SQLite.</summary>
    public static ClaimStatements? For(PortalDbContext db) => db.Database.ProviderName switch
    {
        "Npgsql.EntityFrameworkCore.PostgreSQL" => PostgresStatements,
        "Microsoft.EntityFrameworkCore.SqlServer" => SqlServerStatements,
        _ => null,
    };

    /// <summary>
    /// Claims the highest-priority ordinary item that still has room and that the annotator has neither rated nor holds (nor
    /// answered in a calibration round), skipping rows locked by other claims; inserts <paramref name="lease"/> on it and counts
    /// the task on the annotator's standing. Returns the item, or null when no unlocked item could be claimed (nothing left,
    /// or every candidate was being claimed at that moment: the caller looks again the portable way).
    /// </summary>
    public async Task<Item?> ClaimAsync(PortalDbContext db, Project project, Assignment lease, ProjectAnnotator standing, CancellationToken ct)
    {
        using var sql = new Sql(db);
        var tenant = sql.Value(project.TenantId);
        var projectId = sql.Value(project.Id);
        var annotator = sql.Value(lease.AnnotatorId);
        var overlap = sql.Value(project.Overlap);
        var leaseRow = sql.Row(lease, (nameof(Assignment.ItemId), "claimed.\"Id\""));
        var standingRow = sql.Row(standing);
        var text = ClaimSql(sql, tenant, projectId, annotator, overlap, leaseRow, standingRow);
        var items = await db.Items.FromSqlRaw(text, [.. sql.Parameters]).IgnoreQueryFilters().AsNoTracking().ToListAsync(ct);
        return items.Count == 0 ? null : items[0];
    }

    /// <summary>
    /// Moves the assignment from leased to submitted and inserts <paramref name="annotation"/>, both or neither. False when the
    /// assignment was no longer leased (a double submit, a skip or an expiry got there first).
    /// </summary>
    public async Task<bool> SubmitAsync(PortalDbContext db, Assignment assignment, Annotation annotation, ContentFlags flags, DateTime now, CancellationToken ct)
    {
        using var sql = new Sql(db);
        var id = sql.Value(assignment.Id);
        var tenant = sql.Value(assignment.TenantId);
        var closedAt = sql.Value(now, Property<Assignment>(db, nameof(Assignment.ClosedAt)));
        var flagsValue = sql.Value(flags, Property<Assignment>(db, nameof(Assignment.Flags)));
        var row = sql.Row(annotation);
        var text = SubmitSql(sql, id, tenant, closedAt, flagsValue, row);
        var stored = await db.Database.SqlQueryRaw<int>(text, [.. sql.Parameters]).ToListAsync(ct);
        return stored.Count == 1 && stored[0] == 1;
    }

    protected abstract string ClaimSql(Sql sql, string tenant, string project, string annotator, string overlap, Sql.RowText lease, Sql.RowText standing);

    protected abstract string SubmitSql(Sql sql, string assignment, string tenant, string closedAt, string flags, Sql.RowText annotation);

    private static IProperty Property<T>(PortalDbContext db, string name) => db.Model.FindEntityType(typeof(T))!.FindProperty(name)!;

    /// <summary>PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c> in a statement whose data-modifying parts run together (one round trip, one transaction).</summary>
    private sealed class Postgres : ClaimStatements
    {
        protected override string ClaimSql(Sql sql, string tenant, string project, string annotator, string overlap, Sql.RowText lease, Sql.RowText standing) => $"""
            WITH candidate AS (
                SELECT i."Id" FROM "Items" AS i
                WHERE i."TenantId" = {tenant} AND i."ProjectId" = {project} AND NOT i."IsGold"
                  AND i."Claimed" < COALESCE(i."Overlap", {overlap})
                  AND NOT EXISTS (SELECT 1 FROM "Assignments" AS a WHERE a."ItemId" = i."Id" AND a."AnnotatorId" = {annotator}
                                  AND a."RepeatOf" IS NULL AND a."Status" IN (1, 2, 4))
                  AND NOT EXISTS (SELECT 1 FROM "CalibrationAnswers" AS c WHERE c."ItemId" = i."Id" AND c."AnnotatorId" = {annotator})
                  AND EXISTS (SELECT 1 FROM "Projects" AS p WHERE p."Id" = {project} AND p."TenantId" = {tenant}
                              AND p."PausedAt" IS NULL AND p."ArchivedAt" IS NULL
                              AND (NOT p."ChosenAnnotatorsOnly" OR EXISTS (SELECT 1 FROM "ProjectAnnotators" AS s
                                   WHERE s."ProjectId" = p."Id" AND s."AnnotatorId" = {annotator} AND s."Chosen")))
                ORDER BY i."Priority" DESC, i."CreatedAt", i."Id"
                LIMIT 1
                FOR UPDATE OF i SKIP LOCKED
            ), claimed AS (
                UPDATE "Items" AS i SET "Claimed" = i."Claimed" + 1
                FROM candidate
                WHERE i."Id" = candidate."Id" AND i."Claimed" < COALESCE(i."Overlap", {overlap})
                RETURNING i.*
            ), lease AS (
                INSERT INTO "Assignments" ({lease.Columns}) SELECT {lease.Values} FROM claimed
            ), standing AS (
                INSERT INTO "ProjectAnnotators" ({standing.Columns}) SELECT {standing.Values} FROM claimed
                ON CONFLICT ("ProjectId", "AnnotatorId") DO UPDATE SET "TasksServed" = "ProjectAnnotators"."TasksServed" + 1
            )
            SELECT * FROM claimed
            """;

        protected override string SubmitSql(Sql sql, string assignment, string tenant, string closedAt, string flags, Sql.RowText annotation) => $"""
            WITH closed AS (
                UPDATE "Assignments" SET "Status" = 2, "ClosedAt" = {closedAt}, "Flags" = {flags}, "DraftJson" = NULL
                WHERE "Id" = {assignment} AND "TenantId" = {tenant} AND "Status" = 1
                RETURNING "Id"
            ), stored AS (
                INSERT INTO "Annotations" ({annotation.Columns}) SELECT {annotation.Values} FROM closed RETURNING 1
            )
            SELECT count(*)::int AS "Value" FROM stored
            """;
    }

    /// <summary>
    /// SQL Server: <c>UPDLOCK, READPAST, ROWLOCK</c> skips the rows other claims hold, in one batch under one transaction.
    /// Written to the same design as PostgreSQL's but not run here: no SQL Server engine exists on these machines.
    /// </summary>
    private sealed class SqlServer : ClaimStatements
    {
        protected override string ClaimSql(Sql sql, string tenant, string project, string annotator, string overlap, Sql.RowText lease, Sql.RowText standing) => $"""
            SET NOCOUNT ON;
            SET XACT_ABORT ON;
            BEGIN TRANSACTION;
            DECLARE @claimed TABLE ([Id] uniqueidentifier NOT NULL);
            WITH candidate AS (
                SELECT TOP (1) i.[Id], i.[Claimed] FROM [Items] AS i WITH (UPDLOCK, READPAST, ROWLOCK)
                WHERE i.[TenantId] = {tenant} AND i.[ProjectId] = {project} AND i.[IsGold] = 0
                  AND i.[Claimed] < COALESCE(i.[Overlap], {overlap})
                  AND NOT EXISTS (SELECT 1 FROM [Assignments] AS a WHERE a.[ItemId] = i.[Id] AND a.[AnnotatorId] = {annotator}
                                  AND a.[RepeatOf] IS NULL AND a.[Status] IN (1, 2, 4))
                  AND NOT EXISTS (SELECT 1 FROM [CalibrationAnswers] AS c WHERE c.[ItemId] = i.[Id] AND c.[AnnotatorId] = {annotator})
                  AND EXISTS (SELECT 1 FROM [Projects] AS p WHERE p.[Id] = {project} AND p.[TenantId] = {tenant}
                              AND p.[PausedAt] IS NULL AND p.[ArchivedAt] IS NULL
                              AND (p.[ChosenAnnotatorsOnly] = 0 OR EXISTS (SELECT 1 FROM [ProjectAnnotators] AS s
                                   WHERE s.[ProjectId] = p.[Id] AND s.[AnnotatorId] = {annotator} AND s.[Chosen] = 1)))
                ORDER BY i.[Priority] DESC, i.[CreatedAt], i.[Id]
            )
            UPDATE candidate SET [Claimed] = [Claimed] + 1 OUTPUT inserted.[Id] INTO @claimed;
            INSERT INTO [Assignments] ({lease.Columns}) SELECT {lease.Values} FROM @claimed AS claimed;
            UPDATE s SET [TasksServed] = s.[TasksServed] + 1
            FROM [ProjectAnnotators] AS s WITH (UPDLOCK, SERIALIZABLE)
            WHERE s.[ProjectId] = {project} AND s.[AnnotatorId] = {annotator} AND EXISTS (SELECT 1 FROM @claimed);
            IF @@ROWCOUNT = 0
                INSERT INTO [ProjectAnnotators] ({standing.Columns}) SELECT {standing.Values} FROM @claimed AS claimed;
            COMMIT TRANSACTION;
            SELECT i.* FROM [Items] AS i INNER JOIN @claimed AS claimed ON claimed.[Id] = i.[Id];
            """.Replace("claimed.\"Id\"", "claimed.[Id]", StringComparison.Ordinal);

        protected override string SubmitSql(Sql sql, string assignment, string tenant, string closedAt, string flags, Sql.RowText annotation) => $"""
            SET NOCOUNT ON;
            SET XACT_ABORT ON;
            BEGIN TRANSACTION;
            DECLARE @closed TABLE ([Id] uniqueidentifier NOT NULL);
            UPDATE [Assignments] SET [Status] = 2, [ClosedAt] = {closedAt}, [Flags] = {flags}, [DraftJson] = NULL
            OUTPUT inserted.[Id] INTO @closed
            WHERE [Id] = {assignment} AND [TenantId] = {tenant} AND [Status] = 1;
            INSERT INTO [Annotations] ({annotation.Columns}) SELECT {annotation.Values} FROM @closed AS closed;
            COMMIT TRANSACTION;
            SELECT COUNT(*) AS [Value] FROM @closed;
            """;
    }

    /// <summary>Parameters of one statement, made by the provider's own type mappings (converters, UTC timestamps, JSON columns).</summary>
    protected sealed class Sql(PortalDbContext db) : IDisposable
    {
        /// <summary>
        /// The column list and property order of each entity type, per model (a context's model is shared by every context of
        /// the same options, so this is computed once per database and type, not per request).
        /// </summary>
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IModel, System.Collections.Concurrent.ConcurrentDictionary<Type, Columns>> Shapes = new();

        private DbCommand? _factory;

        public List<DbParameter> Parameters { get; } = [];

        public readonly record struct RowText(string Columns, string Values);

        private sealed record Columns(string List, IProperty[] Properties, RelationalTypeMapping[] Mappings);

        /// <summary>A parameter holding <paramref name="value"/>; returns its placeholder.</summary>
        public string Value(object? value, IProperty? property = null) =>
            Add(value, property?.GetRelationalTypeMapping() ?? db.GetService<IRelationalTypeMappingSource>().FindMapping(value!.GetType())!,
                property?.IsNullable);

        private string Add(object? value, RelationalTypeMapping mapping, bool? nullable)
        {
            var name = Names[Parameters.Count];
            _factory ??= db.Database.GetDbConnection().CreateCommand();
            Parameters.Add(mapping.CreateParameter(_factory, name, value, nullable));
            return name;
        }

        /// <summary>Placeholders @claim0 … @claim99, made once.</summary>
        private static readonly string[] Names = [.. Enumerable.Range(0, 100).Select(i => "@claim" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

        /// <summary>Every mapped column of <paramref name="entity"/> with a parameter for its value, or the SQL expression given for it.</summary>
        public RowText Row<T>(T entity, params (string Property, string Expression)[] computed) where T : class
        {
            var shape = Shapes.GetOrCreateValue(db.Model).GetOrAdd(typeof(T), static (t, context) =>
            {
                var type = context.Model.FindEntityType(t)!;
                var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
                var names = context.GetService<ISqlGenerationHelper>();
                var properties = type.GetProperties().ToArray();
                return new Columns(
                    string.Join(", ", properties.Select(p => names.DelimitIdentifier(p.GetColumnName(table)!))),
                    properties,
                    [.. properties.Select(p => p.GetRelationalTypeMapping())]);
            }, db);
            var values = new string[shape.Properties.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var property = shape.Properties[i];
                var expression = computed.Length == 0 ? null : computed.FirstOrDefault(c => c.Property == property.Name).Expression;
                values[i] = expression ?? Add(property.GetGetter().GetClrValue(entity), shape.Mappings[i], property.IsNullable);
            }

            return new RowText(shape.List, string.Join(", ", values));
        }

        public void Dispose() => _factory?.Dispose();
    }
}
