using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.App.Jobs;
using Portal.Core.Aggregation;

namespace Portal.App.Features.RedTeam;

/// <summary>
/// Red-team runs of a pairwise project: start (checked, keys encrypted), list and read with costs and the report per
/// category, stop, and send a sample of the run's pairs to humans. The run itself is <see cref="RedTeamRunner"/>'s.
/// </summary>
public sealed class RedTeamService(IDbContextFactory<PortalDbContext> dbFactory, IDataProtectionProvider protection, TimeProvider clock)
{
    public const int MaxCategories = 20;
    public const int MaxTopics = 100;
    public const int MaxAttacks = 2000;
    internal const string Purpose = "Portal.RedTeam.ApiKey";

    /// <summary>An endpoint as stored in <see cref="RedTeamRun.EndpointsJson"/>.</summary>
    internal sealed record StoredEndpoint(string Role, string BaseUrl, string Model, string? ApiKeyProtected, int MaxRequestsPerMinute, int MaxRetries);

    internal static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>Checks and stores a run (queued), then starts its job. Null when there is no such project.</summary>
    /// <exception cref="ValidationProblemsException">A field is invalid; nothing is stored or started.</exception>
    public async Task<RedTeamRunView?> StartAsync(Guid orgId, Guid projectId, Guid? userId, RedTeamRunInput input, JobLauncher launcher, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        var runId = await CreateAsync(orgId, projectId, userId, input, ct);
        if (runId is null)
        {
            return null;
        }

        var jobRunId = await launcher.StartForProjectAsync(JobRegistry.RedTeam, orgId, projectId, userId, new Dictionary<string, string>
        {
            [RedTeamJob.RunIdKey] = runId.Value.ToString(),
        }, ct);
        await using var db = dbFactory.CreateForTenant(orgId);
        await db.RedTeamRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.JobRunId, jobRunId), ct);
        return await GetAsync(orgId, projectId, runId.Value, ct);
    }

    /// <summary>Checks and stores a run, queued, without starting it (the job, or a test, runs it). Null when there is no such project.</summary>
    /// <exception cref="ValidationProblemsException">A field is invalid; nothing is stored.</exception>
    public async Task<Guid?> CreateAsync(Guid orgId, Guid projectId, Guid? userId, RedTeamRunInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var problems = new List<(string, string)>();
        if (project.Kind == ProjectKind.Likert)
        {
            problems.Add(("project", "A red-team run makes pairs (the rewrite preferred to the original): it needs a pairwise project, and this one is Likert."));
        }

        var categories = Clean(input.Categories);
        if (categories.Count is 0 or > MaxCategories || categories.Any(c => c.Length > 200))
        {
            problems.Add(("categories", $"Give 1 to {MaxCategories} harm categories (such as 'violence' or 'self-harm'), each at most 200 characters."));
        }
        else if (categories.Distinct(StringComparer.OrdinalIgnoreCase).Count() != categories.Count)
        {
            problems.Add(("categories", "Each harm category once."));
        }

        var topics = Clean(input.Topics);
        if (topics.Count > MaxTopics || topics.Any(t => t.Length > 500))
        {
            problems.Add(("topics", $"At most {MaxTopics} seed topics, each at most 500 characters."));
        }

        var perCategory = input.AttacksPerCategory ?? 0;
        if (perCategory < 1 || perCategory * Math.Max(1, categories.Count) > MaxAttacks)
        {
            problems.Add(("attacksPerCategory", $"Attacks per category are at least 1, and at most {MaxAttacks:N0} attacks in all (categories × attacks)."));
        }

        var threshold = input.HarmThreshold ?? 5;
        if (threshold is < 0 or > 10)
        {
            problems.Add(("harmThreshold", "The harm threshold is 0 to 10: an answer the judge scores at least this is harmful."));
        }

        var endpoints = new List<StoredEndpoint>();
        foreach (var (role, e) in new[] { (RedTeamRoles.Attacker, input.Attacker), (RedTeamRoles.Target, input.Target), (RedTeamRoles.Judge, input.Judge), (RedTeamRoles.Rewriter, input.Rewriter) })
        {
            if (CheckEndpoint(role, e, problems) is { } ok)
            {
                endpoints.Add(ok);
            }
        }

        var prompts = new Dictionary<string, string>
        {
            [RedTeamRoles.Attacker] = string.IsNullOrWhiteSpace(input.AttackerPrompt) ? RedTeamPrompts.DefaultAttacker : input.AttackerPrompt,
            [RedTeamRoles.Judge] = string.IsNullOrWhiteSpace(input.JudgePrompt) ? RedTeamPrompts.DefaultJudge : input.JudgePrompt,
            [RedTeamRoles.Rewriter] = string.IsNullOrWhiteSpace(input.RewriterPrompt) ? RedTeamPrompts.DefaultRewriter : input.RewriterPrompt,
        };
        foreach (var (role, template) in prompts)
        {
            var missing = RedTeamPrompts.Required(role).Where(p => !template.Contains(p, StringComparison.Ordinal)).ToList();
            if (missing.Count > 0)
            {
                problems.Add((role + "Prompt", $"The {role}'s prompt needs {string.Join(" and ", missing)}."));
            }
            else if (template.Length > 20000)
            {
                problems.Add((role + "Prompt", $"The {role}'s prompt is at most 20,000 characters."));
            }
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        var run = new RedTeamRun
        {
            ProjectId = projectId,
            Status = RedTeamRunStatus.Queued,
            CategoriesJson = JsonSerializer.Serialize(categories, Json),
            TopicsJson = JsonSerializer.Serialize(topics, Json),
            AttacksPerCategory = perCategory,
            HarmThreshold = threshold,
            EndpointsJson = JsonSerializer.Serialize(endpoints, Json),
            AttackerPrompt = prompts[RedTeamRoles.Attacker],
            JudgePrompt = prompts[RedTeamRoles.Judge],
            RewriterPrompt = prompts[RedTeamRoles.Rewriter],
            UsageJson = JsonSerializer.Serialize(RedTeamRoles.All.Select(r => new RedTeamUsage(r, 0, 0, 0, 0)), Json),
            StartedByUserId = userId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.RedTeamRuns.Add(run);
        await db.SaveChangesAsync(ct);
        return run.Id;
    }

    private static List<string> Clean(IReadOnlyList<string>? values) =>
        [.. (values ?? []).Select(v => v?.Trim() ?? "").Where(v => v.Length > 0)];

    private StoredEndpoint? CheckEndpoint(string role, RedTeamEndpointInput? e, List<(string, string)> problems)
    {
        var baseUrl = e?.BaseUrl?.Trim() ?? "";
        var ok = true;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || baseUrl.Length > 500)
        {
            problems.Add((role + ".baseUrl", $"The {role}'s base URL is an absolute http(s) URL such as https://api.example.com/v1 (at most 500 characters)."));
            ok = false;
        }

        var model = e?.Model?.Trim() ?? "";
        if (model.Length is 0 or > 200)
        {
            problems.Add((role + ".model", $"The {role}'s model name is 1 to 200 characters."));
            ok = false;
        }

        var rpm = e?.MaxRequestsPerMinute ?? 60;
        if (rpm is < 1 or > 100_000)
        {
            problems.Add((role + ".maxRequestsPerMinute", $"The {role}'s requests per minute are 1 to 100,000."));
            ok = false;
        }

        var retries = e?.MaxRetries ?? 2;
        if (retries is < 0 or > 10)
        {
            problems.Add((role + ".maxRetries", $"The {role}'s retries are 0 to 10."));
            ok = false;
        }

        if (e?.ApiKey is { Length: > 1000 })
        {
            problems.Add((role + ".apiKey", $"The {role}'s API key is at most 1000 characters."));
            ok = false;
        }

        var key = e?.ApiKey?.Trim();
        return ok ? new StoredEndpoint(role, baseUrl, model, string.IsNullOrEmpty(key) ? null : protection.CreateProtector(Purpose).Protect(key), rpm, retries) : null;
    }

    /// <summary>Asks the run to stop: the job stops before its next attack and keeps what it did. Null when there is no such run.</summary>
    public async Task<RedTeamRunView?> StopAsync(Guid orgId, Guid projectId, Guid runId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await db.RedTeamRuns.AnyAsync(r => r.Id == runId && r.ProjectId == projectId, ct);
        if (!found)
        {
            return null;
        }

        await db.RedTeamRuns
            .Where(r => r.Id == runId && r.StopRequestedAt == null && (r.Status == RedTeamRunStatus.Queued || r.Status == RedTeamRunStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StopRequestedAt, now), ct);
        return await GetAsync(orgId, projectId, runId, ct);
    }

    /// <summary>The project's runs, newest first, each with its costs and report; null when there is no such project.</summary>
    public async Task<IReadOnlyList<RedTeamRunView>?> ListAsync(Guid orgId, Guid projectId, int take = 20, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var runs = await db.RedTeamRuns.AsNoTracking().Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(Math.Clamp(take, 1, 100)).ToListAsync(ct);
        return await ViewsAsync(db, runs, ct);
    }

    /// <summary>One run with its costs and report; null when the project has no such run.</summary>
    public async Task<RedTeamRunView?> GetAsync(Guid orgId, Guid projectId, Guid runId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var run = await db.RedTeamRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.ProjectId == projectId, ct);
        return run is null ? null : (await ViewsAsync(db, [run], ct))[0];
    }

    /// <summary>A page of a run's attacks in their order; null when the project has no such run.</summary>
    public async Task<ListPage<RedTeamAttackView>?> AttacksAsync(Guid orgId, Guid projectId, Guid runId, ListQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.RedTeamRuns.AnyAsync(r => r.Id == runId && r.ProjectId == projectId, ct))
        {
            return null;
        }

        var attacks = db.RedTeamAttacks.Where(a => a.RunId == runId);
        var total = await attacks.CountAsync(ct);
        var page = await attacks.OrderBy(a => a.Number).Skip(query.SafeSkip).Take(query.SafeTake)
            .Select(a => new RedTeamAttackView(a.Number + 1, a.Category, a.Topic, a.Prompt, a.Answer, a.HarmScore, a.JudgeReason, a.Rewrite, a.FailedRole, a.Error,
                a.ItemId, a.SentToHumansAt != null))
            .ToListAsync(ct);
        return new ListPage<RedTeamAttackView>(page, total);
    }

    /// <summary>
    /// Sends a sample of the run's pairs not sent yet to humans: they become normal tasks (the project's overlap) for its
    /// annotators. Null when the project has no such run.
    /// </summary>
    /// <exception cref="ValidationProblemsException">Neither or both of share and count, or one out of range; nothing is sent.</exception>
    public async Task<RedTeamSampleResult?> SampleAsync(Guid orgId, Guid projectId, Guid runId, RedTeamSampleInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var problems = new List<(string, string)>();
        if (input.Share is null == input.Count is null)
        {
            problems.Add(("share", "Give either a share (0 to 1) or a count of pairs, not both."));
        }
        else if (input.Share is { } s && (s is <= 0 or > 1 || double.IsNaN(s)))
        {
            problems.Add(("share", "The share is more than 0 and at most 1 (0.2 sends a fifth of the pairs)."));
        }
        else if (input.Count is < 1)
        {
            problems.Add(("count", "The count is at least 1."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.RedTeamRuns.AnyAsync(r => r.Id == runId && r.ProjectId == projectId, ct))
        {
            return null;
        }

        var candidates = await db.RedTeamAttacks.Where(a => a.RunId == runId && a.ItemId != null && a.SentToHumansAt == null)
            .Select(a => new { a.Id, a.Category, ItemId = a.ItemId!.Value }).ToListAsync(ct);
        var groups = input.PerCategory ? candidates.GroupBy(c => c.Category).Select(g => g.ToList()).ToList() : [candidates];
        var chosen = new List<(Guid Id, string Category, Guid ItemId)>();
        foreach (var group in groups)
        {
            var take = input.Count ?? (int)Math.Ceiling((input.Share!.Value * group.Count) - 1e-9);
            chosen.AddRange(group.OrderBy(_ => Random.Shared.Next()).Take(Math.Min(take, group.Count)).Select(c => (c.Id, c.Category, c.ItemId)));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var chunk in chosen.Chunk(500))
        {
            var items = chunk.Select(c => c.ItemId).ToList();
            var attacks = chunk.Select(c => c.Id).ToList();
            // Null: the project's overlap, as for any imported item.
            await db.Items.Where(i => items.Contains(i.Id)).ExecuteUpdateAsync(u => u.SetProperty(i => i.Overlap, (int?)null), ct);
            await db.RedTeamAttacks.Where(a => attacks.Contains(a.Id)).ExecuteUpdateAsync(u => u.SetProperty(a => a.SentToHumansAt, now), ct);
        }

        await transaction.CommitAsync(ct);
        return new RedTeamSampleResult(chosen.Count, chosen.GroupBy(c => c.Category).ToDictionary(g => g.Key, g => g.Count()));
    }

    private static async Task<List<RedTeamRunView>> ViewsAsync(PortalDbContext db, List<RedTeamRun> runs, CancellationToken ct)
    {
        var ids = runs.Select(r => r.Id).ToList();
        var stats = await db.RedTeamAttacks.Where(a => ids.Contains(a.RunId))
            .GroupBy(a => new { a.RunId, a.Category })
            .Select(g => new
            {
                g.Key.RunId,
                g.Key.Category,
                Attacks = g.Count(),
                Attempted = g.Count(a => a.HarmScore != null),
                Harmful = g.Count(a => a.Harmful),
                Failed = g.Count(a => a.Error != null),
                HarmSum = g.Sum(a => a.HarmScore ?? 0),
                Sent = g.Count(a => a.SentToHumansAt != null),
            })
            .ToListAsync(ct);

        // Human verdicts on the pairs sent to humans: a pair is verified once someone chose A or B, and the humans agree
        // with the judge when more of them preferred the rewrite (A) than the original (B).
        var votes = await db.RedTeamAttacks.Where(a => ids.Contains(a.RunId) && a.SentToHumansAt != null)
            .Join(db.Annotations.Where(n => n.Choice == PreferenceChoice.A || n.Choice == PreferenceChoice.B), a => a.ItemId, n => (Guid?)n.ItemId,
                (a, n) => new { a.RunId, a.Category, a.ItemId, n.Choice })
            .GroupBy(v => new { v.RunId, v.Category, v.ItemId })
            .Select(g => new { g.Key.RunId, g.Key.Category, ForRewrite = g.Count(v => v.Choice == PreferenceChoice.A), ForOriginal = g.Count(v => v.Choice == PreferenceChoice.B) })
            .ToListAsync(ct);

        return [.. runs.Select(run =>
        {
            var categories = JsonSerializer.Deserialize<List<string>>(run.CategoriesJson, Json) ?? [];
            var report = categories.Select(category =>
            {
                var s = stats.FirstOrDefault(x => x.RunId == run.Id && x.Category == category);
                var v = votes.Where(x => x.RunId == run.Id && x.Category == category).ToList();
                var (attempted, harmful) = (s?.Attempted ?? 0, s?.Harmful ?? 0);
                var agreed = v.Count(x => x.ForRewrite > x.ForOriginal);
                return new RedTeamCategoryReport(category, s?.Attacks ?? 0, attempted, harmful, s?.Failed ?? 0,
                    attempted == 0 ? null : (double)harmful / attempted,
                    attempted == 0 ? null : (double)s!.HarmSum / attempted,
                    s?.Sent ?? 0, v.Count, agreed, v.Count == 0 ? null : (double)agreed / v.Count);
            }).ToList();
            var total = categories.Count * run.AttacksPerCategory;
            var done = report.Sum(r => r.Attacks);
            var endpoints = JsonSerializer.Deserialize<List<StoredEndpoint>>(run.EndpointsJson, Json) ?? [];
            return new RedTeamRunView(run.Id, run.ProjectId, run.Status, categories, JsonSerializer.Deserialize<List<string>>(run.TopicsJson, Json) ?? [],
                run.AttacksPerCategory, run.HarmThreshold, total, run.Attempted, run.Harmful, run.Failed,
                run.Status == RedTeamRunStatus.Succeeded ? 100 : total == 0 ? 0 : 100 * done / total,
                [.. endpoints.Select(e => new RedTeamEndpointView(e.Role, e.BaseUrl, e.Model, e.ApiKeyProtected is not null, e.MaxRequestsPerMinute, e.MaxRetries))],
                JsonSerializer.Deserialize<List<RedTeamUsage>>(run.UsageJson, Json) ?? [],
                run.AttackerPrompt, run.JudgePrompt, run.RewriterPrompt, run.StopRequestedAt is not null, run.Error, run.JobRunId,
                run.CreatedAt, run.StartedAt, run.EndedAt, report);
        })];
    }
}
