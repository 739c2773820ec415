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

/// <summary>
/// Imports a project's items from a JSONL or CSV file: streamed in batches inside one transaction, so a bad line anywhere
/// leaves the project as it was (all or nothing), and items whose external id the project already has are skipped (a
/// re-import adds nothing twice).
/// </summary>
public sealed class ItemImportService(IDbContextFactory<PortalDbContext> dbFactory, IConfiguration configuration, TimeProvider clock, UploadLimits limits)
{
    private const int BatchSize = 1000;

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

    public async Task<ImportResult> ImportAsync(Guid tenantId, Guid projectId, string path, string fileName, ImportOptions options, IJobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var db = dbFactory.CreateForTenant(tenantId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct)
            ?? throw new PortalValidationException("projectId", "There is no such project in this organisation.");
        if (project.ArchivedAt is not null)
        {
            throw new PortalValidationException("project", Projects.ProjectService.ArchivedMessage);
        }

        var shape = project.Kind == ProjectKind.Likert ? ItemShape.Likert : ItemShape.Pairwise;
        var dataset = options.Source is { } source ? Clip(source) : LabelModel(fileName);
        var labels = options.Labels == FileLabels.AiLabels && shape == ItemShape.Pairwise ? new LabelSink(dataset) : null;
        var external = options.Labels == FileLabels.External ? new ExternalLabelSink(db, project, dataset) : null;
        var attributes = new HelpSteerAttributesStep(db, project, options.ReplaceAttributes);

        using var reader = limits.OpenText(path, fileName, out var file);
        var length = Math.Max(1, file.Length);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await using var hold = progress.HoldWrites(db);
        var now = clock.GetUtcNow().UtcDateTime;
        var added = 0;
        var present = 0;
        var split = 0;
        long lines = 0;
        var batch = new List<ImportedItem>(BatchSize);
        try
        {
            var items = ParquetRecords.IsParquet(fileName)
                ? ItemFileReader.ReadParquet(file, shape, options.Format, limits.Input)
                : ItemFileReader.Read(reader, shape, ItemFileReader.IsCsv(fileName), options.Format);
            foreach (var item in items)
            {
                lines = item.LineNumber;
                split += item.SplitEarly ? 1 : 0;
                batch.Add(item);
                if (batch.Count == BatchSize)
                {
                    (added, present) = Add(await SaveBatchAsync(db, projectId, batch, labels, external, attributes, now, ct), (added, present));
                    batch.Clear();
                    await progress.ReportAsync((int)(95.0 * file.Position / length), $"{added} items read");
                }
            }

            (added, present) = Add(await SaveBatchAsync(db, projectId, batch, labels, external, attributes, now, ct), (added, present));
        }
        catch (ItemFormatException ex)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw new PortalValidationException("file", $"{fileName} {ex.Message} Nothing was imported.");
        }
        catch (InputLimitException ex)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw UploadLimits.Explain(ex, fileName);
        }
        catch (PortalValidationException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw;
        }

        var result = new ImportResult(lines, added, present, split, labels?.Stored ?? external?.Stored ?? 0, options.Labels,
            external?.Raters ?? 0, attributes.Created);
        await progress.CompleteWithinAsync(db, Describe(result), ct);
        await transaction.CommitAsync(ct);
        await hold.DisposeAsync();

        // Fresh statistics for the assignment engine's queries: without them PostgreSQL plans the next-task query as a
        // nested loop over the whole project (measured 90-156 ms a task, 1.8 ms after ANALYZE). SQLite and SQL Server too.
        if (added > 0)
        {
            await DatabaseStatistics.RefreshAsync(db.Database, "Items", ct);
        }

        await progress.ReportAsync(100, Describe(result));
        return result;
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
        public int Stored { get; private set; }

        public AiLabel? For(ImportedItem item, Guid projectId, Guid itemId, DateTime now)
        {
            if (item.Pair is not { } pair)
            {
                return null;
            }

            // Both bad is a human judgement the loop does not train on (see AiLabel.Choice).
            PreferenceChoice? choice = pair.FileChoice ?? (pair.Label is { } l ? (l == Preference.A ? PreferenceChoice.A : PreferenceChoice.B) : null);
            if (choice is null or PreferenceChoice.BothBad)
            {
                return null;
            }

            Stored++;
            var model = pair.FileRater ?? dataset;
            return new AiLabel
            {
                ProjectId = projectId,
                ItemId = itemId,
                Choice = choice.Value,
                Model = Clip(model),
                Origin = "dataset",
                CreatedAt = now,
            };
        }
    }

    private static (int, int) Add((int Added, int Present) batch, (int Added, int Present) total) =>
        (total.Added + batch.Added, total.Present + batch.Present);

    private static async Task<(int Added, int Present)> SaveBatchAsync(PortalDbContext db, Guid projectId, List<ImportedItem> batch, LabelSink? labels,
        ExternalLabelSink? external, HelpSteerAttributesStep attributes, DateTime now, CancellationToken ct)
    {
        if (batch.Any(i => i.FileScores is not null))
        {
            await attributes.EnsureAsync(now, ct);
        }

        var ids = batch.Where(i => i.ExternalId is not null).Select(i => i.ExternalId!).Distinct().ToList();
        var existing = ids.Count == 0
            ? []
            : (await db.Items.Where(i => i.ProjectId == projectId && ids.Contains(i.ExternalId!)).Select(i => i.ExternalId!).ToListAsync(ct)).ToHashSet();
        var added = 0;
        foreach (var item in batch)
        {
            if (item.ExternalId is not null && !existing.Add(item.ExternalId))
            {
                continue;
            }

            var entity = new Item
            {
                ProjectId = projectId,
                ExternalId = item.ExternalId,
                ConversationJson = TurnsJson(item.Conversation)!,
                ResponseA = item.ResponseA,
                ResponseB = item.ResponseB,
                ResponseTurnsAJson = TurnsJson(item.ResponseTurnsA),
                ResponseTurnsBJson = TurnsJson(item.ResponseTurnsB),
                MetadataJson = item.MetadataJson,
                CreatedAt = now,
            };
            db.Items.Add(entity);
            if (labels?.For(item, projectId, entity.Id, now) is { } label)
            {
                db.AiLabels.Add(label);
            }

            if (external is not null && await external.ForAsync(item, entity.Id, attributes.Version, now, ct) is { } annotation)
            {
                db.Annotations.Add(annotation);
            }

            added++;
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return (added, batch.Count - added);
    }

    private static string? TurnsJson(IReadOnlyList<Turn>? turns) =>
        turns is null ? null : JsonSerializer.Serialize(turns.Select(t => new { role = t.Role, content = t.Content }));
}
