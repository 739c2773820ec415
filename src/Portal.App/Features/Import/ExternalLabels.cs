using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Core.Import;

namespace Portal.App.Features.Import;

/// <summary>
/// Where a file's labels go when they become external raters' annotations: one <see cref="ExternalRater"/> per rater id the
/// file names (Chatbot Arena's <c>judge</c>), else one for the whole dataset (SHP, UltraFeedback, HelpSteer2), per project.
/// The labels are staged with their items (<see cref="Stage"/>) and published with them in the publish's transaction
/// (<see cref="PublishAsync"/>), so such an import holds the write lock no longer than any other.
/// </summary>
internal sealed class ExternalLabelSink(PortalDbContext db, Project project, string dataset)
{
    private static readonly ValueConverter<Dictionary<string, int>?, string?> ScoresColumn = JsonColumns.DictionaryConverter<int>();

    private readonly Dictionary<string, ExternalRater> _raters = new(StringComparer.Ordinal);

    /// <summary>Raters this import met that the project does not have yet, in the order of their first line.</summary>
    private readonly List<ExternalRater> _new = [];

    /// <summary>How many external raters the project had when the import started; new ones are numbered after them.</summary>
    private int _known;

    /// <summary>Reads the raters the project already has for this dataset, before the first line is staged.</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        foreach (var existing in await db.ExternalRaters.AsNoTracking().Where(r => r.ProjectId == project.Id && r.Source == dataset).ToListAsync(ct))
        {
            _raters[existing.RaterKey] = existing;
        }

        _known = await db.ExternalRaters.CountAsync(r => r.ProjectId == project.Id, ct);
    }

    /// <summary>Puts the line's file label on its staged row as an external rater's annotation; a line without one stays as it is.</summary>
    public void Stage(ImportedItem item, ImportStagedItem staged)
    {
        PreferenceChoice? choice = null;
        Dictionary<string, int>? scores = null;
        string? raterId = null;
        if (item.Pair is { } pair)
        {
            // Ties and both bad are choices annotators make too: the external rater keeps them.
            choice = pair.FileAnswer;
            raterId = pair.FileRater;
        }
        else if (item.FileScores is { } fileScores)
        {
            scores = new Dictionary<string, int>(fileScores, StringComparer.Ordinal);
        }

        if (choice is null && scores is null)
        {
            return;
        }

        staged.RaterId = Rater(raterId, staged.StagedAt).Id;
        staged.AnnotationId = Guid.CreateVersion7();
        staged.AnnotationKey = $"import:{staged.ItemId:N}";
        staged.LabelChoice = choice;
        staged.ScoresJson = ScoresColumn.ConvertToProvider(scores) as string;
    }

    /// <summary>
    /// Inside the publish's transaction, once the items are in: adds the new raters that a published line names (numbered
    /// in the order they first appeared) and the annotations of the published lines.
    /// </summary>
    /// <param name="attributeVersion">The attribute set the file's scores were given under (0 when it had none).</param>
    /// <returns>The annotations stored, and how many distinct raters they belong to.</returns>
    public async Task<(int Stored, int Raters)> PublishAsync(Guid importId, int attributeVersion, CancellationToken ct)
    {
        var used = (await db.ImportStagedItems
            .Where(s => s.ImportId == importId && s.RaterId != null && db.Items.Any(i => i.Id == s.ItemId))
            .Select(s => s.RaterId!.Value)
            .Distinct()
            .ToListAsync(ct)).ToHashSet();
        var number = _known;
        foreach (var rater in _new.Where(r => used.Contains(r.Id)))
        {
            rater.Name = $"External {++number} · {dataset}";
            db.ExternalRaters.Add(rater);
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        var leftIsA = true;
        var zero = 0;
        var stored = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Annotations" ("Id", "TenantId", "ProjectId", "ItemId", "AnnotatorId", "ExternalRaterId", "IdempotencyKey",
                "Choice", "Scores", "AttributeVersion", "LeftIsA", "TimeOnTaskMs", "Revisions", "CreatedAt")
            SELECT s."AnnotationId", s."TenantId", s."ProjectId", s."ItemId", s."RaterId", s."RaterId", s."AnnotationKey",
                s."LabelChoice", s."ScoresJson", CASE WHEN s."ScoresJson" IS NULL THEN NULL ELSE {attributeVersion} END,
                {leftIsA}, {zero}, {zero}, s."StagedAt"
            FROM "ImportStagedItems" s
            WHERE s."ImportId" = {importId} AND s."RaterId" IS NOT NULL
              AND EXISTS (SELECT 1 FROM "Items" i WHERE i."Id" = s."ItemId")
            ORDER BY s."Seq"
            """, ct);
        return (stored, used.Count);
    }

    private ExternalRater Rater(string? raterId, DateTime now)
    {
        var key = string.IsNullOrEmpty(raterId) ? "" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raterId)));
        if (!_raters.TryGetValue(key, out var rater))
        {
            rater = new ExternalRater
            {
                TenantId = project.TenantId,
                ProjectId = project.Id,
                Source = dataset,
                RaterKey = key,
                CreatedAt = now,
            };
            _raters[key] = rater;
            _new.Add(rater);
        }

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
