using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Portal.App.Data;

namespace Portal.App.Features.Import;

/// <summary>Writes one batch of an import's rows to the staging table, each batch its own short transaction.</summary>
internal interface IStagingWriter : IAsyncDisposable
{
    Task WriteAsync(IReadOnlyList<ImportStagedItem> batch, CancellationToken ct);
}

/// <summary>
/// The staging writer for a provider: prepared inserts on SQLite, binary COPY on PostgreSQL, EF's batched inserts on any
/// other. A SQL Server writer (<c>SqlBulkCopy</c> into the same table) belongs in <see cref="Create"/> beside them.
/// </summary>
internal static class StagingWriter
{
    /// <summary>The staged columns in the order every writer sends them (<see cref="ImportStagedItem.Seq"/> is the database's).</summary>
    private static readonly string[] Columns =
    [
        nameof(ImportStagedItem.ImportId), nameof(ImportStagedItem.TenantId), nameof(ImportStagedItem.ProjectId),
        nameof(ImportStagedItem.ItemId), nameof(ImportStagedItem.ExternalId), nameof(ImportStagedItem.ConversationJson),
        nameof(ImportStagedItem.ResponseA), nameof(ImportStagedItem.ResponseB), nameof(ImportStagedItem.ResponseTurnsAJson),
        nameof(ImportStagedItem.ResponseTurnsBJson), nameof(ImportStagedItem.MetadataJson), nameof(ImportStagedItem.LabelId),
        nameof(ImportStagedItem.LabelChoice), nameof(ImportStagedItem.LabelModel), nameof(ImportStagedItem.StagedAt),
        nameof(ImportStagedItem.Category), nameof(ImportStagedItem.RaterId), nameof(ImportStagedItem.AnnotationId),
        nameof(ImportStagedItem.AnnotationKey), nameof(ImportStagedItem.ScoresJson),
    ];

    private static object? Value(ImportStagedItem s, int column) => column switch
    {
        0 => s.ImportId,
        1 => s.TenantId,
        2 => s.ProjectId,
        3 => s.ItemId,
        4 => s.ExternalId,
        5 => s.ConversationJson,
        6 => s.ResponseA,
        7 => s.ResponseB,
        8 => s.ResponseTurnsAJson,
        9 => s.ResponseTurnsBJson,
        10 => s.MetadataJson,
        11 => s.LabelId,
        12 => s.LabelChoice is { } c ? (int)c : null,
        13 => s.LabelModel,
        14 => s.StagedAt,
        15 => s.Category,
        16 => s.RaterId,
        17 => s.AnnotationId,
        18 => s.AnnotationKey,
        19 => s.ScoresJson,
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    /// <param name="deferred">SQLite: begin each batch's transaction deferred, so that writing a temp table takes no lock on the database.</param>
    public static async Task<IStagingWriter> CreateAsync(PortalDbContext db, bool deferred, CancellationToken ct)
    {
        var entity = db.Model.FindEntityType(typeof(ImportStagedItem))!;
        var table = entity.GetTableName()!;
        var columns = Columns.Select(c => entity.FindProperty(c)!).ToArray();
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(ct);
            return new SqliteWriter(db, table, columns, deferred);
        }

        if (db.Database.IsNpgsql())
        {
            await db.Database.OpenConnectionAsync(ct);
            return new PostgresWriter(db, table, columns);
        }

        return new EfWriter(db);
    }

    private static string Quote(string name) => "\"" + name + "\"";

    /// <summary>
    /// One prepared INSERT reused for every row, a transaction per batch: the single write lock is held for one batch
    /// (a few milliseconds) and released between batches, so other organisations' writes get in.
    /// </summary>
    private sealed class SqliteWriter : IStagingWriter
    {
        private readonly PortalDbContext _db;
        private readonly DbCommand _insert;
        private readonly (DbParameter Parameter, Func<object?, object?> ToProvider)[] _parameters;

        private readonly bool _deferred;

        public SqliteWriter(PortalDbContext db, string table, IProperty[] columns, bool deferred)
        {
            _db = db;
            _deferred = deferred;
            _insert = db.Database.GetDbConnection().CreateCommand();
            _insert.CommandText = $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(c => Quote(c.GetColumnName())))}) "
                + $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
            _parameters = columns.Select((c, i) =>
            {
                // The column's own mapping (converters included) makes the parameter, so values are stored exactly as EF stores them.
                var mapping = c.GetRelationalTypeMapping();
                var parameter = mapping.CreateParameter(_insert, "@p" + i, null, nullable: true);
                _insert.Parameters.Add(parameter);
                var converter = mapping.Converter;
                return (parameter, converter is null ? (Func<object?, object?>)(v => v) : v => v is null ? null : converter.ConvertToProvider(v));
            }).ToArray();
        }

        public async Task WriteAsync(IReadOnlyList<ImportStagedItem> batch, CancellationToken ct)
        {
            if (batch.Count == 0)
            {
                return;
            }

            var connection = (Microsoft.Data.Sqlite.SqliteConnection)_db.Database.GetDbConnection();
            await using var transaction = _deferred ? connection.BeginTransaction(deferred: true) : await connection.BeginTransactionAsync(ct);
            _insert.Transaction = transaction;
            foreach (var row in batch)
            {
                for (var i = 0; i < _parameters.Length; i++)
                {
                    var (parameter, toProvider) = _parameters[i];
                    var value = Value(row, i);
                    parameter.Value = (value is null ? null : toProvider(value)) ?? DBNull.Value;
                }

                await _insert.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
            _insert.Transaction = null;
        }

        public async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync();
            await _db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Binary COPY through Npgsql: the rows stream to the server in PostgreSQL's own format, one COPY per batch.</summary>
    private sealed class PostgresWriter(PortalDbContext db, string table, IProperty[] columns) : IStagingWriter
    {
        private readonly string _copy = $"COPY {Quote(table)} ({string.Join(", ", columns.Select(c => Quote(c.GetColumnName())))}) FROM STDIN (FORMAT BINARY)";

        public async Task WriteAsync(IReadOnlyList<ImportStagedItem> batch, CancellationToken ct)
        {
            if (batch.Count == 0)
            {
                return;
            }

            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var importer = await connection.BeginBinaryImportAsync(_copy, ct);
            foreach (var row in batch)
            {
                await importer.StartRowAsync(ct);
                for (var i = 0; i < columns.Length; i++)
                {
                    switch (Value(row, i))
                    {
                        case null:
                            await importer.WriteNullAsync(ct);
                            break;
                        case Guid g:
                            await importer.WriteAsync(g, NpgsqlDbType.Uuid, ct);
                            break;
                        case string s:
                            await importer.WriteAsync(s, NpgsqlDbType.Text, ct);
                            break;
                        case int n:
                            await importer.WriteAsync(n, NpgsqlDbType.Integer, ct);
                            break;
                        case DateTime d:
                            await importer.WriteAsync(DateTime.SpecifyKind(d, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, ct);
                            break;
                        case var other:
                            throw new InvalidOperationException($"No COPY type for {other.GetType()}.");
                    }
                }
            }

            await importer.CompleteAsync(ct);
        }

        public async ValueTask DisposeAsync() => await db.Database.CloseConnectionAsync();
    }

    /// <summary>Any other provider: EF's batched inserts, the change tracker cleared after each batch.</summary>
    private sealed class EfWriter(PortalDbContext db) : IStagingWriter
    {
        public async Task WriteAsync(IReadOnlyList<ImportStagedItem> batch, CancellationToken ct)
        {
            db.ImportStagedItems.AddRange(batch);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
