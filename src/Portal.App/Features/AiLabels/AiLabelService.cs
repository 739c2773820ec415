using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Gold;
using Portal.App.Features.Import;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.AiLabels;
using Portal.Core.Common;

namespace Portal.App.Features.AiLabels;

public sealed record AiLabelImportResult(long Lines, int Added, int Replaced);

/// <summary>An AI label as admins see it, with the item's human curated label beside it.</summary>
public sealed record AiLabelRow(
    Guid ItemId,
    string? ExternalId,
    string Prompt,
    PreferenceChoice Choice,
    double? Confidence,
    string Model,
    string? Rationale,
    string Origin,
    int? PromptVersion,
    DateTime CreatedAt,
    PreferenceChoice? HumanChoice,
    string? HumanMethod,
    int HumanRatings);

public sealed record AiLabelPage(IReadOnlyList<AiLabelRow> Items, int Total);

/// <summary>
/// AI labels of pairwise projects: import from JSON Lines (all or nothing; a re-import replaces the labels of the items it
/// names), and the list admins read. Nothing here is reachable by annotators: the task service never reads this table.
/// </summary>
public sealed class AiLabelService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, UploadLimits limits)
{
    public const int MaxTake = 200;
    private const int BatchSize = 500;

    /// <summary>Imports a stored upload (.gz allowed) as <see cref="ImportAsync(Guid, Guid, TextReader, string, IJobProgress, Func{double}?, CancellationToken)"/> does.</summary>
    public async Task<AiLabelImportResult> ImportFileAsync(Guid tenantId, Guid projectId, string path, string fileName, IJobProgress progress, CancellationToken ct)
    {
        using var reader = limits.OpenText(path, fileName, out var file);
        var length = Math.Max(1, file.Length);
        return await ImportAsync(tenantId, projectId, reader, fileName, progress, () => (double)file.Position / length, ct);
    }

