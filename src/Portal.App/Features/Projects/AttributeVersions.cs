using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Projects;

/// <summary>
/// Versions of a project's attribute set, so that a change of keys or scales after annotations exist never
/// reinterprets old ratings: each annotation records the version it was made under, and agreement and labels read
/// only the scores of the current version.
/// </summary>
public static class AttributeVersions
{
    /// <summary>The version new annotations are made under: the latest recorded one, or 1 while the set never changed after ratings.</summary>
    public static async Task<int> CurrentAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        await db.AttributeSetVersions.Where(v => v.ProjectId == projectId).MaxAsync(v => (int?)v.Version, ct) ?? 1;

    /// <summary>Whether two attribute sets give scores the same meaning: the same keys with the same scales (names and descriptions may differ).</summary>
    public static bool SameMeaning(IReadOnlyList<AttributeDefinition> a, IReadOnlyList<AttributeDefinition> b) =>
        Meaning(a).SetEquals(Meaning(b));

    /// <summary>
    /// Before <paramref name="project"/>'s attributes become <paramref name="attributes"/>: when keys or scales change and
    /// ratings exist under the current version, records the old set as its version (once) and the new set as the next;
    /// when nothing was rated under the current version yet, that version takes the new set. Saved with the caller's changes.
    /// </summary>
    public static async Task RecordChangeAsync(PortalDbContext db, Project project, IReadOnlyList<AttributeDefinition> attributes, DateTime now, CancellationToken ct)
    {
        if (SameMeaning(project.Settings.Attributes, attributes))
        {
            return;
        }

        var versions = await db.AttributeSetVersions.Where(v => v.ProjectId == project.Id).OrderBy(v => v.Version).ToListAsync(ct);
        var current = versions.Count == 0 ? 1 : versions[^1].Version;
        var ratedUnderCurrent = await db.Annotations.AnyAsync(a => a.ProjectId == project.Id && (a.AttributeVersion ?? 1) == current, ct);
        if (!ratedUnderCurrent)
        {
            if (versions.Count > 0)
            {
                versions[^1].Attributes = [.. attributes];
                versions[^1].CreatedAt = now;
            }

            return;
        }

        if (versions.Count == 0)
        {
            db.AttributeSetVersions.Add(new AttributeSetVersion { ProjectId = project.Id, Version = 1, Attributes = [.. project.Settings.Attributes], CreatedAt = project.CreatedAt });
        }

        db.AttributeSetVersions.Add(new AttributeSetVersion { ProjectId = project.Id, Version = current + 1, Attributes = [.. attributes], CreatedAt = now });
    }

    private static HashSet<(string Key, int Min, int Max)> Meaning(IReadOnlyList<AttributeDefinition> attributes) =>
        [.. attributes.Select(a => (a.Key, a.Min, a.Max))];
}
