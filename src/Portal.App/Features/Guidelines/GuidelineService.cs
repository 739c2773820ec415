using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;
using Portal.Core.Text;

namespace Portal.App.Features.Guidelines;

/// <summary>A published guideline version as pages and the API show it.</summary>
public sealed record GuidelineVersionView(int Version, string Markdown, string ChangeNote, GuidelineChange Change, Guid PublishedByUserId,
    string PublishedBy, DateTime PublishedAt);

/// <summary>What an admin publishes: the whole Markdown, a note saying what changed, and whether the change is minor or major.</summary>
public sealed record PublishGuidelineInput(string? Markdown, string? ChangeNote, GuidelineChange Change);

/// <summary>
/// An example item referenced from the guidelines, with its expected answer when it is gold (<paramref name="IsGold"/>:
/// such an item is not served as a hidden gold check while the current guidelines show it).
/// </summary>
public sealed record GuidelineExample(string ExternalId, bool Found, IReadOnlyList<Turn> Conversation, string ResponseA, string? ResponseB,
    PreferenceChoice? ExpectedChoice, IReadOnlyDictionary<string, int>? ExpectedScores, string? Explanation, bool IsGold = false);

/// <summary>A guideline version ready to show: Markdown parts rendered safely, examples resolved.</summary>
public sealed record GuidelineDocument(GuidelineVersionView Version, IReadOnlyList<GuidelineDocumentPart> Parts);

/// <summary>Either safe HTML or an example.</summary>
public sealed record GuidelineDocumentPart(string? Html, GuidelineExample? Example);

/// <summary>Where an annotator stands with a project's guidelines and qualification.</summary>
public sealed record AnnotatorGuidelineStatus(int? CurrentVersion, int? AcknowledgedVersion, bool NeedsAcknowledgement, QualificationStatus Qualification);

