using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Projects;

/// <summary>
/// <see cref="ProjectProgressQuery"/> against a plain computation over every row, on a project with every case the
/// database query treats specially: gold, per-item overlaps (0, AI-only, and above the project's), external raters' labels,
/// self-consistency repeats, live and lapsed leases, skips, even and odd counts, days at the window's edges and after today.
/// </summary>
public class ProjectProgressReferenceTests
{
    private static readonly DateTime Now = new(2026, 12, 10, 12, 0, 0, DateTimeKind.Utc);

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Get_ProjectWithEveryEdgeCase_EqualsAPlainComputationOverEveryRow(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var other = await db.CreateTestTenantAsync("Beta");
        var organisations = db.Services.CreateScope().ServiceProvider.GetRequiredService<OrganisationService>();
        var annotators = new List<PortalUser>();
        foreach (var name in new[] { "Ada", "Bo", "Cy", "Di", "Ed" })
        {
            var user = await organisations.CreateUserAsync($"{name.ToLowerInvariant()}@reference.test", Builders.Password, name);
            await organisations.GrantAsync(tenant.Id, user.Id, OrgRoles.Annotator);
            annotators.Add(user);
        }

        await SeedAsync(db, tenant.Id, tenant.Project.Id, annotators, new Random(18));
        await SeedAsync(db, other.Id, other.Project.Id, [other.Member(OrgRoles.Annotator)], new Random(3));

        var progress = await new ProjectProgressQuery(db.Factory, new FixedClock(Now)).GetAsync(tenant.Id, tenant.Project.Id);
        var expected = await ReferenceAsync(db, tenant.Id, tenant.Project.Id);

        Assert.NotNull(progress);
        Assert.Equal(expected.Items, progress.Items);
        Assert.Equal(expected.Annotations, progress.Annotations);
        Assert.Equal(expected.MedianSecondsPerTask, progress.MedianSecondsPerTask);
        Assert.Equal(expected.Annotators, progress.Annotators);
        Assert.Equal(expected.PerDay, progress.PerDay);
        Assert.Equal(expected.Skips, progress.Skips);
        Assert.Equal(expected.ExternalLabels, progress.ExternalLabels);

        // The seed reaches every case it is meant to.
        Assert.True(progress.Items is { Gold: > 0, FullyRated: > 0, InProgress: > 0, Untouched: > 0, AiOnly: > 0 }, progress.Items.ToString());
        Assert.Contains(progress.Annotators, a => !a.External && a.Annotations % 2 == 0);
        Assert.Contains(progress.Annotators, a => !a.External && a.Annotations % 2 == 1);
        Assert.Contains(progress.PerDay, d => d.Day > DateOnly.FromDateTime(Now));
        Assert.True(progress.ExternalLabels > 0);
    }

    /// <summary>
    /// 60 items (every tenth gold; per-item overlaps of 1, 0 and 5 beside the project's 3); each annotator submits, holds a
    /// live or a lapsed lease, skips, lets a lease expire or does nothing on each; some answers get a repeat; two external
    /// raters label items too.
    /// </summary>
    private static async Task SeedAsync(TestDatabase db, Guid tenantId, Guid projectId, List<PortalUser> annotators, Random random)
    {
        var since = Now.Date.AddDays(1 - ProjectProgressQuery.Days);
        DateTime[] edges = [since, since.AddSeconds(-1), Now.Date.AddDays(1), Now.Date.AddDays(3), Now.Date, Now.AddHours(-1), since.AddDays(5)];
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var raters = Enumerable.Range(0, 2).Select(i => new ExternalRater { ProjectId = projectId, Source = "file.jsonl", RaterKey = $"r{i}", Name = $"Rater {i}", CreatedAt = Now }).ToList();
        ctx.ExternalRaters.AddRange(raters);
        for (var k = 0; k < 60; k++)
        {
            var item = new Item
            {
                ProjectId = projectId,
                ExternalId = $"ref-{k}",
                ResponseA = "A",
                ResponseB = "B",
                IsGold = k % 10 == 0,
                Overlap = (k % 7) switch { 1 => 1, 2 => 0, 3 => 5, _ => null },
                CreatedAt = Now.AddDays(-60),
            };
            ctx.Items.Add(item);
            // Half the items of overlap 0 get no task at all: AI-only (external labels do not change that).
            foreach (var annotator in annotators.Where(_ => k % 14 != 2))
            {
                var choice = random.Next(8);
                var assignment = new Assignment
                {
                    ProjectId = projectId,
                    ItemId = item.Id,
                    AnnotatorId = annotator.Id,
                    LeasedAt = Now.AddHours(-2),
                    LeaseExpiresAt = choice == 3 ? Now.AddMinutes(-1) : Now.AddMinutes(10),
                    Status = choice switch { 0 or 1 or 2 => AssignmentStatus.Submitted, 3 or 4 => AssignmentStatus.Leased, 5 => AssignmentStatus.Skipped, _ => AssignmentStatus.Expired },
                    SkipReason = choice == 5 ? (random.Next(2) == 0 ? "Unclear" : "Too long") : null,
                    Flags = choice == 5 ? (ContentFlags)random.Next(8) : ContentFlags.None,
                };
                if (choice == 7)
                {
                    continue;
                }

                ctx.Assignments.Add(assignment);
                if (assignment.Status != AssignmentStatus.Submitted)
                {
                    continue;
                }

                var at = random.Next(3) == 0 ? edges[random.Next(edges.Length)] : Now.AddMinutes(-random.Next(60 * 24 * 40));
                var annotation = Annotation(projectId, assignment, random.Next(1, 40) * 500, at);
                ctx.Annotations.Add(annotation);
                if (random.Next(5) == 0)
                {
                    // A self-consistency repeat: answered, or still leased.
                    var repeat = new Assignment
                    {
                        ProjectId = projectId,
                        ItemId = item.Id,
                        AnnotatorId = annotator.Id,
                        LeasedAt = Now.AddHours(-1),
                        LeaseExpiresAt = Now.AddMinutes(10),
                        Status = random.Next(2) == 0 ? AssignmentStatus.Submitted : AssignmentStatus.Leased,
                        RepeatOf = annotation.Id,
                    };
                    ctx.Assignments.Add(repeat);
                    if (repeat.Status == AssignmentStatus.Submitted)
                    {
                        var again = Annotation(projectId, repeat, random.Next(1, 40) * 500, Now.AddMinutes(-random.Next(60 * 24 * 40)));
                        again.RepeatOf = annotation.Id;
                        ctx.Annotations.Add(again);
                    }
                }
            }

            foreach (var rater in raters.Where(_ => random.Next(3) == 0))
            {
                ctx.Annotations.Add(new Annotation
                {
                    ProjectId = projectId,
                    ItemId = item.Id,
                    AnnotatorId = rater.Id,
                    ExternalRaterId = rater.Id,
                    IdempotencyKey = Guid.NewGuid().ToString(),
                    Choice = Core.Aggregation.PreferenceChoice.B,
                    TimeOnTaskMs = 0,
                    CreatedAt = Now.AddHours(-3),
                });
            }
        }

        await ctx.SaveChangesAsync();
    }

