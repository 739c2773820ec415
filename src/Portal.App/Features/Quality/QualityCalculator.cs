using System.Globalization;
using System.Text.Json;
using Portal.App.Data;
using Portal.Core.Aggregation;
using Portal.Core.Agreement;
using Portal.Core.Quality;

namespace Portal.App.Features.Quality;

/// <summary>One annotation as the calculator reads it.</summary>
/// <remarks><see cref="RepeatOf"/> marks a self-consistency check's answer: it counts only towards that, never in agreement or labels.</remarks>
public sealed record RatingRow(
    Guid Id,
    Guid ItemId,
    Guid AnnotatorId,
    IReadOnlyDictionary<string, int>? Scores,
    IReadOnlyDictionary<string, int>? ScoresB,
    PreferenceChoice? Choice,
    int? Strength,
    bool LeftIsA,
    int TimeOnTaskMs,
    DateTime CreatedAt,
    Guid? RepeatOf = null);

/// <summary>An annotator's name and gold record, for the report.</summary>
/// <param name="External">An external rater (labels imported with a dataset): no time on task or sides shown to measure.</param>
public sealed record AnnotatorInfo(string Name, int GoldAnswered, int GoldCorrect, bool Paused, bool External = false);

/// <summary>
/// Turns a project's annotations into its quality report and curated labels: pure, over rows in memory, with the
/// metrics of Portal.Core. Linear in the annotations but for the pairwise kappas (at most <see cref="MaxHeatMapAnnotators"/>²).
/// </summary>
public static class QualityCalculator
{
    public const int MaxHeatMapAnnotators = 30;
    public const string ChoiceKey = "choice";
    public const string StrengthKey = "strength";
    internal const int MaxWeeks = 26;
    internal const int ChoiceClasses = 4;

    public static (QualityReport Report, List<CuratedLabel> Labels) Compute(
        Project project, IReadOnlyList<RatingRow> allRows, IReadOnlyDictionary<Guid, AnnotatorInfo> annotators, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(allRows);
        ArgumentNullException.ThrowIfNull(annotators);
        var rows = allRows.Where(r => r.RepeatOf is null).ToList();
        var repeats = SelfConsistency(allRows);
        var settings = project.Settings;
        var likert = project.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise;
        var pairwise = project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise;
        var dimensions = Dimensions(project).ToList();

        var agreements = dimensions.Select(d => Agreement(d, rows)).ToList();
        var weekly = Weekly(dimensions, rows);
        var primary = dimensions.FirstOrDefault(d => d.Key == ChoiceKey) ?? dimensions.FirstOrDefault();
        var pairs = primary is null ? [] : Pairs(primary, rows, annotators);
        var quality = Annotators(settings, likert, pairwise, rows, annotators, repeats);
        var labels = Labels(project, likert, pairwise, rows, annotators, now);
        var report = new QualityReport(now, rows.Count, rows.Select(r => r.ItemId).Distinct().Count(), agreements, weekly,
            primary?.Name, pairs, quality);
        return (report, labels);
    }

    /// <summary>The keys of the project's rated dimensions, first the one the pair kappas use: choice (and strength) on pairwise projects, then each Likert attribute.</summary>
    public static IReadOnlyList<string> DimensionKeys(Project project)
    {
        ArgumentNullException.ThrowIfNull(project);
        return [.. Dimensions(project).Select(d => d.Key)];
    }

    /// <summary>The ratings of one dimension as a table (units are items, raters annotators); null when there are none.</summary>
    /// <exception cref="ArgumentException">The project has no dimension with that key.</exception>
    public static RatingTable? TableFor(Project project, IReadOnlyList<RatingRow> rows, string key)
    {
        ArgumentNullException.ThrowIfNull(project);
        var dimension = Dimensions(project).FirstOrDefault(d => d.Key == key)
            ?? throw new ArgumentException($"The project rates no '{key}'; it rates {string.Join(", ", DimensionKeys(project))}.", nameof(key));
        return Table(dimension, rows.Where(r => r.RepeatOf is null));
    }

