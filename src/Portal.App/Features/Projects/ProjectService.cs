using Microsoft.EntityFrameworkCore;
using Portal.App.Data;

namespace Portal.App.Features.Projects;

/// <summary>What a project admin sets on a project. <see cref="Settings"/> null keeps the current settings (the defaults on create).</summary>
public sealed record ProjectInput(
    string Name,
    string? Description,
    ProjectKind Kind,
    int Overlap = 3,
    int LeaseMinutes = 30,
    ProjectSettings? Settings = null);

/// <summary>A request with one or more problems, each naming its field; nothing of it was saved.</summary>
public sealed class ValidationProblemsException(IReadOnlyList<(string Field, string Message)> problems)
    : Exception(string.Join(" ", problems.Select(p => p.Message)))
{
    public IReadOnlyList<(string Field, string Message)> Problems { get; } = problems;

    /// <summary>The problems grouped by field, as a validation problem response carries them.</summary>
    public Dictionary<string, string[]> ByField() =>
        Problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray());
}

/// <summary>Creates and configures projects: kind, overlap, lease, Likert attributes, pairwise and gold options.</summary>
public sealed class ProjectService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxOverlap = 50;
    public const int MaxLeaseMinutes = 1440;
    public const int MaxAttributes = 20;

    /// <summary>Creates a project with the given settings, or the defaults.</summary>
    /// <exception cref="ValidationProblemsException">Something is out of range or the name is taken.</exception>
    public async Task<ProjectDetails> CreateAsync(Guid orgId, ProjectInput input, CancellationToken ct = default)
    {
        var settings = Normalise(input.Settings ?? ProjectSettings.Default);
        var name = input.Name?.Trim() ?? "";
        await using var db = dbFactory.CreateForTenant(orgId);
        var problems = Check(input, name, settings).ToList();
        if (problems.Count == 0 && await db.Projects.AnyAsync(p => p.Name == name, ct))
        {
            problems.Add(("name", $"A project named '{name}' already exists in this organisation."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var project = new Project
        {
            Name = name,
            Description = input.Description?.Trim() ?? "",
            Kind = input.Kind,
            Overlap = input.Overlap,
            LeaseMinutes = input.LeaseMinutes,
            Settings = settings,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Projects.Add(project);
        await db.SaveChangesAsync(ct);
        return ProjectQueries.Details(project, 0, 0, 0, 0);
    }

    /// <summary>Replaces the project's configuration; null when the project is not in the organisation.</summary>
    /// <exception cref="ValidationProblemsException">
    /// Something is out of range, the name is taken, or the change would orphan gold answers (an attribute's key or
    /// scale they use) or items (the kind). A change of rated attributes' keys or scales makes a new attribute-set version.
    /// </exception>
    public async Task<ProjectDetails?> UpdateAsync(Guid orgId, Guid projectId, ProjectInput input, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var settings = Normalise(input.Settings ?? project.Settings);
        var name = input.Name?.Trim() ?? "";
        var problems = Check(input, name, settings).ToList();
        if (problems.Count == 0)
        {
            if (name != project.Name && await db.Projects.AnyAsync(p => p.Name == name && p.Id != projectId, ct))
            {
                problems.Add(("name", $"A project named '{name}' already exists in this organisation."));
            }

            problems.AddRange(await ChangeProblemsAsync(db, project, input.Kind, settings, ct));
        }

        if (project.ArchivedAt is not null)
        {
            problems.Insert(0, ("project", ArchivedMessage));
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        await AttributeVersions.RecordChangeAsync(db, project, settings.Attributes, clock.GetUtcNow().UtcDateTime, ct);
        project.Name = name;
        project.Description = input.Description?.Trim() ?? "";
        project.Kind = input.Kind;
        project.Overlap = input.Overlap;
        project.LeaseMinutes = input.LeaseMinutes;
        project.Settings = settings;
        await db.SaveChangesAsync(ct);
        return await ProjectQueries.DetailsQuery(db, db.Projects.Where(p => p.Id == projectId)).FirstAsync(ct);
    }

    /// <summary>What an admin is told when changing an archived project.</summary>
    public const string ArchivedMessage = "This project is archived, so it is read-only. Unarchive it first to change it.";

    /// <summary>Pauses the whole project: no annotator gets a new task; leases already held may still be submitted. Again is harmless.</summary>
    public Task<ProjectDetails?> PauseAsync(Guid orgId, Guid projectId, CancellationToken ct = default) =>
        LifecycleAsync(orgId, projectId, (p, now) => p.PausedAt ??= now, ct);

    /// <summary>Lets annotators take tasks again. Again is harmless.</summary>
    public Task<ProjectDetails?> ResumeAsync(Guid orgId, Guid projectId, CancellationToken ct = default) =>
        LifecycleAsync(orgId, projectId, (p, _) => p.PausedAt = null, ct);

    /// <summary>
    /// Archives the project: hidden from annotators and from the default project list, read-only for admins; its releases
    /// stay downloadable and nothing is deleted. Again is harmless.
    /// </summary>
    public Task<ProjectDetails?> ArchiveAsync(Guid orgId, Guid projectId, CancellationToken ct = default) =>
        LifecycleAsync(orgId, projectId, (p, now) => p.ArchivedAt ??= now, ct);

    /// <summary>Brings an archived project back, as it was (paused or not). Again is harmless.</summary>
    public Task<ProjectDetails?> UnarchiveAsync(Guid orgId, Guid projectId, CancellationToken ct = default) =>
        LifecycleAsync(orgId, projectId, (p, _) => p.ArchivedAt = null, ct);

    private async Task<ProjectDetails?> LifecycleAsync(Guid orgId, Guid projectId, Action<Project, DateTime> change, CancellationToken ct)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        change(project, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        return await ProjectQueries.DetailsQuery(db, db.Projects.Where(p => p.Id == projectId)).FirstAsync(ct);
    }

    /// <summary>The range checks on their own, plus <see cref="ProjectSettings.Problems"/> under <c>settings.</c>.</summary>
    public static IEnumerable<(string Field, string Message)> Check(ProjectInput input, string name, ProjectSettings settings)
    {
        if (name.Length is 0 or > 200)
        {
            yield return ("name", "A project needs a name of 1 to 200 characters.");
        }

        if (input.Description is { Length: > 4000 })
        {
            yield return ("description", "The description is at most 4000 characters.");
        }

        if (!Enum.IsDefined(input.Kind))
        {
            yield return ("kind", "The kind is Likert, Pairwise or LikertAndPairwise.");
        }

        if (input.Overlap is < 1 or > MaxOverlap)
        {
            yield return ("overlap", $"Ratings per item is 1 to {MaxOverlap}.");
        }

        if (input.LeaseMinutes is < 1 or > MaxLeaseMinutes)
        {
            yield return ("leaseMinutes", $"The lease is 1 to {MaxLeaseMinutes} minutes.");
        }

        if (settings.Attributes is null || settings.Pairwise is null || settings.Gold is null || settings.Quality is null)
        {
            yield return ("settings", "Settings need attributes, pairwise, gold and quality options.");
            yield break;
        }

        var ratesAttributes = input.Kind is ProjectKind.Likert or ProjectKind.LikertAndPairwise || settings.Pairwise.PerAttribute;
        if (ratesAttributes && settings.Attributes.Count == 0)
        {
            yield return ("settings.attributes", input.Kind == ProjectKind.Pairwise
                ? "Per-attribute choices need at least one attribute."
                : "A Likert project rates at least one attribute.");
        }

        if (settings.Attributes.Count > MaxAttributes)
        {
            yield return ("settings.attributes", $"At most {MaxAttributes} attributes.");
        }

        for (var i = 0; i < settings.Attributes.Count; i++)
        {
            var a = settings.Attributes[i];
            if (a is null)
            {
                yield return ($"settings.attributes[{i}]", "An attribute cannot be empty.");
                continue;
            }

            foreach (var (field, max) in new[] { ("key", 50), ("name", 100), ("description", 1000), ("lowLabel", 50), ("highLabel", 50) })
            {
                var value = field switch
                {
                    "key" => a.Key,
                    "name" => a.Name,
                    "description" => a.Description,
                    "lowLabel" => a.LowLabel,
                    _ => a.HighLabel,
                };
                if (value?.Length > max)
                {
                    yield return ($"settings.attributes[{i}].{field}", $"An attribute's {field} is at most {max} characters.");
                }
            }
        }

        if (settings.Attributes.Any(a => a is null))
        {
            yield break;
        }

        foreach (var (field, message) in settings.Problems())
        {
            yield return ("settings." + field, message);
        }
    }

    /// <summary>Trims the attributes' texts and turns missing descriptions and labels into empty ones.</summary>
    private static ProjectSettings Normalise(ProjectSettings settings) =>
        settings.Attributes is null || settings.Attributes.Any(a => a is null)
            ? settings
            : settings with
            {
                Attributes = [.. settings.Attributes.Select(a => a with
                {
                    Key = a.Key?.Trim() ?? "",
                    Name = a.Name?.Trim() ?? "",
                    Description = a.Description?.Trim() ?? "",
                    LowLabel = a.LowLabel?.Trim() ?? "",
                    HighLabel = a.HighLabel?.Trim() ?? "",
                })],
            };

    /// <summary>Changes that existing data forbids: the kind once there are items, an attribute's key or scale used by a gold answer (rated attributes get a new attribute-set version instead).</summary>
    private static async Task<List<(string Field, string Message)>> ChangeProblemsAsync(
        PortalDbContext db, Project project, ProjectKind kind, ProjectSettings settings, CancellationToken ct)
    {
        var problems = new List<(string Field, string Message)>();
        if (kind != project.Kind && await db.Items.AnyAsync(i => i.ProjectId == project.Id, ct))
        {
            problems.Add(("kind", "The project already has items, so its kind cannot change. Create a new project for another kind."));
        }

        var goldScores = await db.Items.Where(i => i.ProjectId == project.Id && i.IsGold && i.Gold != null)
            .Select(i => new { i.ExternalId, i.Gold })
            .ToListAsync(ct);
        var goldUses = goldScores
            .SelectMany(g => (g.Gold!.Scores ?? new Dictionary<string, int>()).Select(s => (Key: s.Key, Value: s.Value, Item: g.ExternalId ?? "an item")))
            .ToList();
        var byKey = settings.Attributes.Select((a, i) => (a, i)).ToDictionary(x => x.a.Key, x => x, StringComparer.Ordinal);
        foreach (var old in project.Settings.Attributes)
        {
            var uses = goldUses.Where(u => u.Key == old.Key).ToList();
            if (!byKey.TryGetValue(old.Key, out var now))
            {
                if (uses.Count > 0)
                {
                    problems.Add(("settings.attributes", $"The attribute '{old.Key}' is used by the gold answer of {uses[0].Item}; change that gold answer first."));
                }

                continue;
            }

            if (now.a.Min == old.Min && now.a.Max == old.Max)
            {
                continue;
            }

            if (uses.FirstOrDefault(u => u.Value < now.a.Min || u.Value > now.a.Max) is { Item: not null } outside)
            {
                problems.Add(($"settings.attributes[{now.i}].max", $"The gold answer of {outside.Item} expects {outside.Value} for '{old.Key}', outside the new scale {now.a.Min}–{now.a.Max}; change that gold answer first."));
            }
        }

        return problems;
    }
}
