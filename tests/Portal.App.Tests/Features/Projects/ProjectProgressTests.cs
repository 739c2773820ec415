using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Projects;

public class ProjectProgressTests
{
    private static readonly DateTime Now = new(2026, 12, 10, 12, 0, 0, DateTimeKind.Utc);

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now);
    }

    /// <summary>Rows as the engine leaves them, written directly: the query reads the schema, not the engine.</summary>
    private sealed class Seed(TestDatabase db, Guid tenantId, Guid projectId)
    {
        public async Task<Item> ItemAsync(string id, bool gold = false)
        {
            await using var ctx = db.Factory.CreateForTenant(tenantId);
            var item = new Item { ProjectId = projectId, ExternalId = id, ResponseA = "A", ResponseB = "B", IsGold = gold, CreatedAt = Now.AddDays(-60) };
            ctx.Items.Add(item);
            await ctx.SaveChangesAsync();
            return item;
        }

        public async Task SubmitAsync(Item item, PortalUser annotator, int seconds, DateTime at, ContentFlags flags = ContentFlags.None)
        {
            await using var ctx = db.Factory.CreateForTenant(tenantId);
            var assignment = Assignment(item, annotator, AssignmentStatus.Submitted, at.AddSeconds(-seconds), at.AddMinutes(30));
            assignment.ClosedAt = at;
            assignment.Flags = flags;
            ctx.Assignments.Add(assignment);
            ctx.Annotations.Add(new Annotation
            {
                ProjectId = projectId,
                ItemId = item.Id,
                AssignmentId = assignment.Id,
                AnnotatorId = annotator.Id,
                IdempotencyKey = Guid.NewGuid().ToString(),
                Choice = Core.Aggregation.PreferenceChoice.A,
                TimeOnTaskMs = seconds * 1000,
                CreatedAt = at,
            });
            await ctx.SaveChangesAsync();
        }

        public async Task AssignAsync(Item item, PortalUser annotator, AssignmentStatus status, DateTime expiresAt, string? reason = null, ContentFlags flags = ContentFlags.None)
        {
            await using var ctx = db.Factory.CreateForTenant(tenantId);
            var assignment = Assignment(item, annotator, status, expiresAt.AddMinutes(-30), expiresAt);
            assignment.SkipReason = reason;
            assignment.Flags = flags;
            ctx.Assignments.Add(assignment);
            await ctx.SaveChangesAsync();
        }

        private Assignment Assignment(Item item, PortalUser annotator, AssignmentStatus status, DateTime leasedAt, DateTime expiresAt) => new()
        {
            ProjectId = projectId,
            ItemId = item.Id,
            AnnotatorId = annotator.Id,
            Status = status,
            LeasedAt = leasedAt,
            LeaseExpiresAt = expiresAt,
        };
    }

    private static async Task<PortalUser> AnnotatorAsync(TestDatabase db, Guid tenantId, string name)
    {
        var organisations = db.Services.CreateScope().ServiceProvider.GetRequiredService<OrganisationService>();
        var user = await organisations.CreateUserAsync($"{name.ToLowerInvariant()}@progress.test", Builders.Password, name);
        await organisations.GrantAsync(tenantId, user.Id, OrgRoles.Annotator);
        return user;
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Get_SeededProject_CountsItemsAnnotatorsDaysMediansSkipsAndFlags(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var other = await db.CreateTestTenantAsync("Beta");
        var seed = new Seed(db, tenant.Id, tenant.Project.Id);
        var ada = await AnnotatorAsync(db, tenant.Id, "Ada");
        var bo = await AnnotatorAsync(db, tenant.Id, "Bo");
        var cy = await AnnotatorAsync(db, tenant.Id, "Cy");
        var items = new List<Item>();
        for (var i = 0; i < 10; i++)
        {
            items.Add(await seed.ItemAsync($"i{i}"));
        }

        var gold = await seed.ItemAsync("g0", gold: true);
        await seed.ItemAsync("g1", gold: true);
        var today = Now.AddHours(-1);
        var yesterday = Now.AddDays(-1);

        // i0 and i1 reach the overlap of 3; one of Bo's annotations is older than the 30 days shown per day.
        await seed.SubmitAsync(items[0], ada, 10, today);
        await seed.SubmitAsync(items[1], ada, 20, yesterday);
        await seed.SubmitAsync(items[0], bo, 4, today);
        await seed.SubmitAsync(items[1], bo, 6, Now.AddDays(-40));
        await seed.SubmitAsync(items[0], cy, 1, today);
        await seed.SubmitAsync(items[1], cy, 9, today);

        // In progress: i2 has one annotation (flagged), i3 a live lease.
        await seed.SubmitAsync(items[2], ada, 30, today, ContentFlags.Unsafe);
        await seed.AssignAsync(items[3], bo, AssignmentStatus.Leased, Now.AddMinutes(10));

        // Untouched: a lease past its expiry that the job has not returned yet, an expired one, skips.
        await seed.AssignAsync(items[4], cy, AssignmentStatus.Leased, Now.AddMinutes(-1));
        await seed.AssignAsync(items[4], ada, AssignmentStatus.Expired, Now.AddHours(-2));
        await seed.AssignAsync(items[5], cy, AssignmentStatus.Skipped, Now, "Broken page", ContentFlags.Broken);
        await seed.AssignAsync(items[6], ada, AssignmentStatus.Skipped, Now, "Broken page", ContentFlags.Unsafe | ContentFlags.WrongLanguage);
        await seed.AssignAsync(items[7], bo, AssignmentStatus.Skipped, Now, "Not my language");

        // A gold answer counts as work done, not towards the items' progress.
        await seed.SubmitAsync(gold, ada, 40, today);

        // Another organisation's work is not counted.
        var beta = new Seed(db, other.Id, other.Project.Id);
        await beta.SubmitAsync(other.Item, other.Member(OrgRoles.Annotator), 100, today, ContentFlags.Broken);

        var query = new ProjectProgressQuery(db.Factory, new FixedClock(Now));
        var progress = await query.GetAsync(tenant.Id, tenant.Project.Id);

        Assert.NotNull(progress);
        // 13 items: the tenant's first one, i0–i9 and two gold.
        Assert.Equal(new ItemProgress(Total: 13, Gold: 2, FullyRated: 2, InProgress: 2, Untouched: 7), progress.Items);
        Assert.Equal(8, progress.Annotations);
        Assert.Equal(3, progress.Skips);
        Assert.Equal([new ReasonCount("Broken page", 2), new ReasonCount("Not my language", 1)], progress.SkipReasons);
        Assert.Equal(new FlagCounts(Unsafe: 2, Broken: 1, WrongLanguage: 1), progress.Flags);

        // Times: Ada 10, 20, 30, 40 s; Bo 4, 6; Cy 1, 9. Overall 1 4 6 9 | 10 20 30 40.
        Assert.Equal(9.5, progress.MedianSecondsPerTask);
        Assert.Equal(
            [new AnnotatorProgress(ada.Id, "Ada", 4, 1, 25), new AnnotatorProgress(bo.Id, "Bo", 2, 1, 5), new AnnotatorProgress(cy.Id, "Cy", 2, 1, 5)],
            progress.Annotators);

        var day = DateOnly.FromDateTime(Now);
        Assert.Equal(
            [
                new DailyAnnotations(day.AddDays(-1), ada.Id, "Ada", 1),
                new DailyAnnotations(day, ada.Id, "Ada", 3),
                new DailyAnnotations(day, bo.Id, "Bo", 1),
                new DailyAnnotations(day, cy.Id, "Cy", 2),
            ],
            progress.PerDay);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Get_OddCountsAndNoWork_MedianIsTheMiddleOrNull(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var query = new ProjectProgressQuery(db.Factory, new FixedClock(Now));

        var empty = await query.GetAsync(tenant.Id, tenant.Project.Id);
        Assert.NotNull(empty);
        Assert.Null(empty.MedianSecondsPerTask);
        Assert.Empty(empty.Annotators);
        Assert.Equal(new ItemProgress(1, 0, 0, 0, 1), empty.Items);

        var seed = new Seed(db, tenant.Id, tenant.Project.Id);
        var ada = await AnnotatorAsync(db, tenant.Id, "Ada");
        foreach (var (seconds, n) in new[] { 7, 1, 300 }.Select((s, n) => (s, n)))
        {
            await seed.SubmitAsync(await seed.ItemAsync($"x{n}"), ada, seconds, Now.AddMinutes(-n));
        }

        var progress = await query.GetAsync(tenant.Id, tenant.Project.Id);
        Assert.Equal(7, progress!.MedianSecondsPerTask);
        Assert.Equal(7, Assert.Single(progress.Annotators).MedianSeconds);
        Assert.Equal(new ItemProgress(4, 0, 0, 3, 1), progress.Items);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Get_ProjectOfAnotherOrganisation_IsNull(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = await db.CreateTestTenantAsync("Alpha");
        var b = await db.CreateTestTenantAsync("Beta");
        var query = new ProjectProgressQuery(db.Factory, new FixedClock(Now));

        Assert.Null(await query.GetAsync(a.Id, b.Project.Id));
        Assert.Null(await query.GetAsync(a.Id, Guid.NewGuid()));
    }
}
