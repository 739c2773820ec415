using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Organisations;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Annotations;

/// <summary>
/// The assignment engine under many annotators at once (docs/decisions/0006): on PostgreSQL the claim skips rows other
/// claims hold, and still no item goes over its overlap, nobody rates an item twice, and no answer is lost.
/// </summary>
public class AssignmentEngineTests
{
    private static readonly ProjectSettings PlainPairs = ProjectSettings.Default with
    {
        Gold = new GoldOptions { Rate = 0 },
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
    };

    public static TheoryData<TestProvider> Postgres => [TestProvider.Postgres];

    [Theory]
    [MemberData(nameof(Postgres))]
    [SqlServerData]
    public async Task NextAndSubmit_500AnnotatorsAtOnce_NoErrorNoLostAnswerNoItemOverItsOverlap(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Crowd");
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 60, overlap: 3, settings: PlainPairs);
        var annotators = await ManyAnnotatorsAsync(db, tenant.Id, 500);
        var stored = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var crowd = annotators.Select(a => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                while (await tasks.NextAsync(tenant.Id, project.Id, a) is { Status: NextTaskStatus.Assigned, Task: { } task })
                {
                    var answer = await tasks.SubmitAsync(tenant.Id, task.AssignmentId, a, new AnnotationInput(Guid.NewGuid().ToString("N"), Choice: ShownChoice.Left));
                    stored.Add(answer.AnnotationId);
                }
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(crowd);

        Assert.Empty(errors.Select(e => e.ToString()));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var perItem = await ctx.Items.Where(i => i.ProjectId == project.Id)
            .Select(i => new { i.Claimed, Annotations = ctx.Annotations.Count(x => x.ItemId == i.Id) })
            .ToListAsync();
        Assert.All(perItem, i => Assert.Equal((3, 3), (i.Annotations, i.Claimed)));
        Assert.Equal(180, stored.Count);
        var found = await ctx.Annotations.Where(a => a.ProjectId == project.Id).Select(a => a.Id).ToListAsync();
        Assert.Equal(stored.Order(), found.Order());
        Assert.Equal(180, await ctx.Annotations.Where(a => a.ProjectId == project.Id).Select(a => new { a.ItemId, a.AnnotatorId }).Distinct().CountAsync());
        Assert.Equal(0, await ctx.Assignments.CountAsync(a => a.ProjectId == project.Id && a.Status == AssignmentStatus.Leased));
    }

    [Theory]
    [MemberData(nameof(Postgres))]
    [SqlServerData]
    public async Task Next_ClaimsRacingForOneLastPlace_OnlyOneGetsIt(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Race");
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3, overlap: 2, settings: PlainPairs);
        var annotators = await ManyAnnotatorsAsync(db, tenant.Id, 40);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var racing = annotators.Select(a => Task.Run(async () =>
        {
            await start.Task;
            return (await tasks.NextAsync(tenant.Id, project.Id, a))!.Status;
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(racing);

        // Three items of overlap two: six leases among 40 annotators, the rest are told nothing is left.
        Assert.Equal(6, results.Count(r => r == NextTaskStatus.Assigned));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal([2, 2, 2], await ctx.Items.Where(i => i.ProjectId == project.Id).Select(i => i.Claimed).ToListAsync());
        Assert.Equal([2, 2, 2], (await ctx.Assignments.Where(a => a.ProjectId == project.Id).GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync()));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_OneAnnotatorThroughAProject_TakesItemsInPriorityOrder(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Order");
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 8, overlap: 1, settings: PlainPairs);
        int[] priorities = [3, 0, 7, 5, 1, 7, 2, 4];
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var items = await ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).ToListAsync();
            for (var i = 0; i < items.Count; i++)
            {
                items[i].Priority = priorities[i];
            }

            await ctx.SaveChangesAsync();
        }

        var me = tenant.Member(OrgRoles.Annotator).Id;
        var served = new List<int>();
        while (await tasks.NextAsync(tenant.Id, project.Id, me) is { Status: NextTaskStatus.Assigned, Task: { } task })
        {
            await using var ctx = db.Factory.CreateForTenant(tenant.Id);
            served.Add(await ctx.Assignments.Where(a => a.Id == task.AssignmentId)
                .Select(a => ctx.Items.Where(i => i.Id == a.ItemId).Select(i => i.Priority).First()).SingleAsync());
            await tasks.SubmitAsync(tenant.Id, task.AssignmentId, me, new AnnotationInput(Guid.NewGuid().ToString("N"), Choice: ShownChoice.Right));
        }

        Assert.Equal([7, 7, 5, 4, 3, 2, 1, 0], served);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_ChosenOnlyProjectOrPausedProject_ClaimsNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Gates");
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 2, overlap: 1, settings: PlainPairs);
        var me = tenant.Member(OrgRoles.Annotator).Id;
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);

        await ctx.Projects.Where(p => p.Id == project.Id).ExecuteUpdateAsync(x => x.SetProperty(p => p.ChosenAnnotatorsOnly, true));
        Assert.Equal(NextTaskStatus.NotChosen, (await tasks.NextAsync(tenant.Id, project.Id, me))!.Status);
        await ctx.Projects.Where(p => p.Id == project.Id).ExecuteUpdateAsync(x => x
            .SetProperty(p => p.ChosenAnnotatorsOnly, false).SetProperty(p => p.PausedAt, DateTime.UtcNow));
        Assert.Equal(NextTaskStatus.ProjectPaused, (await tasks.NextAsync(tenant.Id, project.Id, me))!.Status);

        Assert.Equal([0, 0], await ctx.Items.Where(i => i.ProjectId == project.Id).Select(i => i.Claimed).ToListAsync());
        Assert.Equal(0, await ctx.Assignments.CountAsync());
    }

    /// <summary>Annotators written directly (no password to hash for each of hundreds); the engine reads only their ids.</summary>
    private static async Task<IReadOnlyList<Guid>> ManyAnnotatorsAsync(TestDatabase db, Guid tenantId, int count)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var email = $"crowd{i}-{Guid.NewGuid():N}@tasks.test";
            var user = new PortalUser
            {
                UserName = email,
                NormalizedUserName = email.ToUpperInvariant(),
                Email = email,
                NormalizedEmail = email.ToUpperInvariant(),
                SecurityStamp = Guid.NewGuid().ToString("N"),
                DisplayName = $"Crowd {i}",
                CreatedAt = DateTime.UtcNow,
            };
            ctx.Users.Add(user);
            ctx.Memberships.Add(new Membership { UserId = user.Id, Roles = OrgRoles.Annotator, CreatedAt = DateTime.UtcNow });
            ids.Add(user.Id);
        }

        await ctx.SaveChangesAsync();
        return ids;
    }
}