    /// <summary>Per annotator: how many of their self-consistency checks gave the same answer as the first time, of how many.</summary>
    private static Dictionary<Guid, (int Same, int Checked)> SelfConsistency(IReadOnlyList<RatingRow> rows)
    {
        var byId = rows.Where(r => r.RepeatOf is null).ToDictionary(r => r.Id);
        var result = new Dictionary<Guid, (int Same, int Checked)>();
        foreach (var repeat in rows.Where(r => r.RepeatOf is not null))
        {
            if (!byId.TryGetValue(repeat.RepeatOf!.Value, out var original))
            {
                continue;
            }

            var (same, count) = result.GetValueOrDefault(repeat.AnnotatorId);
            result[repeat.AnnotatorId] = (same + (Consistent(original, repeat) ? 1 : 0), count + 1);
        }

        return result;
    }

    /// <summary>The same choice in the item's terms (so a side swap does not matter), and every Likert score within one point.</summary>
    internal static bool Consistent(RatingRow first, RatingRow again) =>
        first.Choice == again.Choice && Within(first.Scores, again.Scores) && Within(first.ScoresB, again.ScoresB);

    private static bool Within(IReadOnlyDictionary<string, int>? a, IReadOnlyDictionary<string, int>? b) =>
        (a ?? new Dictionary<string, int>()).All(s => b?.TryGetValue(s.Key, out var v) != true || Math.Abs(v - s.Value) <= 1);

    internal static IEnumerable<Dimension> Dimensions(Project project) => Dimensions(project.Settings,
        project.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise,
        project.Kind is ProjectKind.Pairwise or ProjectKind.LikertAndPairwise,
        project.Kind == ProjectKind.LikertAndPairwise);

    /// <summary>A rated dimension and how to read its value from a row (null: the row does not rate it).</summary>
    internal sealed record Dimension(string Key, string Name, MeasurementLevel Level, Func<RatingRow, IEnumerable<(string Unit, double Value)>> Values);

    private static IEnumerable<Dimension> Dimensions(ProjectSettings settings, bool likert, bool pairwise, bool both)
    {
        if (pairwise)
        {
            yield return new Dimension(ChoiceKey, "Choice (A / B / tie / both bad)", MeasurementLevel.Nominal,
                r => r.Choice is { } c ? [(r.ItemId.ToString(), (double)(int)c)] : []);
            if (settings.Pairwise.StrengthLevels > 0)
            {
                yield return new Dimension(StrengthKey, "Strength (signed)", MeasurementLevel.Ordinal,
                    r => Signed(r) is { } s ? [(r.ItemId.ToString(), s)] : []);
            }
        }

        if (likert)
        {
            foreach (var attribute in settings.Attributes)
            {
                var key = attribute.Key;
                yield return new Dimension(key, attribute.Name, MeasurementLevel.Ordinal, r => LikertValues(r, key, both));
            }
        }
    }

    private static IEnumerable<(string Unit, double Value)> LikertValues(RatingRow r, string key, bool both)
    {
        if (r.Scores?.TryGetValue(key, out var a) == true)
        {
            yield return (both ? r.ItemId + ":A" : r.ItemId.ToString(), a);
        }

        if (both && r.ScoresB?.TryGetValue(key, out var b) == true)
        {
            yield return (r.ItemId + ":B", b);
        }
    }

    /// <summary>The signed strength: A preferred is negative, B positive, a tie 0; null for both bad or no choice.</summary>
    private static double? Signed(RatingRow r) => r.Choice switch
    {
        PreferenceChoice.A => -(r.Strength ?? 1),
        PreferenceChoice.B => r.Strength ?? 1,
        PreferenceChoice.Tie => 0,
        _ => null,
    };

    private static RatingTable? Table(Dimension d, IEnumerable<RatingRow> rows)
    {
        var builder = new RatingTableBuilder();
        foreach (var r in rows)
        {
            foreach (var (unit, value) in d.Values(r))
            {
                builder.Add(unit, r.AnnotatorId.ToString(), value);
            }
        }

        return builder.Count == 0 ? null : builder.Build();
    }

