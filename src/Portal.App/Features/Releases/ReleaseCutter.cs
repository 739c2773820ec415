using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Hybrid;
using Portal.App.Features.Quality;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Export;

namespace Portal.App.Features.Releases;

/// <summary>
/// Takes a release's snapshot: chooses the project's items with the release's filters, freezes each one's text, label and
/// provenance in <see cref="ReleaseRow"/>, diffs against the previous release, then writes every format once to hash it.
/// </summary>
public sealed class ReleaseCutter(IDbContextFactory<PortalDbContext> dbFactory, ReleaseExporter exporter, TimeProvider clock)
{
    private static readonly bool[] FalseTrue = [false, true];
    private static readonly bool[] FalseOnly = [false];

    private const int Chunk = 500;
    private const int ChoiceClasses = 4;

    private sealed record Rating(Guid ItemId, Guid AnnotatorId, PreferenceChoice? Choice, int? Strength, Dictionary<string, int>? Scores,
        bool LeftIsA, int? GuidelineVersion, DateTime CreatedAt);

    /// <summary>Cuts the release (status Cutting) to Ready; on failure marks it Failed with the reason, deletes its rows and rethrows.</summary>
    public async Task CutAsync(Guid tenantId, Guid releaseId, IJobProgress? progress, CancellationToken ct)
    {
        try
        {
            await SnapshotAsync(tenantId, releaseId, progress, ct);
        }
        catch (Exception ex)
        {
            await using var db = dbFactory.CreateForTenant(tenantId);
            await db.ReleaseRows.Where(r => r.ReleaseId == releaseId).ExecuteDeleteAsync(CancellationToken.None);
            var message = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
            await db.Releases.Where(r => r.Id == releaseId).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, ReleaseStatus.Failed)
                .SetProperty(r => r.Error, message)
                .SetProperty(r => r.CompletedAt, clock.GetUtcNow().UtcDateTime), CancellationToken.None);
            throw;
        }
    }

    private async Task SnapshotAsync(Guid tenantId, Guid releaseId, IJobProgress? progress, CancellationToken ct)
    {
        await using var db = dbFactory.CreateForTenant(tenantId);
        var release = await db.Releases.FirstOrDefaultAsync(r => r.Id == releaseId, ct)
            ?? throw new InvalidOperationException($"There is no release {releaseId} in this organisation.");
        if (release.Status == ReleaseStatus.Ready)
        {
            // Cut by an earlier run of this job that died before it could record its end.
            return;
        }

        if (release.Status != ReleaseStatus.Cutting)
        {
            throw new InvalidOperationException($"Release '{release.Name}' is {release.Status.ToString().ToLowerInvariant()}; only a new release is cut.");
        }

        // A recovered run starts again from nothing.
        await db.ReleaseRows.Where(r => r.ReleaseId == releaseId).ExecuteDeleteAsync(ct);
        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == release.ProjectId, ct);
        var filters = ReleaseFilters.Parse(release.FiltersJson);
        var pairwise = project.Kind != ProjectKind.Likert;
        var attributes = project.Settings.Attributes.Select(a => a.Key).ToList();
        var medianCentre = project.Settings.Quality.LikertCentre == LikertCentre.Median;
        await Report(progress, 1, "Choosing items");

        var excluded = await db.ProjectAnnotators.AsNoTracking()
            .Where(s => s.ProjectId == project.Id)
            .Select(s => new { s.AnnotatorId, s.PausedAt, s.GoldAnswered, s.GoldCorrect })
            .ToListAsync(ct);
        var dropped = excluded
            .Where(s => (filters.ExcludePausedAnnotators && s.PausedAt is not null)
                || (filters.MinGoldAccuracy is { } min && s.GoldAnswered > 0 && (double)s.GoldCorrect / s.GoldAnswered < min))
            .Select(s => s.AnnotatorId)
            .ToHashSet();

        var ids = await db.Items.AsNoTracking().Where(i => i.ProjectId == project.Id && !i.IsGold)
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Select(i => i.Id).ToListAsync(ct);

        var previous = await db.Releases.AsNoTracking()
            .Where(r => r.ProjectId == project.Id && r.Status == ReleaseStatus.Ready && r.Id != releaseId && r.CreatedAt <= release.CreatedAt)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Select(r => new { r.Id, r.Name })
            .FirstOrDefaultAsync(ct);
        var before = previous is null ? null : await db.ReleaseRows.AsNoTracking().Where(r => r.ReleaseId == previous.Id)
            .Select(r => new { r.ItemId, r.ExternalId, r.Choice, r.ScoresJson })
            .ToDictionaryAsync(r => r.ItemId, ct);
        var added = new List<string>();
        var relabelled = new List<string>();
        int addedCount = 0, relabelledCount = 0, unchanged = 0;

        // Labels that came with imported datasets: their raters are written ext-… and counted per source.
        var externals = await db.ExternalRaters.AsNoTracking().Where(r => r.ProjectId == project.Id)
            .ToDictionaryAsync(r => r.Id, r => r.Source, ct);
        var externalRaters = new Dictionary<string, HashSet<Guid>>(StringComparer.Ordinal);
        var externalRatings = new Dictionary<string, int>(StringComparer.Ordinal);
        var aiModels = new SortedDictionary<string, int>(StringComparer.Ordinal);

        var salt = Pseudonyms.NewSalt();
        var pseudonyms = new Dictionary<Guid, string>();
        var allAnnotators = new HashSet<Guid>();
        var sources = Enum.GetValues<CuratedLabelSource>().ToDictionary(s => s, _ => 0);
        var leftOut = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var versions = new SortedSet<int>();
        using var snapshot = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int ordinal = 0, ties = 0, bothBad = 0, ratings = 0;
        double agreementSum = 0;
        var agreementCount = 0;

        void Leave(string reason) => leftOut[reason] = leftOut.GetValueOrDefault(reason) + 1;

        for (var start = 0; start < ids.Count; start += Chunk)
        {
            var chunk = ids.GetRange(start, Math.Min(Chunk, ids.Count - start));
            var items = await db.Items.AsNoTracking().Where(i => chunk.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
            var labels = await db.CuratedLabels.AsNoTracking().Where(l => chunk.Contains(l.ItemId)).ToDictionaryAsync(l => l.ItemId, ct);
            var ai = pairwise
                // An item whose category goes to humans only is never labelled by its AI label (docs/hybrid-routing.md).
                ? await HybridService.AiLabelsTaken(db, project.Id).AsNoTracking().Where(l => chunk.Contains(l.ItemId)).ToDictionaryAsync(l => l.ItemId, ct)
                : [];
            var annotations = (await db.Annotations.AsNoTracking()
                .Where(a => chunk.Contains(a.ItemId) && a.RepeatOf == null)
                .Select(a => new Rating(a.ItemId, a.AnnotatorId, a.Choice, a.Strength, a.Scores, a.LeftIsA, a.GuidelineVersion, a.CreatedAt))
                .ToListAsync(ct)).ToLookup(a => a.ItemId);
            var flagged = filters.ExcludeFlaggedOrSkipped
                ? (await db.Assignments.AsNoTracking()
                    .Where(a => chunk.Contains(a.ItemId) && (a.Status == AssignmentStatus.Skipped || a.Flags != ContentFlags.None))
                    .Select(a => a.ItemId).Distinct().ToListAsync(ct)).ToHashSet()
                : [];

            var rows = new List<ReleaseRow>();
            foreach (var id in chunk)
            {
                var item = items[id];
                if (flagged.Contains(id))
                {
                    Leave("flagged or skipped");
                    continue;
                }

                var all = annotations[id].ToList();
                var kept = all.Where(a => !dropped.Contains(a.AnnotatorId)
                    && (filters.GuidelineVersion is null || a.GuidelineVersion == filters.GuidelineVersion)
                    && (filters.From is null || a.CreatedAt >= filters.From)
                    && (filters.To is null || a.CreatedAt < filters.To)).ToList();
                var label = labels.GetValueOrDefault(id);
                var row = pairwise
                    ? PairRow(item, all, kept, label, ai.GetValueOrDefault(id), filters, project.Settings.Pairwise.StrengthLevels > 0, Leave)
                    : LikertRow(item, all, kept, label, attributes, medianCentre, Leave);
                if (row is null)
                {
                    continue;
                }

                if (row.Ratings < filters.MinRatings && row.LabelSource != CuratedLabelSource.Ai)
                {
                    Leave("fewer ratings than the minimum");
                    continue;
                }

                if (filters.MinAgreement is { } minAgreement && row.LabelSource != CuratedLabelSource.Ai && !(row.Agreement >= minAgreement))
                {
                    Leave("agreement below the minimum");
                    continue;
                }

                var rated = kept.Where(a => pairwise ? a.Choice is not null : a.Scores is not null).ToList();
                var raters = rated.Select(a => a.AnnotatorId).Distinct().ToList();
                foreach (var annotator in raters)
                {
                    allAnnotators.Add(annotator);
                }

                var external = rated.Where(a => externals.ContainsKey(a.AnnotatorId)).ToList();
                if (row.LabelSource == CuratedLabelSource.Human && external.Count > 0)
                {
                    row.LabelSource = external.Count == rated.Count ? CuratedLabelSource.External : CuratedLabelSource.HumanAndExternal;
                }

                foreach (var rating in external)
                {
                    var source = externals[rating.AnnotatorId];
                    externalRatings[source] = externalRatings.GetValueOrDefault(source) + 1;
                    (externalRaters.TryGetValue(source, out var set) ? set : externalRaters[source] = []).Add(rating.AnnotatorId);
                }

                if (row.LabelSource is CuratedLabelSource.Ai or CuratedLabelSource.AiConfirmedByHumans or CuratedLabelSource.AiOverturnedByHumans
                    && ai.GetValueOrDefault(id) is { } aiLabel)
                {
                    aiModels[aiLabel.Model] = aiModels.GetValueOrDefault(aiLabel.Model) + 1;
                    row.AiModel = aiLabel.Model;
                }

                row.AnnotatorsJson = JsonSerializer.Serialize(raters.Select(a => Pseudonym(a)).Order(StringComparer.Ordinal));
                if (!pairwise)
                {
                    row.RatingsJson = JsonSerializer.Serialize(kept.Where(a => a.Scores is not null)
                        .SelectMany(a => attributes.Where(a.Scores!.ContainsKey).Select(attr => new StoredRating(Pseudonym(a.AnnotatorId), attr, a.Scores![attr])))
                        .OrderBy(r => r.Annotator, StringComparer.Ordinal).ThenBy(r => attributes.IndexOf(r.Attribute)));
                }

                row.ReleaseId = releaseId;
                row.Ordinal = ++ordinal;
                rows.Add(row);
                Hash(snapshot, row);
                sources[row.LabelSource]++;
                ratings += row.Ratings;
                ties += row.Choice == PreferenceChoice.Tie ? 1 : 0;
                bothBad += row.Choice == PreferenceChoice.BothBad ? 1 : 0;
                if (row.GuidelineVersion is { } v)
                {
                    versions.Add(v);
                }

                if (row.Agreement is { } ag)
                {
                    agreementSum += ag;
                    agreementCount++;
                }

                if (before is not null)
                {
                    if (before.Remove(id, out var old))
                    {
                        if (old.Choice != row.Choice || (!pairwise && old.ScoresJson != row.ScoresJson))
                        {
                            relabelledCount++;
                            Sample(relabelled, row.ExternalId ?? id.ToString());
                        }
                        else
                        {
                            unchanged++;
                        }
                    }
                    else
                    {
                        addedCount++;
                        Sample(added, row.ExternalId ?? id.ToString());
                    }
                }
            }

            db.ReleaseRows.AddRange(rows);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            await Report(progress, 1 + (int)(69.0 * (start + chunk.Count) / ids.Count), $"{ordinal} of {start + chunk.Count} items taken");
        }

        string Pseudonym(Guid annotator)
        {
            if (!pseudonyms.TryGetValue(annotator, out var p))
            {
                p = (externals.ContainsKey(annotator) ? Pseudonyms.ForExternal(salt, annotator.ToString()) : Pseudonyms.For(salt, annotator.ToString())).Value;
                pseudonyms[annotator] = p;
            }

            return p;
        }

        var alpha = await db.ProjectMetrics.AsNoTracking().Where(m => m.ProjectId == project.Id).Select(m => m.ReportJson).FirstOrDefaultAsync(ct) is { } reportJson
            ? (JsonSerializer.Deserialize<QualityReport>(reportJson, ProjectSettings.Json)?.Dimensions ?? [])
                .Where(d => d.Alpha is not null).ToDictionary(d => $"Krippendorff's alpha, {d.Name} (whole project)", d => d.Alpha!.Value)
            : [];

        var tracked = await db.Releases.FirstAsync(r => r.Id == releaseId, ct);
        tracked.Pairwise = pairwise;
        tracked.Items = ordinal;
        tracked.Ties = ties;
        tracked.BothBad = bothBad;
        tracked.Ratings = ratings;
        tracked.Annotators = allAnnotators.Count;
        tracked.SnapshotSha256 = Convert.ToHexStringLower(snapshot.GetHashAndReset());
        tracked.StatsJson = JsonSerializer.Serialize(new ReleaseStats
        {
            LabelSources = pairwise ? sources.ToDictionary(s => SourceName(s.Key), s => s.Value) : [],
            MeanItemAgreement = agreementCount == 0 ? null : agreementSum / agreementCount,
            ProjectAlpha = alpha,
            GuidelineVersions = [.. versions],
            Attributes = pairwise ? [] : attributes,
            LeftOut = new Dictionary<string, int>(leftOut),
            ExternalSources = externalRatings.Keys.Order(StringComparer.Ordinal)
                .Select(source => new ExternalSourceStats(source, externalRaters[source].Count, externalRatings[source])).ToList(),
            AiModels = new Dictionary<string, int>(aiModels),
            Layout = ReleaseStats.CurrentLayout,
        }, ProjectSettings.Json);
        if (previous is not null && before is not null)
        {
            tracked.PreviousReleaseId = previous.Id;
            tracked.DiffJson = JsonSerializer.Serialize(new ReleaseDiff(previous.Id, previous.Name, addedCount, before.Count, relabelledCount, unchanged,
                added, [.. before.Values.Select(r => r.ExternalId ?? r.ItemId.ToString()).Order(StringComparer.Ordinal).Take(ReleaseDiff.SampleSize)], relabelled),
                ProjectSettings.Json);
        }

        await db.SaveChangesAsync(ct);

        // Every file is written once now, so its length and hash are known (ETag, Content-Length, ranges) before anyone downloads it.
        var variants = (from parquet in FalseTrue
                        from f in ReleaseFormats.For(pairwise)
                        from keep in pairwise ? FalseTrue : FalseOnly
                        select (f, keep, parquet)).ToList();
        var files = new List<ReleaseFile>();
        for (var i = 0; i < variants.Count; i++)
        {
            var (format, keep, parquet) = variants[i];
            await Report(progress, 70 + (29 * i / variants.Count), $"Writing {ReleaseFormats.NameOf(format, parquet)}{(keep ? " with ties" : "")} to hash it");
            files.Add(await exporter.DigestAsync(tenantId, tracked, format, keep, parquet, ct));
        }

        tracked.FilesJson = JsonSerializer.Serialize(files, ProjectSettings.Json);
        tracked.Status = ReleaseStatus.Ready;
        tracked.CompletedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        await Report(progress, 100, $"{ordinal} items in release '{tracked.Name}'");
    }

    private static ReleaseRow? PairRow(Item item, List<Rating> all, List<Rating> kept, CuratedLabel? label, AiLabel? ai, ReleaseFilters filters,
        bool strengths, Action<string> leave)
    {
        var choices = kept.Where(a => a.Choice is not null).ToList();
        var row = Base(item);
        if (choices.Count > 0)
        {
            if (filters.Labels == LabelMode.AiCorrectedByHumans && ai is null)
            {
                leave("no AI label to correct");
                return null;
            }

            // The quality job's label stands when every rating behind it is kept; otherwise the kept ones are re-counted by majority.
            if (label?.Choice is { } curated && kept.Count == all.Count && label.Ratings == choices.Count)
            {
                row.Choice = curated;
                row.Strength = -label.Strength;
                row.Agreement = label.Agreement;
                row.Aggregation = label.Method.Split('+')[0] switch
                {
                    "trust-weighted" => AggregationMethod.TrustWeightedVote.ToExportName(),
                    "dawid-skene" => AggregationMethod.DawidSkene.ToExportName(),
                    _ => AggregationMethod.MajorityVote.ToExportName(),
                };
            }
            else
            {
                var codes = choices.Select(a => (int)a.Choice!.Value).ToArray();
                var vote = ChoiceVote.Majority(codes, ChoiceClasses, ChoiceVote.PreferenceTieBreakOrder);
                row.Choice = (PreferenceChoice)vote.Label;
                row.Agreement = (double)choices.Count(a => a.Choice == row.Choice) / choices.Count;
                var signed = choices.Select(a => a.Choice switch
                {
                    PreferenceChoice.A => (double?)(a.Strength ?? 1),
                    PreferenceChoice.B => -(a.Strength ?? 1),
                    PreferenceChoice.Tie => 0,
                    _ => null,
                }).Where(s => s is not null).Select(s => s!.Value).ToList();
                row.Strength = strengths && signed.Count > 0 ? signed.Average() : null;
                row.Aggregation = AggregationMethod.MajorityVote.ToExportName();
            }

            row.Ratings = choices.Count;
            row.LabelSource = ai is null ? CuratedLabelSource.Human
                : ai.Choice == row.Choice ? CuratedLabelSource.AiConfirmedByHumans : CuratedLabelSource.AiOverturnedByHumans;
            row.ALeft = choices.Count(a => a.LeftIsA);
            row.BLeft = choices.Count - row.ALeft;
            row.GuidelineVersion = choices.Max(a => a.GuidelineVersion);
            return row;
        }

        if (ai is not null && filters.Labels == LabelMode.HumanAndAi)
        {
            row.Choice = ai.Choice;
            row.LabelSource = CuratedLabelSource.Ai;
            return row;
        }

        leave(ai is null ? "no human ratings" : "AI label only");
        return null;
    }

    private static ReleaseRow? LikertRow(Item item, List<Rating> all, List<Rating> kept, CuratedLabel? label, List<string> attributes, bool median,
        Action<string> leave)
    {
        var scored = kept.Where(a => a.Scores is not null).ToList();
        if (scored.Count == 0)
        {
            leave("no human ratings");
            return null;
        }

        var row = Base(item);
        var scores = new List<StoredScore>();
        var centres = new Dictionary<string, double>();
        foreach (var attribute in attributes)
        {
            var values = scored.Where(a => a.Scores!.ContainsKey(attribute)).Select(a => (double)a.Scores![attribute]).ToArray();
            if (values.Length == 0)
            {
                continue;
            }

            var summary = LikertSummary.Of(values);
            centres[attribute] = median ? summary.Median : summary.Mean;
            scores.Add(new StoredScore(attribute, summary.Mean, summary.Median, summary.StandardDeviation, summary.Count));
        }

        row.ScoresJson = JsonSerializer.Serialize(scores);
        row.Ratings = scored.Count;
        row.Agreement = kept.Count == all.Count && label?.Agreement is { } stored
            ? stored
            : (double)scored.Count(a => a.Scores!.All(s => !centres.TryGetValue(s.Key, out var c) || Math.Abs(s.Value - c) <= 1)) / scored.Count;
        row.Aggregation = median ? "median" : "mean";
        row.LabelSource = CuratedLabelSource.Human;
        row.ALeft = scored.Count;
        row.GuidelineVersion = scored.Max(a => a.GuidelineVersion);
        return row;
    }

    private static ReleaseRow Base(Item item) => new()
    {
        ItemId = item.Id,
        ExternalId = item.ExternalId,
        ConversationJson = item.ConversationJson,
        ResponseA = item.ResponseA,
        ResponseB = item.ResponseB,
        ResponseTurnsAJson = item.ResponseTurnsAJson,
        ResponseTurnsBJson = item.ResponseTurnsBJson,
        MetadataJson = item.MetadataJson,
    };

    private static void Sample(List<string> sample, string id)
    {
        if (sample.Count < ReleaseDiff.SampleSize)
        {
            sample.Add(id);
        }
    }

    /// <summary>Feeds the row's content (everything but its own id) into the snapshot hash, as one JSON line.</summary>
    /// <remarks>Response turns and the AI model are appended only when the row has them, so a row without them hashes as before they existed.</remarks>
    private static void Hash(IncrementalHash hash, ReleaseRow r)
    {
        object?[] fields =
        [
            r.Ordinal, r.ItemId, r.ExternalId, r.ConversationJson, r.ResponseA, r.ResponseB, r.MetadataJson, r.Choice?.ToString(), r.LabelSource.ToString(),
            r.Strength, r.Ratings, r.Agreement, r.Aggregation, r.GuidelineVersion, r.ALeft, r.BLeft, r.AnnotatorsJson, r.ScoresJson, r.RatingsJson,
        ];
        if (r.ResponseTurnsAJson is not null || r.ResponseTurnsBJson is not null || r.AiModel is not null)
        {
            fields = [.. fields, r.ResponseTurnsAJson, r.ResponseTurnsBJson, r.AiModel];
        }
        var line = JsonSerializer.Serialize(fields);
        hash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
    }

    public static string SourceName(CuratedLabelSource source) => source.ToExportName();

    private static ValueTask Report(IJobProgress? progress, int percent, string message) =>
        progress?.ReportAsync(percent, message) ?? ValueTask.CompletedTask;
}

/// <summary>A Likert aggregate as a release row stores it.</summary>
public sealed record StoredScore(string Attribute, double Mean, double Median, double Sd, int N);

/// <summary>One individual Likert rating as a release row stores it.</summary>
public sealed record StoredRating(string Annotator, string Attribute, int Value);
