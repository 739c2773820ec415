using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Common;
using Portal.Core.Import;
using Portal.Core.Pairs;

namespace Portal.App.Features.Import;

/// <summary>What an import did.</summary>
/// <param name="SplitEarly">Pairs whose two sides parted before their last turn, split as TRL's <c>extract_prompt</c> does.</param>
/// <param name="Labels">Labels the file carried that were stored as the import's options asked (AI labels or external raters' annotations).</param>
/// <param name="ExternalRaters">External raters the file's labels were given to (new or already in the project).</param>
/// <param name="AttributesCreated">True when the import gave the project HelpSteer2's five attributes.</param>
public sealed record ImportResult(long Lines, int Added, int AlreadyPresent, int SplitEarly = 0, int Labels = 0, FileLabels LabelsAs = FileLabels.Ignore,
    int ExternalRaters = 0, bool AttributesCreated = false);

/// <summary>What to do with the labels a file carries (a chosen response, a winner, a preferred comment).</summary>
public enum FileLabels
{
    /// <summary>Keep only the items; the file's labels stay in nobody's counts.</summary>
    Ignore,

    /// <summary>Store them as AI labels of the items (for the targeted-feedback loop), the model named by the file's judge or the dataset.</summary>
    AiLabels,

    /// <summary>
    /// Store them as annotations of external raters (one per rater id the file names, else one for the dataset): counted in
    /// agreement and aggregation, shown as external, never given tasks, not towards an item's overlap.
    /// </summary>
    External,
}

/// <summary>How to read an import file.</summary>
/// <param name="Format">The pair file's shape; <see cref="PairFileFormat.Auto"/> detects it from the first record.</param>
/// <param name="Labels">What the file's labels become.</param>
/// <param name="Source">The dataset's name: the AI labels' model when the file names no judge, the external raters' source; default the file's name.</param>
/// <param name="ReplaceAttributes">A HelpSteer2 file into a Likert project whose attributes are not HelpSteer2's: replace them with HelpSteer2's
/// five 0–4 attributes (otherwise that is an error, unless the project still has the default set and no ratings).</param>
public sealed record ImportOptions(PairFileFormat Format = PairFileFormat.Auto, FileLabels Labels = FileLabels.Ignore, string? Source = null,
    bool ReplaceAttributes = false)
{
    public static readonly ImportOptions Default = new();

    /// <summary>The option names as the API, the CLI and the job arguments spell them.</summary>
    public static readonly IReadOnlyDictionary<string, PairFileFormat> FormatNames = new Dictionary<string, PairFileFormat>(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = PairFileFormat.Auto,
        ["trl"] = PairFileFormat.Trl,
        ["ultrafeedback"] = PairFileFormat.UltraFeedback,
        ["chatbot-arena"] = PairFileFormat.ChatbotArena,
        ["shp"] = PairFileFormat.Shp,
    };

    public static readonly IReadOnlyDictionary<string, FileLabels> LabelNames = new Dictionary<string, FileLabels>(StringComparer.OrdinalIgnoreCase)
    {
        ["ignore"] = FileLabels.Ignore,
        ["ai"] = FileLabels.AiLabels,
        ["external"] = FileLabels.External,
    };

    /// <summary>Reads the options from their names; a bad name is an error naming the field and the names it takes.</summary>
    public static ImportOptions Parse(string? format, string? labels, string? source, string? attributes = null)
    {
        var replace = attributes?.Trim().ToLowerInvariant() switch
        {
            null or "" or "keep" => false,
            "helpsteer2" => true,
            _ => throw new PortalValidationException("attributes", $"'{attributes}' is not a choice for the project's attributes; use keep or helpsteer2."),
        };

        var f = PairFileFormat.Auto;
        if (!string.IsNullOrWhiteSpace(format) && !FormatNames.TryGetValue(format.Trim(), out f))
        {
            throw new PortalValidationException("format", $"'{format}' is not a format; use one of {string.Join(", ", FormatNames.Keys)}.");
        }

        var l = FileLabels.Ignore;
        if (!string.IsNullOrWhiteSpace(labels) && !LabelNames.TryGetValue(labels.Trim(), out l))
        {
            throw new PortalValidationException("labels", $"'{labels}' is not a choice for the file's labels; use one of {string.Join(", ", LabelNames.Keys)}.");
        }

        return new ImportOptions(f, l, string.IsNullOrWhiteSpace(source) ? null : source.Trim(), replace);
    }

    public string FormatName => FormatNames.First(n => n.Value == Format).Key;

    public string LabelsName => LabelNames.First(n => n.Value == Labels).Key;

    /// <summary>keep or helpsteer2, as <see cref="Parse"/> reads it.</summary>
    public string AttributesName => ReplaceAttributes ? "helpsteer2" : "keep";
}