    private static DimensionAgreement Agreement(Dimension d, IReadOnlyList<RatingRow> rows)
    {
        var table = Table(d, rows);
        if (table is null)
        {
            return new DimensionAgreement(d.Key, d.Name, AgreementRequest.NameOf(d.Level), null, null, 0, 0, 0);
        }

        var alpha = Alpha(table, d.Level);
        var percent = AgreementMetrics.PercentAgreement(table);
        return new DimensionAgreement(d.Key, d.Name, AgreementRequest.NameOf(d.Level), alpha?.Value,
            double.IsFinite(percent) ? percent : null, alpha?.Units ?? 0, alpha?.Ratings ?? 0, alpha?.Raters ?? 0);
    }

    /// <summary>Krippendorff's alpha with its counts; null when no item has two ratings yet.</summary>
    private static AgreementResult? Alpha(RatingTable? table, MeasurementLevel level)
    {
        if (table is null)
        {
            return null;
        }

        try
        {
            return AgreementRunner.Compute(table, new AgreementRequest(AgreementMetric.Krippendorff, level));
        }
        catch (AgreementInputException)
        {
            return null;
        }
    }

    private static List<WeeklyAgreement> Weekly(IReadOnlyList<Dimension> dimensions, List<RatingRow> rows)
    {
        var points = new List<WeeklyAgreement>();
        if (rows.Count == 0)
        {
            return points;
        }

        var ordered = rows.OrderBy(r => r.CreatedAt).ToList();
        var last = WeekStart(ordered[^1].CreatedAt);
        var first = WeekStart(ordered[0].CreatedAt);
        if (first < last.AddDays(-7 * (MaxWeeks - 1)))
        {
            first = last.AddDays(-7 * (MaxWeeks - 1));
        }

        for (var week = first; week <= last; week = week.AddDays(7))
        {
            var end = week.AddDays(7).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var upTo = ordered.TakeWhile(r => r.CreatedAt < end).ToList();
            foreach (var d in dimensions)
            {
                var alpha = Alpha(Table(d, upTo), d.Level);
                points.Add(new WeeklyAgreement(week, d.Key, alpha?.Value, alpha?.Units ?? 0));
            }
        }

        return points;
    }

