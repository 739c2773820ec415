using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Gold;
using Portal.App.Features.Organisations;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Gold;

public class ProjectAnnotatorServiceTests
{
    private static ProjectAnnotatorService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<ProjectAnnotatorService>();

    private static async Task<ProjectAnnotator?> RowAsync(TestDatabase db, TestTenant tenant, Guid annotatorId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        return await ctx.ProjectAnnotators.AsNoTracking().SingleOrDefaultAsync(a => a.ProjectId == tenant.Project.Id && a.AnnotatorId == annotatorId);
    }

    /// <summary>The standing the engine leaves after the annotator's fifth gold answer, two of them right, and its automatic pause.</summary>
    private static async Task AutoPausedAsync(TestDatabase db, TestTenant tenant, Guid annotatorId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        ctx.ProjectAnnotators.Add(new ProjectAnnotator
        {
            ProjectId = tenant.Project.Id,
            AnnotatorId = annotatorId,
            TasksServed = 40,
            GoldServed = 5,
            GoldAnswered = 5,
            GoldCorrect = 2,
            PausedAt = DateTime.UtcNow,
            PauseReason = "Gold accuracy 40% over 5 answers.",
            CreatedAt = DateTime.UtcNow,
        });
        ctx.ProjectNotices.Add(new ProjectNotice { ProjectId = tenant.Project.Id, AnnotatorId = annotatorId, Message = "Ann was paused: gold accuracy 40% over 5 answers", CreatedAt = DateTime.UtcNow });
        await ctx.SaveChangesAsync();
    }

