using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Core.Import;
using Portal.Core.Pairs;

namespace Portal.App.Features.Import;

/// <summary>
/// Where a file's labels go when they become external raters' annotations: one <see cref="ExternalRater"/> per rater id the
/// file names (Chatbot Arena's <c>judge</c>), else one for the whole dataset (SHP, UltraFeedback, HelpSteer2), per project.
/// </summary>
internal sealed class ExternalLabelSink(PortalDbContext db, Project project, string dataset)
{
    private readonly Dictionary<string, ExternalRater> _raters = new(StringComparer.Ordinal);
    private readonly HashSet<Guid> _used = [];
    private int _known = -1;

    public int Stored { get; private set; }

    /// <summary>Distinct external raters this import gave labels to.</summary>
    public int Raters => _used.Count;

    /// <summary>The annotation the item's file label becomes, or null when the file gave it none.</summary>
    public async Task<Annotation?> ForAsync(ImportedItem item, Guid itemId, int? attributeVersion, DateTime now, CancellationToken ct)
    {
        PreferenceChoice? choice = null;
        Dictionary<string, int>? scores = null;
        string? raterId = null;
        if (item.Pair is { } pair)
        {
            // Ties and both bad are choices annotators make too: the external rater keeps them.
            choice = pair.FileChoice ?? (pair.Label is { } l ? (l == Preference.A ? PreferenceChoice.A : PreferenceChoice.B) : null);
            raterId = pair.FileRater;
        }
        else if (item.FileScores is { } fileScores)
        {
            scores = new Dictionary<string, int>(fileScores, StringComparer.Ordinal);
        }

        if (choice is null && scores is null)
        {
            return null;
        }

        var rater = await RaterAsync(raterId, now, ct);
        Stored++;
        return new Annotation
        {
            ProjectId = project.Id,
            ItemId = itemId,
            AnnotatorId = rater.Id,
            ExternalRaterId = rater.Id,
            IdempotencyKey = $"import:{itemId:N}",
            Choice = choice,
            Scores = scores,
            AttributeVersion = scores is null ? null : attributeVersion,
            CreatedAt = now,
        };
    }

    private async Task<ExternalRater> RaterAsync(string? raterId, DateTime now, CancellationToken ct)
    {
        var key = string.IsNullOrEmpty(raterId) ? "" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raterId)));
        if (_known < 0)
        {
            foreach (var existing in await db.ExternalRaters.AsNoTracking().Where(r => r.ProjectId == project.Id && r.Source == dataset).ToListAsync(ct))
            {
                _raters[existing.RaterKey] = existing;
            }

            _known = await db.ExternalRaters.CountAsync(r => r.ProjectId == project.Id, ct);
        }

        if (!_raters.TryGetValue(key, out var rater))
        {
            _known++;
            rater = new ExternalRater
            {
                ProjectId = project.Id,
                Source = dataset,
                RaterKey = key,
                Name = $"External {_known} · {dataset}",
                CreatedAt = now,
            };
            db.ExternalRaters.Add(rater);
            _raters[key] = rater;
        }

        _used.Add(rater.Id);
        return rater;
    }
}

/// <summary>
/// Gives a Likert project HelpSteer2's five 0–4 attributes the first time a HelpSteer2 file is imported into it: when it has
/// them already nothing changes; when it still has the default set and no ratings, or the admin asked, they replace it;
/// otherwise the import stops with an error naming both sets.
/// </summary>
internal sealed class HelpSteerAttributesStep(PortalDbContext db, Project project, bool replace)
{
    public static IReadOnlyList<AttributeDefinition> Attributes { get; } =
    [
        new("helpfulness", "Helpfulness", "Overall helpfulness of the response to the prompt.", 0, 4, "Not helpful", "Very helpful"),
        new("correctness", "Correctness", "Inclusion of all pertinent facts without errors.", 0, 4, "Wrong", "Fully correct"),
        new("coherence", "Coherence", "Consistency and clarity of expression.", 0, 4, "Incoherent", "Perfectly clear"),
        new("complexity", "Complexity", "Intellectual depth required to write the response (basic language competency … deep domain expertise).", 0, 4, "Basic", "Expert"),
        new("verbosity", "Verbosity", "Amount of detail in the response, relative to what the prompt asks for.", 0, 4, "Succinct", "Verbose"),
    ];

    private bool _done;

    public bool Created { get; private set; }

    /// <summary>The attribute-set version the file's scores are given under, once <see cref="EnsureAsync"/> ran.</summary>
    public int? Version { get; private set; }

    public async Task EnsureAsync(DateTime now, CancellationToken ct)
    {
        if (_done)
        {
            return;
        }

        _done = true;
        var tracked = await db.Projects.FirstAsync(p => p.Id == project.Id, ct);
        if (!AttributeVersions.SameMeaning(tracked.Settings.Attributes, Attributes))
        {
            var untouched = AttributeVersions.SameMeaning(tracked.Settings.Attributes, AttributeDefinition.Defaults)
                && !await db.Annotations.AnyAsync(a => a.ProjectId == project.Id, ct);
            if (!replace && !untouched)
            {
                throw new PortalValidationException("attributes",
                    $"The project rates {string.Join(", ", tracked.Settings.Attributes.Select(a => $"{a.Key} ({a.Min}–{a.Max})"))}, but a HelpSteer2 file rates "
                    + "helpfulness, correctness, coherence, complexity and verbosity (0–4). Import into a new Likert project, or ask to replace the "
                    + "project's attributes (attributes=helpsteer2). Nothing was imported.");
            }

            await AttributeVersions.RecordChangeAsync(db, tracked, Attributes, now, ct);
            tracked.Settings = tracked.Settings with { Attributes = Attributes };
            await db.SaveChangesAsync(ct);
            Created = true;
        }

        Version = await AttributeVersions.CurrentAsync(db, project.Id, ct);
    }
}
