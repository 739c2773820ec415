using Npgsql;
using NpgsqlTypes;
using Portal.App.Data;

namespace Portal.App.Features.Import;

/// <summary>
/// PostgreSQL's import path (decision 0010, "PostgreSQL writes once"): each batch goes by binary COPY straight into
/// <c>Items</c> and <c>AiLabels</c>, inside the import's one transaction, with no staging table and nothing to tidy.
/// Before a batch is copied, one query asks which of its external ids the project already has — the lines of this file
/// copied before are in the project too, as this transaction sees it — and the batch's own repeats are dropped, so the
/// first line of each external id wins and a re-import adds nothing twice (the unique index on the tenant, project and
/// external id would refuse a repeat rather than store it). Other tenants never wait: PostgreSQL locks rows, not the
/// database, and the unique index's keys carry the tenant.
/// </summary>
internal sealed class PostgresDirectWriter(NpgsqlConnection connection, Guid tenantId, Guid projectId)
{
    private const string ItemsCopy = """
        COPY "Items" ("Id", "TenantId", "ProjectId", "ExternalId", "ConversationJson", "ResponseA", "ResponseB", "ResponseTurnsAJson",
            "ResponseTurnsBJson", "MetadataJson", "Priority", "Claimed", "IsGold", "CreatedAt", "Category") FROM STDIN (FORMAT BINARY)
        """;

    private const string LabelsCopy = """
        COPY "AiLabels" ("Id", "TenantId", "ProjectId", "ItemId", "Choice", "Model", "Origin", "CreatedAt") FROM STDIN (FORMAT BINARY)
        """;

    private const string PresentQuery = """
        SELECT "ExternalId" FROM "Items" WHERE "TenantId" = $1 AND "ProjectId" = $2 AND "ExternalId" = ANY($3)
        """;

    private readonly List<ImportStagedItem> _keep = new(ItemImportService.BatchSize);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>Items written so far.</summary>
    public int Added { get; private set; }

    /// <summary>AI labels written so far (those of the items written).</summary>
    public int Labels { get; private set; }

    public async Task WriteAsync(IReadOnlyList<ImportStagedItem> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await KnownExternalIdsAsync(batch, ct);
        _keep.Clear();
        var labelled = 0;
        foreach (var row in batch)
        {
            // The first line of an external id the project does not have yet; lines without one are always new.
            if (row.ExternalId is null || _seen.Add(row.ExternalId))
            {
                _keep.Add(row);
                labelled += row.LabelId is null ? 0 : 1;
            }
        }

        await CopyItemsAsync(ct);
        if (labelled > 0)
        {
            await CopyLabelsAsync(ct);
        }

        Added += _keep.Count;
        Labels += labelled;
    }

    /// <summary>Fills <see cref="_seen"/> with the batch's external ids that the project has (as this transaction sees it).</summary>
    private async Task KnownExternalIdsAsync(IReadOnlyList<ImportStagedItem> batch, CancellationToken ct)
    {
        _seen.Clear();
        var ids = batch.Select(r => r.ExternalId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return;
        }

        await using var query = new NpgsqlCommand(PresentQuery, connection);
        query.Parameters.Add(new NpgsqlParameter { Value = tenantId, NpgsqlDbType = NpgsqlDbType.Uuid });
        query.Parameters.Add(new NpgsqlParameter { Value = projectId, NpgsqlDbType = NpgsqlDbType.Uuid });
        query.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            _seen.Add(reader.GetString(0));
        }
    }

    private async Task CopyItemsAsync(CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(ItemsCopy, ct);
        foreach (var row in _keep)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(row.ItemId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(row.TenantId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(row.ProjectId, NpgsqlDbType.Uuid, ct);
            await TextAsync(copy, row.ExternalId, ct);
            await copy.WriteAsync(row.ConversationJson, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(row.ResponseA, NpgsqlDbType.Text, ct);
            await TextAsync(copy, row.ResponseB, ct);
            await TextAsync(copy, row.ResponseTurnsAJson, ct);
            await TextAsync(copy, row.ResponseTurnsBJson, ct);
            await TextAsync(copy, row.MetadataJson, ct);
            await copy.WriteAsync(0, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(0, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
            await copy.WriteAsync(DateTime.SpecifyKind(row.StagedAt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, ct);
            await TextAsync(copy, row.Category, ct);
        }

        await copy.CompleteAsync(ct);
    }

    private async Task CopyLabelsAsync(CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(LabelsCopy, ct);
        foreach (var row in _keep)
        {
            if (row is not { LabelId: { } id, LabelChoice: { } choice })
            {
                continue;
            }

            await copy.StartRowAsync(ct);
            await copy.WriteAsync(id, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(row.TenantId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(row.ProjectId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(row.ItemId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync((int)choice, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(row.LabelModel ?? "", NpgsqlDbType.Text, ct);
            await copy.WriteAsync("dataset", NpgsqlDbType.Text, ct);
            await copy.WriteAsync(DateTime.SpecifyKind(row.StagedAt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, ct);
        }

        await copy.CompleteAsync(ct);
    }

    private static async Task TextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(ct);
        }
        else
        {
            await copy.WriteAsync(value, NpgsqlDbType.Text, ct);
        }
    }
}