    private static Annotation Annotation(Guid projectId, Assignment assignment, int ms, DateTime at) => new()
    {
        ProjectId = projectId,
        ItemId = assignment.ItemId,
        AssignmentId = assignment.Id,
        AnnotatorId = assignment.AnnotatorId,
        IdempotencyKey = Guid.NewGuid().ToString(),
        Choice = Core.Aggregation.PreferenceChoice.A,
        TimeOnTaskMs = ms,
        CreatedAt = at,
    };

    /// <summary>The figures computed in memory from every row of the project, as the page defines them.</summary>
    private static async Task<ProjectProgress> ReferenceAsync(TestDatabase db, Guid tenantId, Guid projectId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var project = await ctx.Projects.SingleAsync(p => p.Id == projectId);
        var items = await ctx.Items.Where(i => i.ProjectId == projectId).ToListAsync();
        var annotations = await ctx.Annotations.Where(a => a.ProjectId == projectId).ToListAsync();
        var assignments = await ctx.Assignments.Where(a => a.ProjectId == projectId).ToListAsync();
        var raters = await ctx.ExternalRaters.Where(r => r.ProjectId == projectId).ToListAsync();
        var users = await ctx.Users.ToDictionaryAsync(u => u.Id, u => u.DisplayName);
        var own = annotations.Where(a => a.ExternalRaterId == null).ToList();

        bool AiOnly(Item i) => !i.IsGold && i.Overlap == 0 && own.All(a => a.ItemId != i.Id);
        var rated = items.Where(i => !i.IsGold && !AiOnly(i)).ToList();
        var fully = rated.Count(i => own.Count(a => a.ItemId == i.Id && a.RepeatOf == null) >= (i.Overlap ?? project.Overlap));
        var touched = rated.Count(i => own.Any(a => a.ItemId == i.Id)
            || assignments.Any(a => a.ItemId == i.Id && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAt > Now));
        var gold = items.Count(i => i.IsGold);
        var aiOnly = items.Count(AiOnly);

        static double? Median(IEnumerable<int> times)
        {
            var sorted = times.Order().ToList();
            return sorted.Count == 0 ? null
                : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] / 1000.0
                : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2.0 / 1000.0;
        }

        var skipped = assignments.Where(a => a.Status == AssignmentStatus.Skipped).ToList();
        var annotatorIds = own.Select(a => a.AnnotatorId).Union(skipped.Select(a => a.AnnotatorId)).Distinct();
        var annotators = annotatorIds
            .Select(id => new AnnotatorProgress(id, users[id], own.Count(a => a.AnnotatorId == id), skipped.Count(a => a.AnnotatorId == id),
                Median(own.Where(a => a.AnnotatorId == id).Select(a => a.TimeOnTaskMs))))
            .OrderByDescending(a => a.Annotations).ThenBy(a => a.Name, StringComparer.Ordinal)
            .Concat(raters.Select(r => new { r, Count = annotations.Count(a => a.ExternalRaterId == r.Id) })
                .OrderByDescending(r => r.Count).ThenBy(r => r.r.Name, StringComparer.Ordinal)
                .Select(r => new AnnotatorProgress(r.r.Id, r.r.Name, r.Count, 0, null, External: true)))
            .ToList();

        var since = Now.Date.AddDays(1 - ProjectProgressQuery.Days);
        var perDay = own.Where(a => a.CreatedAt >= since)
            .GroupBy(a => (a.AnnotatorId, Day: DateOnly.FromDateTime(a.CreatedAt)))
            .Select(g => new DailyAnnotations(g.Key.Day, g.Key.AnnotatorId, users[g.Key.AnnotatorId], g.Count()))
            .OrderBy(d => d.Day).ThenBy(d => d.Name, StringComparer.Ordinal)
            .ToList();

        return new ProjectProgress(projectId, project.Name, project.Overlap,
            new ItemProgress(items.Count, gold, fully, touched - fully, items.Count - gold - aiOnly - touched, aiOnly),
            own.Count, Median(own.Select(a => a.TimeOnTaskMs)), annotators, perDay, skipped.Count, [], new FlagCounts(0, 0, 0), Now,
            annotations.Count(a => a.ExternalRaterId != null));
    }
}