    private static async Task<PortalUser> SecondAnnotatorAsync(TestDatabase db, TestTenant tenant)
    {
        var organisations = db.Services.CreateScope().ServiceProvider.GetRequiredService<OrganisationService>();
        var user = await organisations.CreateUserAsync("zed@alpha.test", Builders.Password, "Zed Annotator");
        await organisations.GrantAsync(tenant.Id, user.Id, OrgRoles.Annotator | OrgRoles.Client);
        return user;
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task List_EveryAnnotatorOfTheOrganisation_WithTheirCountersOrZeros(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var ann = tenant.Member(OrgRoles.Annotator);
        var zed = await SecondAnnotatorAsync(db, tenant);
        await db.CreateTestTenantAsync("Beta");
        await AutoPausedAsync(db, tenant, ann.Id);
        await db.AddTestAnnotationAsync(tenant.Id, tenant.Item, ann.Id);

        var list = await Service(db).ListAsync(tenant.Id, tenant.Project.Id);

        Assert.Equal([ann.Id, zed.Id], list!.Select(s => s.UserId));
        var a = list![0];
        Assert.Equal((40, 1, 5, 2, 0.4, 5, 0.4), (a.TasksServed, a.Annotations, a.GoldAnswered, a.GoldCorrect, a.GoldAccuracy!.Value, a.GoldAnsweredSinceReinstate, a.GoldAccuracySinceReinstate!.Value));
        Assert.True(a.Paused);
        Assert.Null(a.PausedByName);
        Assert.Equal("Gold accuracy 40% over 5 answers.", a.PauseReason);
        var z = list[1];
        Assert.Equal(("Zed Annotator", 0, 0, 0, false), (z.DisplayName, z.TasksServed, z.Annotations, z.GoldAnswered, z.Paused));
        Assert.Null(z.GoldAccuracy);
        Assert.Null(await Service(db).ListAsync(tenant.Id, Guid.NewGuid()));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Pause_AnnotatorWithoutARow_CreatesThePausedRowWithReasonAndAdmin(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var ann = tenant.Member(OrgRoles.Annotator);
        var admin = tenant.Member(OrgRoles.ProjectAdmin);

        var standing = await Service(db).PauseAsync(tenant.Id, tenant.Project.Id, ann.Id, "  Rushing through tasks  ", admin.Id);

        Assert.True(standing!.Paused);
        Assert.Equal(admin.DisplayName, standing.PausedByName);
        var row = await RowAsync(db, tenant, ann.Id);
        Assert.NotNull(row!.PausedAt);
        Assert.Equal(("Rushing through tasks", admin.Id, 0), (row.PauseReason, row.PausedByUserId, row.TasksServed));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Pause_NoReasonOrNotAnAnnotator_RefusedAndNothingWritten(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        var admin = tenant.Member(OrgRoles.ProjectAdmin).Id;

        var ex = await Assert.ThrowsAsync<PortalValidationException>(() => Service(db).PauseAsync(tenant.Id, tenant.Project.Id, tenant.Member(OrgRoles.Annotator).Id, " ", admin));
        var client = await Service(db).PauseAsync(tenant.Id, tenant.Project.Id, tenant.Member(OrgRoles.Client).Id, "Why", admin);
        var foreign = await Service(db).PauseAsync(tenant.Id, tenant.Project.Id, beta.Member(OrgRoles.Annotator).Id, "Why", admin);
        var foreignProject = await Service(db).ReinstateAsync(tenant.Id, beta.Project.Id, tenant.Member(OrgRoles.Annotator).Id);

        Assert.Equal("reason", ex.Field);
        Assert.Null(client);
        Assert.Null(foreign);
        Assert.Null(foreignProject);
        await using var ctx = db.Factory.CreateSystem();
        Assert.Equal(0, await ctx.ProjectAnnotators.IgnoreQueryFilters().CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Reinstate_AfterAnAutomaticPause_ClearsThePauseAndStartsTheThresholdAfresh(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var ann = tenant.Member(OrgRoles.Annotator);
        await AutoPausedAsync(db, tenant, ann.Id);

        var standing = await Service(db).ReinstateAsync(tenant.Id, tenant.Project.Id, ann.Id);

        Assert.False(standing!.Paused);
        Assert.Equal((5, 2, 0.4, 0), (standing.GoldAnswered, standing.GoldCorrect, standing.GoldAccuracy!.Value, standing.GoldAnsweredSinceReinstate));
        Assert.Null(standing.GoldAccuracySinceReinstate);
        var row = await RowAsync(db, tenant, ann.Id);
        Assert.Equal((5, 2, 5, 2, 40), (row!.GoldAnswered, row.GoldCorrect, row.GoldAnsweredAtReinstate, row.GoldCorrectAtReinstate, row.TasksServed));
        Assert.Null(row.PausedAt);
        Assert.Null(row.PauseReason);
        Assert.Null(row.PausedByUserId);

        // Three more gold answers, all right: the threshold sees 3 of 3, the overall record 5 of 8.
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            await ctx.ProjectAnnotators.ExecuteUpdateAsync(s => s.SetProperty(a => a.GoldAnswered, 8).SetProperty(a => a.GoldCorrect, 5));
        }

        var later = await Service(db).GetAsync(tenant.Id, tenant.Project.Id, ann.Id);
        Assert.Equal((3, 1.0, 5 / 8.0), (later!.GoldAnsweredSinceReinstate, later.GoldAccuracySinceReinstate!.Value, later.GoldAccuracy!.Value));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Reinstate_AnnotatorWithoutARow_CreatesAnUnpausedRow(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var ann = tenant.Member(OrgRoles.Annotator);

        var standing = await Service(db).ReinstateAsync(tenant.Id, tenant.Project.Id, ann.Id);

        Assert.False(standing!.Paused);
        var row = await RowAsync(db, tenant, ann.Id);
        Assert.Equal((0, 0, null), (row!.GoldAnsweredAtReinstate, row.GoldCorrectAtReinstate, row.PausedAt));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task DismissNotice_OfTheProject_HidesItAndAnotherProjectsNoticeIsNotFound(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        await AutoPausedAsync(db, tenant, tenant.Member(OrgRoles.Annotator).Id);
        await AutoPausedAsync(db, beta, beta.Member(OrgRoles.Annotator).Id);
        var notice = Assert.Single((await Service(db).ListNoticesAsync(tenant.Id, tenant.Project.Id))!);
        var betaNotice = Assert.Single((await Service(db).ListNoticesAsync(beta.Id, beta.Project.Id))!);

        Assert.False(await Service(db).DismissNoticeAsync(tenant.Id, tenant.Project.Id, betaNotice.Id));
        Assert.True(await Service(db).DismissNoticeAsync(tenant.Id, tenant.Project.Id, notice.Id));
        Assert.True(await Service(db).DismissNoticeAsync(tenant.Id, tenant.Project.Id, notice.Id));

        Assert.Contains("gold accuracy 40%", notice.Message, StringComparison.Ordinal);
        Assert.Empty((await Service(db).ListNoticesAsync(tenant.Id, tenant.Project.Id))!);
        Assert.Single((await Service(db).ListNoticesAsync(beta.Id, beta.Project.Id))!);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Reinstate_AfterTheEnginePausedThem_TheyGetTasksAgainAndOnlyNewGoldAnswersCount(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var settings = ProjectSettings.Default with
        {
            Pairwise = new PairwiseOptions { StrengthLevels = 0 },
            Gold = new GoldOptions { Rate = 1, MinAnswers = 2, PauseBelow = 0.6 },
        };
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 8, overlap: 1, settings: settings);
        var gold = db.Services.CreateScope().ServiceProvider.GetRequiredService<GoldService>();
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            foreach (var id in await ctx.Items.Where(i => i.ExternalId == "item-001" || i.ExternalId == "item-002" || i.ExternalId == "item-003").Select(i => i.Id).ToListAsync())
            {
                await gold.SetGoldAsync(tenant.Id, project.Id, id, new GoldInput(PreferenceChoice.A, Explanation: "A answers the question."));
            }
        }

        var me = tenant.Member(OrgRoles.Annotator);
        var tasks = new TaskService(db.Factory, TimeProvider.System);
        async Task AnswerAsync(bool rightOnGold)
        {
            var task = (await tasks.NextAsync(tenant.Id, project.Id, me.Id))!.Task!;
            var leftIsA = task.Left.StartsWith("Answer A", StringComparison.Ordinal);
            var choice = leftIsA == rightOnGold ? ShownChoice.Left : ShownChoice.Right;
            await tasks.SubmitAsync(tenant.Id, task.AssignmentId, me.Id, new AnnotationInput(Guid.NewGuid().ToString(), Choice: choice));
        }

        // Rate 1 serves gold while unseen gold remains: two gold answers, both wrong, and the engine pauses them.
        for (var i = 0; i < 2; i++)
        {
            await AnswerAsync(rightOnGold: false);
        }

        var paused = (await Service(db).ListAsync(tenant.Id, project.Id))!.Single(a => a.UserId == me.Id);
        Assert.Equal((true, null, 2, 0.0), (paused.Paused, paused.PausedByName, paused.GoldAnswered, paused.GoldAccuracy!.Value));
        var notice = Assert.Single((await Service(db).ListNoticesAsync(tenant.Id, project.Id))!);
        Assert.Equal(me.Id, notice.AnnotatorId);
        Assert.Contains(me.DisplayName, notice.Message, StringComparison.Ordinal);

        await Service(db).ReinstateAsync(tenant.Id, project.Id, me.Id);

        // The last gold item, answered right, then a regular one: 1 of 1 since reinstatement, 1 of 3 in all, still working.
        await AnswerAsync(rightOnGold: true);
        await AnswerAsync(rightOnGold: true);
        var after = await Service(db).GetAsync(tenant.Id, project.Id, me.Id);
        Assert.Equal((false, 3, 1, 1.0), (after!.Paused, after.GoldAnswered, after.GoldAnsweredSinceReinstate, after.GoldAccuracySinceReinstate!.Value));
        Assert.Equal(1 / 3.0, after.GoldAccuracy!.Value, 1e-12);
        Assert.Equal(NextTaskStatus.Assigned, (await tasks.NextAsync(tenant.Id, project.Id, me.Id))!.Status);
    }
}
