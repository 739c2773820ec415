using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Core.Text;

namespace Portal.App.Features.Feedback;

/// <summary>What became of one event: stored (perhaps as an item) or dropped as a duplicate, and the personal data replaced.</summary>
public sealed record FeedbackEventResult(string Id, string Status, IReadOnlyDictionary<string, int> Pii, Guid? ItemId);

/// <param name="Stored">Events stored by this call; <paramref name="Replayed"/> counts ids received before, answered as then.</param>
public sealed record FeedbackIngestResult(int Received, int Stored, int Duplicates, int Replayed, int Items, IReadOnlyList<FeedbackEventResult> Results);

public sealed record FeedbackSettingsDto(bool PicksToItems, bool EditsToItems, bool RatingsToItems, bool ThumbsToItems, double SamplingRate);

/// <summary>
/// Takes deployment feedback in: validates the whole batch first (a bad event stores nothing), scrubs personal data, drops
/// exact duplicates within the project, stores each event once per event id (a replay, even a concurrent one, stores nothing
/// new and is answered as the first time), and turns the sampled events into items per the project's settings.
/// </summary>
public sealed class FeedbackService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The external rater deployment labels are given to (docs/decisions/0009).</summary>
    public const string RaterSource = "deployment";

    /// <summary>Null when the project is not one of the organisation's.</summary>
    /// <exception cref="ValidationProblemsException">An event is invalid, or an id was received before with other content.</exception>
    public async Task<FeedbackIngestResult?> IngestAsync(Guid orgId, Guid projectId, IReadOnlyList<(string Field, FeedbackEventInput Event)> events, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var problems = events.SelectMany(e => FeedbackInput.Problems(e.Field, e.Event, now)).ToList();
        var seenIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, e) in events)
        {
            if (e.Id is { } id && !seenIds.TryAdd(id, field))
            {
                problems.Add((field + "id", $"This id is also the id of {seenIds[id]}id in the same batch; an event is sent once per id."));
            }
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Fresh rows each attempt: a failed attempt may have marked some as duplicates and cleared their text.
                return await StoreAsync(orgId, projectId, [.. events.Select(e => Prepare(e.Field, e.Event))], now, ct);
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // Another request stored one of these ids or contents first: read again, and answer as a replay or a duplicate.
            }
        }
    }

    private async Task<FeedbackIngestResult?> StoreAsync(Guid orgId, Guid projectId, List<Prepared> batch, DateTime now, CancellationToken ct)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ids = batch.Select(p => p.Row.EventId).ToList();
        var existing = await db.FeedbackEvents.AsNoTracking().Where(e => e.ProjectId == projectId && ids.Contains(e.EventId)).ToDictionaryAsync(e => e.EventId, StringComparer.Ordinal, ct);
        var conflicts = batch.Where(p => existing.TryGetValue(p.Row.EventId, out var old) && old.ContentHash != p.Row.ContentHash)
            .Select(p => (p.Field + "id", "This id was received before with other content; an event id names one event. Nothing was stored.")).ToList();
        if (conflicts.Count > 0)
        {
            throw new ValidationProblemsException(conflicts);
        }

        var hashes = batch.Select(p => p.Row.ContentHash).Distinct().ToList();
        var storedHashes = await db.FeedbackEvents.AsNoTracking().Where(e => e.ProjectId == projectId && hashes.Contains(e.UniqueContentHash!))
            .ToDictionaryAsync(e => e.UniqueContentHash!, e => e.Id, StringComparer.Ordinal, ct);
        var settings = await SettingsOrDefaultAsync(db, projectId, ct);
        var items = new ItemMaker(db, project, settings, now);
        var results = new List<FeedbackEventResult>(batch.Count);
        int stored = 0, duplicates = 0, replayed = 0, made = 0;
        foreach (var p in batch)
        {
            if (existing.TryGetValue(p.Row.EventId, out var old))
            {
                replayed++;
                results.Add(Result(old));
                continue;
            }

            var row = p.Row;
            row.ProjectId = projectId;
            row.ReceivedAt = now;
            if (storedHashes.TryGetValue(row.ContentHash, out var original))
            {
                // Only the id, the hash and the time of a duplicate are kept: its text adds nothing.
                row.Status = FeedbackStatus.Duplicate;
                row.DuplicateOfId = original;
                row.ConversationJson = row.Response = row.ResponseB = row.EditedResponse = null;
                duplicates++;
            }
            else
            {
                row.Status = FeedbackStatus.Stored;
                row.UniqueContentHash = row.ContentHash;
                storedHashes[row.ContentHash] = row.Id;
                row.ItemId = await items.MakeAsync(row, ct);
                made += row.ItemId is null ? 0 : 1;
                stored++;
            }

            db.FeedbackEvents.Add(row);
            existing[row.EventId] = row;
            results.Add(Result(row));
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new FeedbackIngestResult(batch.Count, stored, duplicates, replayed, made, results);
    }

    private static FeedbackEventResult Result(FeedbackEvent e) =>
        new(e.EventId, e.Status == FeedbackStatus.Stored ? "stored" : "duplicate", e.PiiCounts ?? [], e.ItemId);

    private sealed record Prepared(string Field, FeedbackEvent Row);

    /// <summary>Scrubs every text of the event and hashes what is left; the originals go no further than this method.</summary>
    private static Prepared Prepare(string field, FeedbackEventInput e)
    {
        var counts = new Dictionary<PiiKind, int>();
        string? Clean(string? text)
        {
            if (text is null)
            {
                return null;
            }

            var result = PiiScrubber.Scrub(text);
            foreach (var (kind, n) in result.Counts)
            {
                counts[kind] = counts.GetValueOrDefault(kind) + n;
            }

            return result.Text;
        }

        var kind = FeedbackInput.ParseKind(e.Kind)!.Value;
        var turns = e.Conversation!.Select(t => new { role = t.Role!, content = Clean(t.Content)! }).ToList();
        var row = new FeedbackEvent
        {
            EventId = e.Id!,
            Kind = kind,
            ModelVersion = e.ModelVersion!.Trim(),
            Category = string.IsNullOrWhiteSpace(e.Category) ? null : e.Category.Trim(),
            OccurredAt = e.Timestamp!.Value.UtcDateTime,
            ConversationJson = JsonSerializer.Serialize(turns),
            Response = Clean(kind == FeedbackKind.Pick ? e.ResponseA : e.Response),
            ResponseB = kind == FeedbackKind.Pick ? Clean(e.ResponseB) : null,
            EditedResponse = kind == FeedbackKind.Edit ? Clean(e.EditedResponse) : null,
            ThumbUp = kind == FeedbackKind.Thumbs ? e.Thumb == "up" : null,
            Rating = kind == FeedbackKind.Rating ? e.Rating : null,
            Choice = kind == FeedbackKind.Pick ? (e.Choice == "A" ? PreferenceChoice.A : PreferenceChoice.B) : null,
        };
        row.OccurredDay = row.OccurredAt.Date;
        row.Polarity = PolarityOf(row);
        row.PiiCounts = counts.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value);
        row.PiiTotal = counts.Values.Sum();
        row.ContentHash = Hash(row);
        return new Prepared(field, row);
    }

    /// <summary>Positive: thumbs up, rating 5–7. Negative: thumbs down, rating 1–3, an edit. Neutral: rating 4. A pick: none.</summary>
    public static FeedbackPolarity PolarityOf(FeedbackEvent e) => e.Kind switch
    {
        FeedbackKind.Thumbs => e.ThumbUp == true ? FeedbackPolarity.Positive : FeedbackPolarity.Negative,
        FeedbackKind.Rating => e.Rating >= 5 ? FeedbackPolarity.Positive : e.Rating <= 3 ? FeedbackPolarity.Negative : FeedbackPolarity.Neutral,
        FeedbackKind.Edit => FeedbackPolarity.Negative,
        _ => FeedbackPolarity.None,
    };

    private static string Hash(FeedbackEvent e)
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            e.Kind.ToString(), e.ModelVersion, e.Category, e.ConversationJson, e.Response, e.ResponseB, e.EditedResponse, e.ThumbUp, e.Rating, e.Choice?.ToString(),
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>A number in [0, 1) fixed by the project and the event id: the same event is sampled the same way on every replay and node.</summary>
    public static double SampleValue(Guid projectId, string eventId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{projectId:N}:{eventId}"));
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53);
    }

    public async Task<FeedbackSettingsDto?> GetSettingsAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var s = await SettingsOrDefaultAsync(db, projectId, ct);
        return new FeedbackSettingsDto(s.PicksToItems, s.EditsToItems, s.RatingsToItems, s.ThumbsToItems, s.SamplingRate);
    }

    /// <exception cref="ValidationProblemsException">The sampling rate is outside 0–1.</exception>
    public async Task<FeedbackSettingsDto?> SaveSettingsAsync(Guid orgId, Guid projectId, FeedbackSettingsDto input, CancellationToken ct = default)
    {
        if (double.IsNaN(input.SamplingRate) || input.SamplingRate is < 0 or > 1)
        {
            throw new ValidationProblemsException([("samplingRate", "samplingRate is the share of eligible events that become items, from 0 to 1.")]);
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var row = await db.FeedbackSettings.FirstOrDefaultAsync(s => s.ProjectId == projectId, ct);
        if (row is null)
        {
            row = new FeedbackSettings { ProjectId = projectId };
            db.FeedbackSettings.Add(row);
        }

        row.PicksToItems = input.PicksToItems;
        row.EditsToItems = input.EditsToItems;
        row.RatingsToItems = input.RatingsToItems;
        row.ThumbsToItems = input.ThumbsToItems;
        row.SamplingRate = input.SamplingRate;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return input;
    }

    private static async Task<FeedbackSettings> SettingsOrDefaultAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        await db.FeedbackSettings.AsNoTracking().FirstOrDefaultAsync(s => s.ProjectId == projectId, ct) ?? new FeedbackSettings { ProjectId = projectId };

    /// <summary>
    /// Turns stored events into items: a pick into a pair with the user's choice, an edit into a pair with the edit preferred
    /// (pairwise projects); a rating or a thumb into a Likert item scored on the project's first attribute (Likert projects).
    /// The label is an annotation of the project's external rater "deployment" (docs/decisions/0009).
    /// </summary>
    private sealed class ItemMaker(PortalDbContext db, Project project, FeedbackSettings settings, DateTime now)
    {
        private ExternalRater? _rater;
        private int? _attributeVersion;

        public async Task<Guid?> MakeAsync(FeedbackEvent e, CancellationToken ct)
        {
            var pairwise = project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;
            var wanted = e.Kind switch
            {
                FeedbackKind.Pick => settings.PicksToItems && pairwise,
                FeedbackKind.Edit => settings.EditsToItems && pairwise,
                FeedbackKind.Rating => settings.RatingsToItems && project.Kind == ProjectKind.Likert,
                FeedbackKind.Thumbs => settings.ThumbsToItems && project.Kind == ProjectKind.Likert,
                _ => false,
            };
            if (!wanted || SampleValue(project.Id, e.EventId) >= settings.SamplingRate)
            {
                return null;
            }

            // An item imported with this external id (unique in a project) keeps it: the event is stored and makes no item.
            var externalId = $"feedback:{e.EventId}";
            if (await db.Items.AnyAsync(i => i.ProjectId == project.Id && i.ExternalId == externalId, ct))
            {
                return null;
            }

            var item = new Item
            {
                ProjectId = project.Id,
                ExternalId = externalId,
                ConversationJson = e.ConversationJson!,
                ResponseA = e.Kind == FeedbackKind.Edit ? e.EditedResponse! : e.Response!,
                ResponseB = e.Kind switch { FeedbackKind.Pick => e.ResponseB, FeedbackKind.Edit => e.Response, _ => null },
                MetadataJson = JsonSerializer.Serialize(new { source = RaterSource, kind = e.Kind.ToString().ToLowerInvariant(), modelVersion = e.ModelVersion, category = e.Category }),
                CreatedAt = now,
            };
            db.Items.Add(item);
            var rater = await RaterAsync(ct);
            var annotation = new Annotation
            {
                ProjectId = project.Id,
                ItemId = item.Id,
                AnnotatorId = rater.Id,
                ExternalRaterId = rater.Id,
                IdempotencyKey = $"feedback:{e.Id:N}",
                CreatedAt = now,
            };
            if (e.Kind is FeedbackKind.Pick or FeedbackKind.Edit)
            {
                annotation.Choice = e.Kind == FeedbackKind.Edit ? PreferenceChoice.A : e.Choice;
            }
            else
            {
                var attribute = project.Settings.Attributes[0];
                var score = e.Kind == FeedbackKind.Thumbs
                    ? (e.ThumbUp == true ? attribute.Max : attribute.Min)
                    : attribute.Min + (int)Math.Round((e.Rating!.Value - 1) * (attribute.Max - attribute.Min) / 6.0, MidpointRounding.AwayFromZero);
                annotation.Scores = new Dictionary<string, int> { [attribute.Key] = score };
                annotation.AttributeVersion = _attributeVersion ??= await AttributeVersions.CurrentAsync(db, project.Id, ct);
            }

            db.Annotations.Add(annotation);
            return item.Id;
        }

        private async Task<ExternalRater> RaterAsync(CancellationToken ct)
        {
            if (_rater is not null)
            {
                return _rater;
            }

            _rater = await db.ExternalRaters.FirstOrDefaultAsync(r => r.ProjectId == project.Id && r.Source == RaterSource && r.RaterKey == "", ct);
            if (_rater is null)
            {
                var known = await db.ExternalRaters.CountAsync(r => r.ProjectId == project.Id, ct);
                _rater = new ExternalRater { ProjectId = project.Id, Source = RaterSource, RaterKey = "", Name = $"External {known + 1} · {RaterSource}", CreatedAt = now };
                db.ExternalRaters.Add(_rater);
            }

            return _rater;
        }
    }
}