    /// <summary>
    /// Reads every line first and checks it (JSON, fields, items known to the project, no item twice), then replaces the
    /// AI labels of the named items in one transaction: a bad line anywhere changes nothing.
    /// </summary>
    /// <param name="readShare">How much of the input has been read, 0…1, for progress; null when unknown.</param>
    /// <exception cref="PortalValidationException">The project is not pairwise, or a line is not a label of one of its items; the message names the line and the field.</exception>
    public async Task<AiLabelImportResult> ImportAsync(Guid tenantId, Guid projectId, TextReader reader, string fileName, IJobProgress progress,
        Func<double>? readShare, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(progress);
        await using var db = dbFactory.CreateForTenant(tenantId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct)
            ?? throw new PortalValidationException("projectId", "There is no such project in this organisation.");
        if (project.Kind == ProjectKind.Likert)
        {
            throw new PortalValidationException("project", $"{project.Name} is a Likert project; AI labels are preferences between two responses, for pairwise projects. Nothing was imported.");
        }

        // Pass 1: parse and check, resolving item references in batches. Nothing is written.
        var labels = new List<(AiLabelLine Line, Guid ItemId)>();
        var byItem = new Dictionary<Guid, long>();
        var batch = new List<AiLabelLine>(BatchSize);
        try
        {
            await foreach (var line in AiLabelFileReader.ReadAsync(reader, ct))
            {
                batch.Add(line);
                if (batch.Count == BatchSize)
                {
                    await ResolveAsync(db, projectId, batch, labels, byItem, fileName, ct);
                    batch.Clear();
                    await progress.ReportAsync((int)(60 * (readShare?.Invoke() ?? 0)), $"{labels.Count} labels read");
                }
            }

            await ResolveAsync(db, projectId, batch, labels, byItem, fileName, ct);
        }
        catch (AiLabelFormatException ex)
        {
            throw new PortalValidationException("file", $"{fileName} {ex.Message} Nothing was imported.");
        }
        catch (InputLimitException ex)
        {
            throw UploadLimits.Explain(ex, fileName);
        }

        // Pass 2: replace, in one transaction.
        await progress.ReportAsync(60, $"Storing {labels.Count} labels");
        var now = clock.GetUtcNow().UtcDateTime;
        var replaced = 0;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // No progress reports inside the transaction: on SQLite the run's progress row would wait for its write lock.
        foreach (var chunk in labels.Chunk(BatchSize))
        {
            var ids = chunk.Select(l => l.ItemId).ToList();
            replaced += await db.AiLabels.Where(l => ids.Contains(l.ItemId)).ExecuteDeleteAsync(ct);
            db.AiLabels.AddRange(chunk.Select(l => new AiLabel
            {
                ProjectId = projectId,
                ItemId = l.ItemId,
                Choice = l.Line.Choice,
                Confidence = l.Line.Confidence,
                Model = l.Line.Model,
                Rationale = l.Line.Rationale,
                Origin = "import",
                CreatedAt = now,
            }));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        var result = new AiLabelImportResult(labels.Count == 0 ? 0 : labels[^1].Line.LineNumber, labels.Count - replaced, replaced);
        await progress.CompleteWithinAsync(db, Describe(result), ct);
        await transaction.CommitAsync(ct);
        await progress.ReportAsync(100, Describe(result));
        return result;
    }

    public static string Describe(AiLabelImportResult r) =>
        $"Imported {r.Added + r.Replaced} AI label(s): {r.Added} added, {r.Replaced} replaced.";

    /// <summary>Finds each line's item by external id, else by item id; an unknown item is an error naming its line.</summary>
    private static async Task ResolveAsync(PortalDbContext db, Guid projectId, List<AiLabelLine> batch, List<(AiLabelLine, Guid)> labels,
        Dictionary<Guid, long> byItem, string fileName, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var refs = batch.Select(l => l.Item).Distinct().ToList();
        var guids = refs.Select(r => Guid.TryParse(r, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).Distinct().ToList();
        var found = await db.Items.AsNoTracking()
            .Where(i => i.ProjectId == projectId && ((i.ExternalId != null && refs.Contains(i.ExternalId)) || guids.Contains(i.Id)))
            .Select(i => new { i.Id, i.ExternalId, i.ResponseB })
            .ToListAsync(ct);
        var byExternal = found.Where(i => i.ExternalId is not null).GroupBy(i => i.ExternalId!).ToDictionary(g => g.Key, g => g.First());
        var byId = found.ToDictionary(i => i.Id);
        foreach (var line in batch)
        {
            var item = byExternal.GetValueOrDefault(line.Item)
                ?? (Guid.TryParse(line.Item, out var g) ? byId.GetValueOrDefault(g) : null)
                ?? throw new AiLabelFormatException(line.LineNumber, "item", $"'{line.Item}' is no item of this project (neither an external id nor an item id).");
            if (item.ResponseB is null)
            {
                throw new AiLabelFormatException(line.LineNumber, "item", $"'{line.Item}' has one response only; an AI preference needs two.");
            }

            // The same item under its external id on one line and its guid on another.
            if (byItem.TryGetValue(item.Id, out var first))
            {
                throw new AiLabelFormatException(line.LineNumber, "item", $"'{line.Item}' is the item already labelled on line {first}.");
            }

            byItem[item.Id] = line.LineNumber;
            labels.Add((line, item.Id));
        }
    }

    /// <summary>A page of the project's AI labels, newest first, each with the human curated label; null when there is no such project.</summary>
    public Task<AiLabelPage?> ListAsync(Guid orgId, Guid projectId, int skip, int take, CancellationToken ct = default) =>
        ListAsync(orgId, projectId, skip, take, null, null, false, ct);

    /// <summary>
    /// A page of the project's AI labels searched by item external id, model or rationale and sorted by <c>created</c> (the
    /// default, newest first), <c>confidence</c>, <c>model</c> or <c>choice</c>, paged in the database; null when there is no such project.
    /// </summary>
    public async Task<AiLabelPage?> ListAsync(Guid orgId, Guid projectId, int skip, int take, string? search, string? sortBy, bool descending,
        CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var labels = db.AiLabels.Where(l => l.ProjectId == projectId);
        if (search?.Trim() is { Length: > 0 } text)
        {
            labels = labels.Where(l => l.Model.Contains(text)
                || (l.Rationale != null && l.Rationale.Contains(text))
                || db.Items.Any(i => i.Id == l.ItemId && i.ExternalId != null && i.ExternalId.Contains(text)));
        }

        var total = await labels.CountAsync(ct);
        var sorted = sortBy switch
        {
            "confidence" => descending ? labels.OrderByDescending(l => l.Confidence) : labels.OrderBy(l => l.Confidence),
            "model" => descending ? labels.OrderByDescending(l => l.Model) : labels.OrderBy(l => l.Model),
            "choice" => descending ? labels.OrderByDescending(l => l.Choice) : labels.OrderBy(l => l.Choice),
            "created" when !descending => labels.OrderBy(l => l.CreatedAt),
            _ => labels.OrderByDescending(l => l.CreatedAt),
        };
        var rows = await sorted.ThenBy(l => l.ItemId)
            .Skip(Math.Max(0, skip))
            .Take(Math.Clamp(take, 1, MaxTake))
            .Select(l => new
            {
                l.ItemId,
                Item = db.Items.Where(i => i.Id == l.ItemId).Select(i => new { i.ExternalId, i.ConversationJson }).First(),
                l.Choice,
                l.Confidence,
                l.Model,
                l.Rationale,
                l.Origin,
                l.PromptVersion,
                l.CreatedAt,
                Human = db.CuratedLabels.Where(c => c.ItemId == l.ItemId).Select(c => new { c.Choice, c.Method, c.Ratings }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return new AiLabelPage(
            [.. rows.Select(r => new AiLabelRow(r.ItemId, r.Item.ExternalId, GoldService.PromptPreview(r.Item.ConversationJson), r.Choice, r.Confidence, r.Model,
                r.Rationale, r.Origin, r.PromptVersion, r.CreatedAt, r.Human?.Choice, r.Human?.Method, r.Human?.Ratings ?? 0))],
            total);
    }

    /// <summary>The newest answers that did not become labels; null when there is no such project.</summary>
    public async Task<IReadOnlyList<AiLabelError>?> ErrorsAsync(Guid orgId, Guid projectId, int take = 50, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        return await db.AiLabelErrors.AsNoTracking().Where(e => e.ProjectId == projectId)
            .OrderByDescending(e => e.CreatedAt).Take(Math.Clamp(take, 1, MaxTake)).ToListAsync(ct);
    }

    /// <summary>"83%" for a confidence, "—" when there is none.</summary>
    public static string Percent(double? share) =>
        share is { } s ? (s * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "—";
}