    internal static DateOnly WeekStart(DateTime at)
    {
        var day = DateOnly.FromDateTime(at);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    private static List<PairAgreement> Pairs(Dimension d, IReadOnlyList<RatingRow> rows, IReadOnlyDictionary<Guid, AnnotatorInfo> annotators)
    {
        var byAnnotator = rows.GroupBy(r => r.AnnotatorId)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Take(MaxHeatMapAnnotators)
            .ToDictionary(g => g.Key, g => g.SelectMany(d.Values).GroupBy(v => v.Unit).ToDictionary(v => v.Key, v => v.First().Value));
        var ids = byAnnotator.Keys.ToList();
        var weights = d.Level == MeasurementLevel.Nominal ? KappaWeights.None : KappaWeights.Quadratic;
        var pairs = new List<PairAgreement>();
        for (var i = 0; i < ids.Count; i++)
        {
            for (var j = i + 1; j < ids.Count; j++)
            {
                var (a, b) = (byAnnotator[ids[i]], byAnnotator[ids[j]]);
                var shared = a.Keys.Where(b.ContainsKey).ToList();
                if (shared.Count == 0)
                {
                    continue;
                }

                var first = shared.Select(u => a[u]).ToArray();
                var second = shared.Select(u => b[u]).ToArray();
                var kappa = shared.Count < 2 ? double.NaN : AgreementMetrics.CohenKappa(first, second, weights);
                pairs.Add(new PairAgreement(ids[i], ids[j], NameOf(annotators, ids[i]), NameOf(annotators, ids[j]),
                    double.IsFinite(kappa) ? kappa : null, shared.Count));
            }
        }

        return pairs;
    }

    internal static string NameOf(IReadOnlyDictionary<Guid, AnnotatorInfo> annotators, Guid id) =>
        annotators.TryGetValue(id, out var info) && info.Name.Length > 0 ? info.Name : "Annotator " + id.ToString()[..8];

    private static List<AnnotatorQuality> Annotators(ProjectSettings settings, bool likert, bool pairwise, IReadOnlyList<RatingRow> rows,
        IReadOnlyDictionary<Guid, AnnotatorInfo> annotators, Dictionary<Guid, (int Same, int Checked)> repeats)
    {
        var byItem = rows.GroupBy(r => r.ItemId).ToDictionary(g => g.Key, g => g.ToList());
        var result = new List<AnnotatorQuality>();
        foreach (var group in rows.GroupBy(r => r.AnnotatorId))
        {
            var mine = group.OrderBy(r => r.CreatedAt).ToList();
            int agreeing = 0, compared = 0;
            double offsetSum = 0;
            var offsets = 0;
            foreach (var r in mine)
            {
                var others = byItem[r.ItemId].Where(o => o.AnnotatorId != r.AnnotatorId).ToList();
                if (others.Count == 0)
                {
                    continue;
                }

                compared++;
                if (pairwise && r.Choice is { } choice)
                {
                    var votes = new int[ChoiceClasses];
                    foreach (var o in others.Where(o => o.Choice is not null))
                    {
                        votes[(int)o.Choice!.Value]++;
                    }

                    if (votes.Max() > 0 && votes[(int)choice] == votes.Max())
                    {
                        agreeing++;
                    }
                }
                else if (likert && r.Scores is { } scores)
                {
                    var within = true;
                    foreach (var (key, value) in scores)
                    {
                        var theirs = others.Where(o => o.Scores?.ContainsKey(key) == true).Select(o => (double)o.Scores![key]).ToList();
                        if (theirs.Count == 0)
                        {
                            continue;
                        }

                        var offset = value - theirs.Average();
                        offsetSum += offset;
                        offsets++;
                        within &= Math.Abs(offset) <= 1;
                    }

                    agreeing += within ? 1 : 0;
                }
            }

            var answerCodes = mine.Select(AnswerCode).ToArray();
            var info = annotators.GetValueOrDefault(group.Key);

            // An external rater's labels came with a file: no time was measured, no sides were shown and the order of the
            // answers is the file's (a chosen/rejected file says "A" on every line), so none of these is judged.
            var external = info?.External ?? false;
            var fast = mine.Count(r => r.TimeOnTaskMs < settings.Quality.MinSecondsPerTask * 1000);
            var left = mine.Count(r => (r.Choice == PreferenceChoice.A && r.LeftIsA) || (r.Choice == PreferenceChoice.B && !r.LeftIsA));
            var right = mine.Count(r => (r.Choice == PreferenceChoice.B && r.LeftIsA) || (r.Choice == PreferenceChoice.A && !r.LeftIsA));
            var (leftShare, p) = AnnotatorSignals.PositionBias(left, right);
            var repeat = AnnotatorSignals.RepeatShare(answerCodes);
            var gold = info is { GoldAnswered: > 0 } ? (double)info.GoldCorrect / info.GoldAnswered : (double?)null;
            var seconds = mine.Select(r => r.TimeOnTaskMs / 1000.0).Order().ToList();
            var (sameAgain, checks) = repeats.GetValueOrDefault(group.Key);

            var q = new AnnotatorQuality(
                group.Key,
                NameOf(annotators, group.Key),
                mine.Count,
                compared == 0 ? null : (double)agreeing / compared,
                compared,
                offsets == 0 ? null : offsetSum / offsets,
                external || double.IsNaN(repeat) ? null : repeat,
                external ? null : (double)fast / mine.Count,
                external || seconds.Count == 0 ? null : Median(seconds),
                pairwise && !external && !double.IsNaN(leftShare) ? leftShare : null,
                pairwise && !external && left + right > 0 ? p : null,
                gold,
                info?.GoldAnswered ?? 0,
                checks == 0 ? null : (double)sameAgain / checks,
                checks,
                info?.Paused ?? false,
                [],
                external);
            result.Add(q with { Flags = Flags(q, settings) });
        }

        return [.. result.OrderByDescending(q => q.Flags.Count).ThenBy(q => q.Name, StringComparer.Ordinal)];
    }

    internal static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>The whole answer as one number, so identical answers compare equal (choice, strength and every score).</summary>
    private static double AnswerCode(RatingRow r) => AnswerText(r).GetHashCode(StringComparison.Ordinal);

    /// <summary>The whole answer as text: choice, strength and every score.</summary>
    internal static string AnswerText(RatingRow r) => string.Join(';', [
            r.Choice?.ToString() ?? "", r.Strength?.ToString(CultureInfo.InvariantCulture) ?? "",
            .. (r.Scores ?? new Dictionary<string, int>()).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"),
            .. (r.ScoresB ?? new Dictionary<string, int>()).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"b{s.Key}={s.Value}"),
        ]);