/// <summary>Told when a batch of an import has been staged and its transaction committed: lets a test act mid-import.</summary>
public interface IImportObserver
{
    ValueTask BatchStagedAsync(Guid projectId, int batches, CancellationToken ct);
}

/// <summary>
/// Imports a project's items from a JSONL, CSV or Parquet file. The file streams into a staging table in batches, each
/// its own short transaction (on SQLite the single write lock is free between them, so other organisations keep
/// working); once the whole file has been read, one statement publishes the batch into the items. A bad line anywhere,
/// or an import that fails or is killed, leaves the project as it was (all or nothing) and its staged rows are deleted.
/// Items whose external id the project already has are skipped (a re-import adds nothing twice). See
/// docs/decisions/0010-import-staging.md.
/// </summary>
public sealed class ItemImportService(IDbContextFactory<PortalDbContext> dbFactory, IConfiguration configuration, TimeProvider clock, UploadLimits limits,
    IEnumerable<IImportObserver> observers)
{
    /// <summary>Rows per staging transaction: a few milliseconds of the write lock on SQLite.</summary>
    public const int BatchSize = 2000;

    /// <summary>Rows per COPY on PostgreSQL's direct path: fewer commands, so the server waits less between them.</summary>
    public const int DirectBatchSize = 8000;

    /// <summary>Staged rows of an import that has written nothing for this long were abandoned (a process killed mid-import).</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(6);

    private const int DeleteChunk = 5000;

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromHours(1);

    /// <summary>Where uploads wait for their import job (<c>Storage:Uploads</c>, default <c>data/uploads</c>).</summary>
    public string UploadFolder => Path.GetFullPath(configuration["Storage:Uploads"] ?? Path.Combine("data", "uploads"));

    /// <summary>
    /// Copies an upload to the upload folder without holding it in memory; returns the stored path. Nothing is left
    /// behind when it fails, the upload being larger than <see cref="UploadLimits.MaxUploadBytes"/> or cut short.
    /// </summary>
    /// <exception cref="UploadTooLargeException">The upload is larger than the limit.</exception>
    public async Task<string> StoreUploadAsync(Stream content, string fileName, CancellationToken ct)
    {
        Directory.CreateDirectory(UploadFolder);
        var path = Path.Combine(UploadFolder, $"{Guid.NewGuid():N}-{Path.GetFileName(fileName)}");
        await limits.CopyBoundedAsync(content, path, ct);
        return path;
    }

    public Task<ImportResult> ImportAsync(Guid tenantId, Guid projectId, string path, string fileName, IJobProgress progress, CancellationToken ct) =>
        ImportAsync(tenantId, projectId, path, fileName, ImportOptions.Default, progress, ct);

    public Task<ImportResult> ImportAsync(Guid tenantId, Guid projectId, string path, string fileName, ImportOptions options, IJobProgress progress, CancellationToken ct) =>
        ImportAsync(tenantId, projectId, path, fileName, options, Guid.NewGuid(), progress, ct);

    /// <param name="importId">
    /// The key of the import's staged rows. The import job passes its run's id: a re-run of a run whose node died first
    /// deletes what the stopped run had staged.
    /// </param>
    public async Task<ImportResult> ImportAsync(Guid tenantId, Guid projectId, string path, string fileName, ImportOptions options, Guid importId,
        IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var db = dbFactory.CreateForTenant(tenantId);

        // Publishing a million rows is one statement that can run past the default 30 s; the job's token still stops it.
        db.Database.SetCommandTimeout(PublishTimeout);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct)
            ?? throw new PortalValidationException("projectId", "There is no such project in this organisation.");
        if (project.ArchivedAt is not null)
        {
            throw new PortalValidationException("project", Projects.ProjectService.ArchivedMessage);
        }

        var shape = project.Kind == ProjectKind.Likert ? ItemShape.Likert : ItemShape.Pairwise;
        var dataset = options.Source is { } source ? Clip(source) : LabelModel(fileName);
        var attributes = new HelpSteerAttributesStep(db, project, options.ReplaceAttributes);
        var labels = options.Labels == FileLabels.AiLabels && shape == ItemShape.Pairwise ? new LabelSink(dataset) : null;
        var external = options.Labels == FileLabels.External ? new ExternalLabelSink(db, project, dataset) : null;
        if (external is not null)
        {
            await external.LoadAsync(ct);
        }

        await SweepAsync(db, tenantId, projectId, importId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (external is null && db.Database.IsNpgsql())
        {
            using var direct = limits.OpenText(path, fileName, out var directFile);
            if (await ImportDirectAsync(db, (tenantId, projectId, shape, now), direct, directFile, fileName, options, labels, attributes, progress, ct)
                is { } done)
            {
                return done;
            }

            // A line repeated an external id (of the project or of an earlier line): nothing was kept; the staged path skips such lines.
            attributes = new HelpSteerAttributesStep(db, project, options.ReplaceAttributes);
        }

        using var reader = limits.OpenText(path, fileName, out var file);
        var length = Math.Max(1, file.Length);

        // SQLite stages in a temp table of this connection (dropped at the end); other providers in the shared table.
        await using var temp = await SqliteTempStaging.CreateAsync(db, ct);
        var split = 0;
        var staged = 0;
        var batches = 0;
        long lines = 0;
        var batch = new List<ImportStagedItem>(BatchSize);
        var scored = false;
        ImportResult result;
        try
        {
            await using (var writer = await StagingWriter.CreateAsync(db, deferred: temp is not null, ct))
            {
                var items = ParquetRecords.IsParquet(fileName)
                    ? ItemFileReader.ReadParquet(file, shape, options.Format, limits.Input)
                    : ItemFileReader.Read(reader, shape, ItemFileReader.IsCsv(fileName), options.Format);
                foreach (var item in items)
                {
                    lines = item.LineNumber;
                    split += item.SplitEarly ? 1 : 0;
                    scored |= item.FileScores is not null;
                    var staging = Stage(item, importId, tenantId, projectId, labels, now);
                    external?.Stage(item, staging);
                    batch.Add(staging);
                    if (batch.Count == BatchSize)
                    {
                        await writer.WriteAsync(batch, ct);
                        staged += batch.Count;
                        batch.Clear();
                        batches++;
                        await progress.ReportAsync((int)(95.0 * file.Position / length), $"{staged} items read");
                        foreach (var observer in observers)
                        {
                            await observer.BatchStagedAsync(projectId, batches, ct);
                        }
                    }
                }

                await writer.WriteAsync(batch, ct);
                staged += batch.Count;
            }

            await progress.ReportAsync(96, $"{staged} items read; publishing");
            result = await PublishAsync(db, importId, (lines, split, staged), options.Labels, scored ? attributes : null, external, now, progress, ct);
            // No message: the run was marked done with its result inside the publish, and a reader may already show it.
            await progress.ReportAsync(98);
        }
        catch (Exception ex)
        {
            if (temp is null)
            {
                await DeleteStagedAsync(db, s => s.ImportId == importId, CancellationToken.None);
            }

            var explained = Explain(ex, fileName);
            if (ReferenceEquals(explained, ex))
            {
                throw;
            }

            throw explained;
        }

        if (temp is null)
        {
            await DeleteStagedAsync(db, s => s.ImportId == importId, ct);
        }

        return await FinishAsync(db, result, progress, ct);
    }

    /// <summary>A bad file's error as the user reads it (naming the file and the line); any other error as it was.</summary>
    private static Exception Explain(Exception ex, string fileName) => ex switch
    {
        ItemFormatException format => new PortalValidationException("file", $"{fileName} {format.Message} Nothing was imported."),
        InputLimitException limit => UploadLimits.Explain(limit, fileName),
        _ => ex,
    };

    private static async Task<ImportResult> FinishAsync(PortalDbContext db, ImportResult result, IJobProgress progress, CancellationToken ct)
    {
        // Fresh statistics for the assignment engine's queries: without them PostgreSQL plans the next-task query as a
        // nested loop over the whole project (measured 90-156 ms a task, 1.8 ms after ANALYZE). SQLite and SQL Server too.
        if (result.Added > 0)
        {
            await DatabaseStatistics.RefreshAsync(db.Database, "Items", ct);
        }

        await progress.ReportAsync(100, Describe(result));
        return result;
    }

    /// <summary>
    /// PostgreSQL: the whole import is one transaction that writes each batch once, by binary COPY, into the items and AI
    /// labels (<see cref="PostgresDirectWriter"/>), and marks the run done before it commits. No other organisation waits for
    /// it (row locks only), so there is nothing to stage and nothing to tidy. The file is parsed on another thread while the
    /// server stores the batch before (at most two batches wait between them: constant memory). A bad line, a failure or
    /// a cancellation rolls all of it back. Returns null, with nothing kept, when a line's external id is already in the
    /// project or on an earlier line: the caller imports the file again on the staged path, which skips those lines.
    /// </summary>
    private async Task<ImportResult?> ImportDirectAsync(PortalDbContext db, (Guid Tenant, Guid Project, ItemShape Shape, DateTime Now) at, TextReader reader,
        Stream file, string fileName, ImportOptions options, LabelSink? labels, HelpSteerAttributesStep attributes, IJobProgress progress, CancellationToken ct)
    {
        var length = Math.Max(1, file.Length);
        var channel = System.Threading.Channels.Channel.CreateBounded<(List<ImportStagedItem> Rows, long Position)>(
            new System.Threading.Channels.BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        long lines = 0;
        var split = 0;
        var scored = false;
        var parsing = Task.Run(async () =>
        {
            try
            {
                var items = ParquetRecords.IsParquet(fileName)
                    ? ItemFileReader.ReadParquet(file, at.Shape, options.Format, limits.Input)
                    : ItemFileReader.Read(reader, at.Shape, ItemFileReader.IsCsv(fileName), options.Format);
                var batch = new List<ImportStagedItem>(DirectBatchSize);
                foreach (var item in items)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    lines = item.LineNumber;
                    split += item.SplitEarly ? 1 : 0;
                    scored |= item.FileScores is not null;
                    batch.Add(Stage(item, Guid.Empty, at.Tenant, at.Project, labels, at.Now));
                    if (batch.Count == DirectBatchSize)
                    {
                        await channel.Writer.WriteAsync((batch, file.Position), stop.Token);
                        batch = new List<ImportStagedItem>(DirectBatchSize);
                    }
                }

                await channel.Writer.WriteAsync((batch, file.Position), stop.Token);
                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        }, CancellationToken.None);

        var total = 0;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var writer = new PostgresDirectWriter((Npgsql.NpgsqlConnection)db.Database.GetDbConnection());
            var batches = 0;
            await foreach (var (rows, position) in channel.Reader.ReadAllAsync(ct))
            {
                await writer.WriteAsync(rows, ct);
                total += rows.Count;
                if (rows.Count < DirectBatchSize)
                {
                    continue;
                }

                batches++;
                await progress.ReportAsync((int)(95.0 * position / length), $"{total} items read");
                foreach (var observer in observers)
                {
                    await observer.BatchStagedAsync(at.Project, batches, ct);
                }
            }

            await progress.ReportAsync(96, $"{total} items read; committing");

            // A HelpSteer2 file's attributes come with its items, or the import stops before any is committed.
            if (scored)
            {
                await attributes.EnsureAsync(at.Now, ct);
            }

            var result = new ImportResult(lines, writer.Added, total - writer.Added, split, writer.Labels, options.Labels, 0, attributes.Created);
            await progress.CompleteWithinAsync(db, Describe(result), ct);
            await transaction.CommitAsync(ct);
            await progress.ReportAsync(98);
            return await FinishAsync(db, result, progress, ct);
        }
        catch (Exception ex) when (PostgresDirectWriter.IsRepeatedExternalId(ex))
        {
            // The transaction was rolled back as it was disposed.
            return null;
        }
        catch (Exception ex)
        {
            // The parser's error reaches here as the channel's completion (wrapped by some of its readers).
            var error = ex is System.Threading.Channels.ChannelClosedException { InnerException: { } inner } ? inner : ex;
            var explained = Explain(error, fileName);
            if (ReferenceEquals(explained, error))
            {
                // Any other error as it was, with the stack it was thrown with (the parser's too, unwrapped).
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }

            throw explained;
        }
        finally
        {
            await stop.CancelAsync();
            await parsing;
        }
    }

    /// <summary>
    /// Copies the import's staged rows into the items (the first line of each external id the project does not have yet)
    /// and their file labels into the AI labels or external raters' annotations, and marks the run done, in one
    /// transaction: readers see all of it or none.
    /// </summary>
    private static async Task<ImportResult> PublishAsync(PortalDbContext db, Guid importId, (long Lines, int Split, int Staged) read, FileLabels labelsAs,
        HelpSteerAttributesStep? attributes, ExternalLabelSink? external, DateTime now, IJobProgress progress, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await using var hold = progress.HoldWrites(db);

        // A HelpSteer2 file's attributes come with its items, or the import stops before any is published.
        if (attributes is not null)
        {
            await attributes.EnsureAsync(now, ct);
        }

        var notGold = false;
        var zero = 0;
        var added = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Items" ("Id", "TenantId", "ProjectId", "ExternalId", "ConversationJson", "ResponseA", "ResponseB",
                "ResponseTurnsAJson", "ResponseTurnsBJson", "MetadataJson", "Priority", "Claimed", "IsGold", "CreatedAt", "Category")
            SELECT s."ItemId", s."TenantId", s."ProjectId", s."ExternalId", s."ConversationJson", s."ResponseA", s."ResponseB",
                s."ResponseTurnsAJson", s."ResponseTurnsBJson", s."MetadataJson", {zero}, {zero}, {notGold}, s."StagedAt", s."Category"
            FROM "ImportStagedItems" s
            WHERE s."ImportId" = {importId}
              AND (s."ExternalId" IS NULL
                OR (s."Seq" = (SELECT MIN(d."Seq") FROM "ImportStagedItems" d WHERE d."ImportId" = s."ImportId" AND d."ExternalId" = s."ExternalId")
                  AND NOT EXISTS (SELECT 1 FROM "Items" i
                    WHERE i."TenantId" = s."TenantId" AND i."ProjectId" = s."ProjectId" AND i."ExternalId" = s."ExternalId")))
            ORDER BY s."Seq"
            """, ct);
        var origin = "dataset";
        var labels = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "AiLabels" ("Id", "TenantId", "ProjectId", "ItemId", "Choice", "Model", "Origin", "CreatedAt")
            SELECT s."LabelId", s."TenantId", s."ProjectId", s."ItemId", s."LabelChoice", s."LabelModel", {origin}, s."StagedAt"
            FROM "ImportStagedItems" s
            WHERE s."ImportId" = {importId} AND s."LabelId" IS NOT NULL
              AND EXISTS (SELECT 1 FROM "Items" i WHERE i."Id" = s."ItemId")
            """, ct);
        var (annotations, raters) = external is null ? (0, 0) : await external.PublishAsync(importId, attributes?.Version ?? 0, ct);
        var result = new ImportResult(read.Lines, added, read.Staged - added, read.Split, labels + annotations, labelsAs, raters,
            attributes?.Created ?? false);
        await progress.CompleteWithinAsync(db, Describe(result), ct);
        await transaction.CommitAsync(ct);
        await hold.DisposeAsync();
        return result;
    }

    /// <summary>
    /// Deletes staged rows that will never be published: a re-run's own (its stopped run staged them) and those of the
    /// project's imports that have written nothing for <see cref="AbandonedAfter"/>.
    /// </summary>
    private async Task SweepAsync(PortalDbContext db, Guid tenantId, Guid projectId, Guid importId, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - AbandonedAfter;
        var abandoned = await db.ImportStagedItems
            .Where(s => s.TenantId == tenantId && s.ProjectId == projectId)
            .GroupBy(s => s.ImportId)
            .Where(g => g.Key == importId || g.Max(s => s.StagedAt) < cutoff)
            .Select(g => g.Key)
            .ToListAsync(ct);
        foreach (var id in abandoned)
        {
            await DeleteStagedAsync(db, s => s.ImportId == id, ct);
        }
    }

    /// <summary>Deletes staged rows a chunk at a time, each its own short transaction.</summary>
    private static async Task DeleteStagedAsync(PortalDbContext db, System.Linq.Expressions.Expression<Func<ImportStagedItem, bool>> which, CancellationToken ct)
    {
        while (true)
        {
            // Ordered by the import, not by Seq: the first chunk of the import's index entries, with no sort of them all.
            var seqs = db.ImportStagedItems.Where(which).OrderBy(s => s.ImportId).Select(s => s.Seq).Take(DeleteChunk);
            var deleted = await db.ImportStagedItems.Where(s => seqs.Contains(s.Seq)).ExecuteDeleteAsync(ct);
            if (deleted < DeleteChunk)
            {
                return;
            }
        }
    }

    private static ImportStagedItem Stage(ImportedItem item, Guid importId, Guid tenantId, Guid projectId, LabelSink? labels, DateTime now)
    {
        var staged = new ImportStagedItem
        {
            ImportId = importId,
            TenantId = tenantId,
            ProjectId = projectId,
            ItemId = Guid.CreateVersion7(),
            ExternalId = item.ExternalId,
            ConversationJson = TurnsJson(item.Conversation)!,
            ResponseA = item.ResponseA,
            ResponseB = item.ResponseB,
            ResponseTurnsAJson = TurnsJson(item.ResponseTurnsA),
            ResponseTurnsBJson = TurnsJson(item.ResponseTurnsB),
            MetadataJson = item.MetadataJson,
            Category = item.Category,
            StagedAt = now,
        };
        if (labels?.For(item) is { } label)
        {
            (staged.LabelId, staged.LabelChoice, staged.LabelModel) = (Guid.CreateVersion7(), label.Choice, label.Model);
        }

        return staged;
    }

    public static string Describe(ImportResult r) =>
        $"Imported {r.Added} item(s)" + (r.AlreadyPresent > 0 ? $"; {r.AlreadyPresent} already in the project were skipped" : "")
        + (r.SplitEarly > 0 ? $"; {r.SplitEarly} pair(s) whose sides parted before their last turn were split at the last shared turn" : "")
        + (r.AttributesCreated ? "; the project's attributes are now HelpSteer2's five, rated 0–4" : "")
        + (r.Labels > 0 && r.LabelsAs == FileLabels.External ? $"; the file's labels of {r.Labels} item(s) became annotations of {r.ExternalRaters} external rater(s)"
            : r.Labels > 0 ? $"; the file's labels of {r.Labels} item(s) became AI labels" : "") + ".";

    private static string LabelModel(string source)
    {
        var name = Path.GetFileName(source);
        foreach (var extension in (ReadOnlySpan<string>)[".gz", ".jsonl", ".json", ".csv", ".parquet"])
        {
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && name.Length > extension.Length)
            {
                name = name[..^extension.Length];
            }
        }

        return Clip(name);
    }

    private static string Clip(string model) => model.Length > 200 ? model[..200] : model;

    /// <summary>Where the file's labels go when they become AI labels: the model is the file's judge, else the dataset's name.</summary>
    private sealed class LabelSink(string dataset)
    {
        /// <summary>The AI label a line's file label becomes, if any.</summary>
        public (PreferenceChoice Choice, string Model)? For(ImportedItem item)
        {
            if (item.Pair is not { } pair)
            {
                return null;
            }

            // Both bad is a human judgement the loop does not train on (see AiLabel.Choice).
            var choice = pair.FileAnswer;
            if (choice is null or PreferenceChoice.BothBad)
            {
                return null;
            }

            return (choice.Value, Clip(pair.FileRater ?? dataset));
        }
    }

    private static string? TurnsJson(IReadOnlyList<Turn>? turns) =>
        turns is null ? null : JsonSerializer.Serialize(turns.Select(t => new { role = t.Role, content = t.Content }));
}