/// <summary>Publishes, lists and compares a project's guideline versions and records annotators' acknowledgements.</summary>
public sealed class GuidelineService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxMarkdownLength = 200_000;
    public const int MaxNoteLength = 1000;

    /// <summary>The current (latest) version; (false, null) when there is no such project, (true, null) when it has no guidelines yet.</summary>
    public async Task<(bool Exists, GuidelineVersionView? Current)> CurrentAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return (false, null);
        }

        return (true, await Views(db, Versions(db, projectId).OrderByDescending(v => v.Version)).FirstOrDefaultAsync(ct));
    }

    /// <summary>The number of the current (latest) version; null when the project has no guidelines (or is not there).</summary>
    public async Task<int?> CurrentVersionAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await Versions(db, projectId).MaxAsync(v => (int?)v.Version, ct);
    }

    /// <summary>Every version, newest first; null when there is no such project.</summary>
    public async Task<IReadOnlyList<GuidelineVersionView>?> HistoryAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        return await Views(db, Versions(db, projectId).OrderByDescending(v => v.Version)).ToListAsync(ct);
    }

    /// <summary>The line diff from version <paramref name="from"/> to <paramref name="to"/>; null when there is no such project.</summary>
    /// <exception cref="PortalValidationException">A version that does not exist (names from or to).</exception>
    public async Task<IReadOnlyList<DiffLine>?> DiffAsync(Guid orgId, Guid projectId, int from, int to, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var texts = await db.GuidelineVersions.Where(v => v.ProjectId == projectId && (v.Version == from || v.Version == to))
            .ToDictionaryAsync(v => v.Version, v => v.Markdown, ct);
        foreach (var (field, version) in new[] { ("from", from), ("to", to) })
        {
            if (!texts.ContainsKey(version))
            {
                throw new PortalValidationException(field, $"This project has no guideline version {version}.");
            }
        }

        return LineDiff.Compute(texts[from], texts[to]);
    }

    /// <summary>Publishes a new immutable version, numbered one above the latest; null when there is no such project.</summary>
    /// <exception cref="ValidationProblemsException">Empty or too long Markdown, a missing change note, an unknown change kind.</exception>
    public async Task<GuidelineVersionView?> PublishAsync(Guid orgId, Guid projectId, Guid userId, PublishGuidelineInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var markdown = (input.Markdown ?? "").TrimEnd();
        var note = input.ChangeNote?.Trim() ?? "";
        var problems = new List<(string Field, string Message)>();
        if (markdown.Trim().Length == 0)
        {
            problems.Add(("markdown", "The guidelines cannot be empty."));
        }
        else if (markdown.Length > MaxMarkdownLength)
        {
            problems.Add(("markdown", $"The guidelines are at most {MaxMarkdownLength} characters, not {markdown.Length}."));
        }
        else if (!Portal.Core.Text.SafeMarkdown.TryToHtml(markdown, out _, out var unrenderable))
        {
            problems.Add(("markdown", $"The guidelines cannot be published: {unrenderable}"));
        }

        if (note.Length is 0 or > MaxNoteLength)
        {
            problems.Add(("changeNote", $"Say what changed, in 1 to {MaxNoteLength} characters."));
        }

        if (!Enum.IsDefined(input.Change))
        {
            problems.Add(("change", "The change is Minor (acknowledge only) or Major (qualify again)."));
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        for (var attempt = 0; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var latest = await db.GuidelineVersions.Where(v => v.ProjectId == projectId).MaxAsync(v => (int?)v.Version, ct) ?? 0;
            db.GuidelineVersions.Add(new GuidelineVersion
            {
                ProjectId = projectId,
                Version = latest + 1,
                Markdown = markdown,
                ChangeNote = note,
                Change = input.Change,
                PublishedByUserId = userId,
                PublishedAt = clock.GetUtcNow().UtcDateTime,
            });
            try
            {
                await db.SaveChangesAsync(ct);
                return await Views(db, Versions(db, projectId).Where(v => v.Version == latest + 1)).FirstAsync(ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another admin published the same number at the same moment: number this one after theirs.
            }
        }
    }

    /// <summary>Records that the annotator read version <paramref name="version"/> (idempotent); false when there is no such project.</summary>
    /// <exception cref="PortalValidationException">The version is not the project's current one.</exception>
    public async Task<bool> AcknowledgeAsync(Guid orgId, Guid projectId, Guid annotatorId, int version, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return false;
        }

        var current = await GuidelineGates.CurrentVersionAsync(db, projectId, ct);
        if (current is null || version != current)
        {
            throw new PortalValidationException("version", current is null
                ? "This project has no guidelines to acknowledge."
                : $"Version {version} is not the current guidelines; read and acknowledge version {current}.");
        }

        if (await db.GuidelineAcknowledgements.AnyAsync(a => a.ProjectId == projectId && a.AnnotatorId == annotatorId && a.Version == version, ct))
        {
            return true;
        }

        db.GuidelineAcknowledgements.Add(new GuidelineAcknowledgement
        {
            ProjectId = projectId,
            AnnotatorId = annotatorId,
            Version = version,
            AcknowledgedAt = clock.GetUtcNow().UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A double click stored the same acknowledgement first.
        }

        return true;
    }

    /// <summary>The annotator's standing with the guidelines and the qualification test; null when there is no such project.</summary>
    public async Task<AnnotatorGuidelineStatus?> StatusAsync(Guid orgId, Guid projectId, Guid annotatorId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var current = await GuidelineGates.CurrentVersionAsync(db, projectId, ct);
        var acknowledged = await GuidelineGates.AcknowledgedVersionAsync(db, projectId, annotatorId, ct);
        var qualification = await GuidelineGates.QualificationStatusAsync(db, projectId, annotatorId, clock.GetUtcNow().UtcDateTime, ct);
        return new AnnotatorGuidelineStatus(current, acknowledged, current is not null && acknowledged != current, qualification);
    }

    /// <summary>A version (the current one when <paramref name="version"/> is null) rendered for reading; null when there is none.</summary>
    public async Task<GuidelineDocument?> DocumentAsync(Guid orgId, Guid projectId, int? version = null, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var versions = Versions(db, projectId);
        var view = await Views(db, version is { } v ? versions.Where(x => x.Version == v) : versions.OrderByDescending(x => x.Version)).FirstOrDefaultAsync(ct);
        return view is null ? null : new GuidelineDocument(view, await RenderAsync(db, projectId, view.Markdown, ct));
    }

    /// <summary>Renders Markdown as a draft would look once published (the editor's preview).</summary>
    public async Task<IReadOnlyList<GuidelineDocumentPart>> PreviewAsync(Guid orgId, Guid projectId, string markdown, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return await RenderAsync(db, projectId, markdown ?? "", ct);
    }

    private static async Task<IReadOnlyList<GuidelineDocumentPart>> RenderAsync(PortalDbContext db, Guid projectId, string markdown, CancellationToken ct)
    {
        var parts = GuidelineMarkup.Split(markdown);
        var ids = parts.Where(p => p.ExampleId is not null).Select(p => p.ExampleId!).Distinct().ToList();
        var items = ids.Count == 0
            ? []
            : await db.Items.AsNoTracking().Where(i => i.ProjectId == projectId && ids.Contains(i.ExternalId!)).ToDictionaryAsync(i => i.ExternalId!, ct);
        return [.. parts.Select(p => p.ExampleId is { } id
            ? new GuidelineDocumentPart(null, items.TryGetValue(id, out var item) ? Example(item) : new GuidelineExample(id, false, [], "", null, null, null, null))
            : new GuidelineDocumentPart(SafeMarkdown.ToHtml(p.Markdown!), null))];
    }

    private static GuidelineExample Example(Item item) =>
        new(item.ExternalId!, true, JsonSerializer.Deserialize<List<Turn>>(item.ConversationJson, ProjectSettings.Json) ?? [], item.ResponseA, item.ResponseB,
            item.Gold?.Choice, item.Gold?.Scores, item.Gold?.Explanation, item.IsGold);

    private static IQueryable<GuidelineVersion> Versions(PortalDbContext db, Guid projectId) =>
        db.GuidelineVersions.AsNoTracking().Where(v => v.ProjectId == projectId);

    /// <summary>The views of <paramref name="source"/>, projected last (EF cannot filter or sort on a constructed record).</summary>
    private static IQueryable<GuidelineVersionView> Views(PortalDbContext db, IQueryable<GuidelineVersion> source) =>
        source.Select(v => new GuidelineVersionView(v.Version, v.Markdown, v.ChangeNote, v.Change, v.PublishedByUserId,
                db.Users.Where(u => u.Id == v.PublishedByUserId).Select(u => u.DisplayName).FirstOrDefault() ?? "", v.PublishedAt));
}
