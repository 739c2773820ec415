using Npgsql;
using NpgsqlTypes;
using Portal.App.Data;

namespace Portal.App.Features.Import;

/// <summary>
/// PostgreSQL's import path (decision 0010, "PostgreSQL writes once"): each batch goes by binary COPY straight into
/// <c>Items</c> and <c>AiLabels</c>, inside the import's one transaction, with no staging table and nothing to tidy.
/// Nothing is asked of the database before a batch: the unique index on the tenant, project and external id refuses a
/// line whose external id the project has, or an earlier line of the file had (<see cref="IsRepeatedExternalId"/>), and
/// the import then starts again on the staged path, which skips such lines. Other tenants never wait: PostgreSQL locks
/// rows, not the database, and the unique index's keys carry the tenant.
/// </summary>
/// <remarks>
/// Session 11 asked, before each batch, which of its external ids the project had; on a project growing inside the
/// transaction that query read the project's rows again for every batch (its backend's CPU grew with the import, 5,200
/// items/s at a million). The index answers the same question for free as it stores each row.
/// </remarks>
internal sealed class PostgresDirectWriter(NpgsqlConnection connection)
{
    private const string ItemsCopy = """
        COPY "Items" ("Id", "TenantId", "ProjectId", "ExternalId", "ConversationJson", "ResponseA", "ResponseB", "ResponseTurnsAJson",
            "ResponseTurnsBJson", "MetadataJson", "Priority", "Claimed", "IsGold", "CreatedAt", "Category") FROM STDIN (FORMAT BINARY)
        """;

    private const string LabelsCopy = """
        COPY "AiLabels" ("Id", "TenantId", "ProjectId", "ItemId", "Choice", "Model", "Origin", "CreatedAt") FROM STDIN (FORMAT BINARY)
        """;

    /// <summary>The unique index whose refusal sends the import to the staged path.</summary>
    private const string ExternalIdIndex = "IX_Items_TenantId_ProjectId_ExternalId";

    private IReadOnlyList<ImportStagedItem> _keep = [];

    /// <summary>Items written so far.</summary>
    public int Added { get; private set; }

    /// <summary>AI labels written so far (those of the items written).</summary>
    public int Labels { get; private set; }

    /// <summary>True when <paramref name="ex"/> is the items' unique index refusing an external id the project already has.</summary>
    public static bool IsRepeatedExternalId(Exception ex) =>
        ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: ExternalIdIndex };

    public async Task WriteAsync(IReadOnlyList<ImportStagedItem> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        _keep = batch;
        var labelled = 0;
        foreach (var row in batch)
        {
            labelled += row.LabelId is null ? 0 : 1;
        }

        await CopyItemsAsync(ct);
        if (labelled > 0)
        {
            await CopyLabelsAsync(ct);
        }

        Added += batch.Count;
        Labels += labelled;
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
