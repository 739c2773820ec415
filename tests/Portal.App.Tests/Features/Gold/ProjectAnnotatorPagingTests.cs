using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features;
using Portal.App.Features.Gold;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Gold;

public class ProjectAnnotatorPagingTests
{
    private static ProjectAnnotatorService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<ProjectAnnotatorService>();

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Page_MoreAnnotatorsThanAPage_ReadsOnePageSortedAndSearchedInTheDatabase(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        var readers = await db.AddMembersAsync(alpha.Id, 30, "Reader");
        await db.AddMembersAsync(alpha.Id, 3, "Client", OrgRoles.Client);
        await using (var ctx = db.Factory.CreateForTenant(alpha.Id))
        {
            ctx.ProjectAnnotators.Add(new ProjectAnnotator
            {
                ProjectId = alpha.Project.Id,
                AnnotatorId = readers[4].Id,
                TasksServed = 9,
                GoldAnswered = 4,
                GoldCorrect = 1,
                PausedAt = DateTime.UtcNow,
                PauseReason = "Too fast.",
                CreatedAt = DateTime.UtcNow,
            });
            await ctx.SaveChangesAsync();
        }

        var service = Service(db);

        var page2 = await service.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Skip: 10, Take: 10));
        var busiest = await service.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Take: 2, SortBy: nameof(AnnotatorStanding.TasksServed), Descending: true));
        var search = await service.PageAsync(alpha.Id, alpha.Project.Id, new ListQuery(Search: "READER 2"));
        var otherTenants = await service.PageAsync(alpha.Id, beta.Project.Id, new ListQuery());

        // The builder's "Annotator of Alpha" sorts first; clients are not annotators.
        Assert.Equal(31, page2!.Total);
        Assert.Equal(Enumerable.Range(10, 10).Select(n => $"Reader {n:00}"), page2.Items.Select(a => a.DisplayName));
        var top = busiest!.Items[0];
        Assert.Equal(("Reader 05", 9, true, 0.25), (top.DisplayName, top.TasksServed, top.Paused, top.GoldAccuracy!.Value));
        Assert.Equal(Enumerable.Range(20, 10).Select(n => $"Reader {n:00}"), search!.Items.Select(a => a.DisplayName));
        Assert.Equal(10, search.Total);
        Assert.Null(otherTenants);
    }
}