    /// <summary>What an admin should look at, in words; thresholds chosen so a handful of answers flags nothing.</summary>
    internal static List<string> Flags(AnnotatorQuality q, ProjectSettings settings)
    {
        var flags = new List<string>();
        if (q is { AgreementWithOthers: < 0.5, ComparedItems: >= 5 })
        {
            flags.Add($"agrees with the others on {Percent(q.AgreementWithOthers.Value)} of shared items");
        }

        if (q.MeanOffset is { } offset && Math.Abs(offset) >= 1 && q.ComparedItems >= 5)
        {
            flags.Add(string.Create(CultureInfo.InvariantCulture, $"scores {offset:+0.0;-0.0} points from the others on average"));
        }

        if (q is { RepeatShare: > 0.8, Annotations: >= 10 })
        {
            flags.Add($"repeats the previous answer {Percent(q.RepeatShare.Value)} of the time");
        }

        if (q is { FastShare: > 0.3, Annotations: >= 5 })
        {
            flags.Add($"{Percent(q.FastShare.Value)} of answers faster than {settings.Quality.MinSecondsPerTask.ToString(CultureInfo.InvariantCulture)} s");
        }

        if (q is { PositionBiasP: < 0.01, LeftShare: { } leftShare })
        {
            flags.Add($"chooses the {(leftShare > 0.5 ? "left" : "right")} response {Percent(Math.Max(leftShare, 1 - leftShare))} of the time");
        }

        if (q is { SelfConsistency: < 0.6, SelfChecks: >= 3 })
        {
            flags.Add($"agrees with themselves on {Percent(q.SelfConsistency.Value)} of {q.SelfChecks} re-shown items");
        }

        if (q.GoldAccuracy is { } gold && q.GoldAnswered >= settings.Gold.MinAnswers && gold < settings.Gold.PauseBelow)
        {
            flags.Add($"gold accuracy {Percent(gold)}");
        }

        return flags;
    }

    private static string Percent(double share) => string.Create(CultureInfo.InvariantCulture, $"{share * 100:0}%");

    internal static List<CuratedLabel> Labels(Project project, bool likert, bool pairwise, IReadOnlyList<RatingRow> rows,
        IReadOnlyDictionary<Guid, AnnotatorInfo> annotators, DateTime now)
    {
        var quality = project.Settings.Quality;
        var byItem = rows.GroupBy(r => r.ItemId).ToList();
        DawidSkeneResult? dawidSkene = null;
        Dictionary<string, int>? dsUnits = null;
        if (pairwise && quality.Aggregation == AggregationMethod.DawidSkene)
        {
            var builder = new RatingTableBuilder();
            foreach (var r in rows.Where(r => r.Choice is not null))
            {
                builder.Add(r.ItemId.ToString(), r.AnnotatorId.ToString(), (int)r.Choice!.Value);
            }

            if (builder.Count > 0)
            {
                var table = builder.Build();
                dawidSkene = DawidSkene.Fit(table, ChoiceClasses);
                dsUnits = Enumerable.Range(0, table.UnitCount).ToDictionary(table.UnitId, u => u);
            }
        }

        var labels = new List<CuratedLabel>();
        foreach (var item in byItem)
        {
            var label = new CuratedLabel { ProjectId = project.Id, ItemId = item.Key, Ratings = item.Count(), ComputedAt = now };
            var methods = new List<string>();
            var agreeing = new List<bool>();
            var choices = item.Where(r => r.Choice is not null).ToList();
            if (pairwise && choices.Count > 0)
            {
                var codes = choices.Select(r => (int)r.Choice!.Value).ToArray();
                var curated = quality.Aggregation switch
                {
                    AggregationMethod.TrustWeightedVote => ChoiceVote.TrustWeighted(codes,
                        choices.Select(r => TrustWeight(annotators.GetValueOrDefault(r.AnnotatorId))).ToArray(), ChoiceClasses, ChoiceVote.PreferenceTieBreakOrder),
                    AggregationMethod.DawidSkene when dawidSkene is not null => dawidSkene.Label(dsUnits![item.Key.ToString()], ChoiceVote.PreferenceTieBreakOrder),
                    _ => ChoiceVote.Majority(codes, ChoiceClasses, ChoiceVote.PreferenceTieBreakOrder),
                };
                label.Choice = (PreferenceChoice)curated.Label;
                var total = curated.Scores.Sum();
                label.Confidence = total > 0 ? curated.Scores[curated.Label] / total : null;
                label.VotesJson = JsonSerializer.Serialize(new Dictionary<string, int>
                {
                    ["A"] = curated.Votes[0],
                    ["B"] = curated.Votes[1],
                    ["tie"] = curated.Votes[2],
                    ["bothBad"] = curated.Votes[3],
                });
                var signed = choices.Select(Signed).Where(s => s is not null).Select(s => s!.Value).ToList();
                label.Strength = project.Settings.Pairwise.StrengthLevels > 0 && signed.Count > 0 ? signed.Average() : null;
                methods.Add(quality.Aggregation switch
                {
                    AggregationMethod.TrustWeightedVote => "trust-weighted",
                    AggregationMethod.DawidSkene => "dawid-skene",
                    _ => "majority",
                });
                agreeing.AddRange(choices.Select(r => r.Choice == label.Choice));
            }

            if (likert)
            {
                var summaries = new Dictionary<string, Dictionary<string, object>>();
                var centres = new Dictionary<string, double>();
                foreach (var (side, pick) in Sides(project.Kind))
                {
                    var perAttribute = new Dictionary<string, object>();
                    foreach (var attribute in project.Settings.Attributes)
                    {
                        var scores = item.Select(pick).Where(s => s?.ContainsKey(attribute.Key) == true).Select(s => (double)s![attribute.Key]).ToArray();
                        if (scores.Length == 0)
                        {
                            continue;
                        }

                        var summary = LikertSummary.Of(scores);
                        var centre = quality.LikertCentre == LikertCentre.Median ? summary.Median : summary.Mean;
                        centres[side + attribute.Key] = centre;
                        perAttribute[attribute.Key] = new { centre, summary.Mean, summary.Median, spread = summary.StandardDeviation, summary.Count };
                    }

                    summaries[side] = perAttribute;
                }

                label.ScoresJson = JsonSerializer.Serialize(summaries, ProjectSettings.Json);
                methods.Add(quality.LikertCentre == LikertCentre.Median ? "median" : "mean");
                if (!pairwise)
                {
                    agreeing.AddRange(item.Select(r => (r.Scores ?? new Dictionary<string, int>())
                        .All(s => !centres.TryGetValue("A" + s.Key, out var c) || Math.Abs(s.Value - c) <= 1)));
                }
            }

            label.Method = string.Join('+', methods);
            label.Agreement = agreeing.Count == 0 ? null : (double)agreeing.Count(a => a) / agreeing.Count;
            labels.Add(label);
        }

        return labels;
    }

    private static IEnumerable<(string Side, Func<RatingRow, IReadOnlyDictionary<string, int>?> Pick)> Sides(ProjectKind kind)
    {
        yield return ("A", r => r.Scores);
        if (kind == ProjectKind.LikertAndPairwise)
        {
            yield return ("B", r => r.ScoresB);
        }
    }

    /// <summary>An annotator's vote weight from their gold record, smoothed so that two answers do not make an oracle: (correct + 1) / (answered + 2).</summary>
    private static double TrustWeight(AnnotatorInfo? info) =>
        ChoiceVote.LogOddsWeight(((info?.GoldCorrect ?? 0) + 1.0) / ((info?.GoldAnswered ?? 0) + 2.0), ChoiceClasses);
}
