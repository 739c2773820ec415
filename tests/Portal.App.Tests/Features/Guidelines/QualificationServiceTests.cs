using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Guidelines;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Guidelines;

public class QualificationServiceTests
{
    private static readonly ProjectSettings PlainPairs = ProjectSettings.Default with
    {
        Pairwise = new PairwiseOptions { StrengthLevels = 0 },
        Gold = new GoldOptions { Rate = 0 },
    };

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private sealed record Setup(TestDatabase Db, TestTenant Tenant, ManualClock Clock, TaskService Tasks, GuidelineService Guidelines,
        QualificationService Qualification, Project Project, List<Item> Gold) : IAsyncDisposable
    {
        public Guid Annotator => Tenant.Member(OrgRoles.Annotator).Id;

        public ValueTask DisposeAsync() => Db.DisposeAsync();

        /// <summary>
        /// Answers the test as the sheet shows it: the first <paramref name="right"/> questions with the side showing
        /// response A (the gold choice), the rest with the other side. With no questions to show (passed, cooling down,
        /// no tries left) it answers every item "left", for the service to refuse.
        /// </summary>
        public async Task<QualificationResult?> TakeAsync(int right, Guid? annotator = null)
        {
            var who = annotator ?? Annotator;
            var sheet = await Qualification.SheetAsync(Tenant.Id, Project.Id, who);
            if (sheet!.Items.Count == 0)
            {
                return await Qualification.SubmitAsync(Tenant.Id, Project.Id, who, [.. Gold.Select(g => new QualificationAnswer(g.Id, ShownChoice.Left))]);
            }

            return await Qualification.SubmitAsync(Tenant.Id, Project.Id, who, [.. sheet.Items.Select((item, i) =>
            {
                var leftIsA = item.Left == Gold.Single(g => g.Id == item.ItemId).ResponseA;
                return new QualificationAnswer(item.ItemId, (i < right) == leftIsA ? ShownChoice.Left : ShownChoice.Right);
            })], sheet.Attempt);
        }
    }

    /// <summary>A pairwise project of 8 items, the last 4 gold (A is right), and a test of those 4.</summary>
    private static async Task<Setup> SetUpAsync(TestProvider provider, double passMark = 0.75, int tries = 2, int cooldown = 30)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Qualify");
        var clock = new ManualClock();
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 8, settings: PlainPairs);
        List<Item> gold;
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            gold = await ctx.Items.Where(i => i.ProjectId == project.Id).OrderBy(i => i.ExternalId).Skip(4).ToListAsync();
            foreach (var item in gold)
            {
                item.IsGold = true;
                item.Gold = new GoldAnswer { Choice = PreferenceChoice.A, Explanation = $"A answers {item.ExternalId}." };
            }

            await ctx.SaveChangesAsync();
        }

        var qualification = new QualificationService(db.Factory, clock);
        await qualification.SetTestAsync(tenant.Id, project.Id, new QualificationTestInput([.. gold.Select(g => g.Id)], passMark, tries, cooldown));
        return new Setup(db, tenant, clock, new TaskService(db.Factory, clock), new GuidelineService(db.Factory, clock), qualification, project, gold);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Next_NewAnnotator_NeedsToPassFirstAndPassingKeepsEveryAnswer(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);

        var blocked = await s.Tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotator);
        Assert.Equal(NextTaskStatus.NeedsQualification, blocked!.Status);
        Assert.Contains("2 tries left", blocked.Message, StringComparison.Ordinal);

        var sheet = await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, s.Annotator);
        Assert.Equal(s.Gold.Select(g => g.Id).Order(), sheet!.Items.Select(i => i.ItemId).Order());

        var result = await s.TakeAsync(right: 3);
        Assert.True(result!.Passed);
        Assert.Equal((3, 4, 0.75), (result.Correct, result.Total, result.PassMark));
        Assert.Equal([true, true, true, false], result.Items.Select(i => i.Correct));
        Assert.Equal(NextTaskStatus.Assigned, (await s.Tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!.Status);

        await using var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        var attempt = await ctx.QualificationAttempts.SingleAsync();
        var answers = JsonSerializer.Deserialize<List<QualificationAnswerRecord>>(attempt.AnswersJson, Options)!;
        Assert.Equal(sheet.Items.Select(i => i.ItemId), answers.Select(a => a.ItemId));
        Assert.Equal([PreferenceChoice.A, PreferenceChoice.A, PreferenceChoice.A, PreferenceChoice.B], answers.Select(a => a.Choice!.Value));
        var again = await Assert.ThrowsAsync<PortalValidationException>(() => s.TakeAsync(right: 4));
        Assert.Contains("already passed", again.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Submit_FailedTries_CoolDownThenNoTriesLeftUntilAnAdminResets(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, tries: 2, cooldown: 30);

        var failed = await s.TakeAsync(right: 2);
        Assert.False(failed!.Passed);
        Assert.Equal(1, failed.Status.AttemptsLeft);
        Assert.Equal(s.Clock.GetUtcNow().UtcDateTime.AddMinutes(30), failed.Status.NextAttemptAt);

        var cooling = await Assert.ThrowsAsync<PortalValidationException>(() => s.TakeAsync(right: 4));
        Assert.Contains("next try opens", cooling.Message, StringComparison.Ordinal);
        s.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.False((await s.TakeAsync(right: 0))!.Passed);

        s.Clock.Advance(TimeSpan.FromDays(1));
        var exhausted = await Assert.ThrowsAsync<PortalValidationException>(() => s.TakeAsync(right: 4));
        Assert.Contains("used all 2 tries", exhausted.Message, StringComparison.Ordinal);
        Assert.Equal(NextTaskStatus.NeedsQualification, (await s.Tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!.Status);

        Assert.True(await s.Qualification.ResetAttemptsAsync(s.Tenant.Id, s.Project.Id, s.Annotator));
        Assert.True((await s.TakeAsync(right: 4))!.Passed);
        var attempts = await s.Qualification.AttemptsAsync(s.Tenant.Id, s.Project.Id);
        Assert.Equal([true, false, false], attempts!.Select(a => a.Passed));
        Assert.Equal([false, true, true], attempts!.Select(a => a.Voided));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Publish_MajorChange_RequiresQualifyingAgainButAMinorOneDoesNot(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider, cooldown: 0);
        var admin = s.Tenant.Member(OrgRoles.ProjectAdmin).Id;
        await s.Guidelines.PublishAsync(s.Tenant.Id, s.Project.Id, admin, new PublishGuidelineInput("# v1", "first", GuidelineChange.Major));
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 1);
        Assert.True((await s.TakeAsync(right: 4))!.Passed);

        await s.Guidelines.PublishAsync(s.Tenant.Id, s.Project.Id, admin, new PublishGuidelineInput("# v2", "typo", GuidelineChange.Minor));
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 2);
        var working = await s.Tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotator);
        Assert.Equal(NextTaskStatus.Assigned, working!.Status);

        // Finished, so the next request asks for a new task (a task still held would come back first).
        await s.Tasks.SubmitAsync(s.Tenant.Id, working.Task!.AssignmentId, s.Annotator, new AnnotationInput("v2", Choice: ShownChoice.Left));

        await s.Guidelines.PublishAsync(s.Tenant.Id, s.Project.Id, admin, new PublishGuidelineInput("# v3", "new rules", GuidelineChange.Major));
        Assert.Equal(NextTaskStatus.NeedsAcknowledgement, (await s.Tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!.Status);
        await s.Guidelines.AcknowledgeAsync(s.Tenant.Id, s.Project.Id, s.Annotator, 3);
        var requalify = await s.Tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotator);
        Assert.Equal(NextTaskStatus.NeedsQualification, requalify!.Status);
        Assert.Contains("Version 3", requalify.Message, StringComparison.Ordinal);
        Assert.Contains("2 tries left", requalify.Message, StringComparison.Ordinal);

        Assert.True((await s.TakeAsync(right: 3))!.Passed);
        Assert.Equal(NextTaskStatus.Assigned, (await s.Tasks.NextAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!.Status);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task SetTest_NotGoldForeignOrOutOfRange_NamesEachFieldAndKeepsTheOldTest(TestProvider provider)
    {
        await using var s = await SetUpAsync(provider);
        var other = await s.Db.CreateTestTenantAsync("Other");
        Guid plain;
        await using (var ctx = s.Db.Factory.CreateForTenant(s.Tenant.Id))
        {
            plain = await ctx.Items.Where(i => i.ProjectId == s.Project.Id && !i.IsGold).Select(i => i.Id).FirstAsync();
        }

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => s.Qualification.SetTestAsync(s.Tenant.Id, s.Project.Id,
            new QualificationTestInput([s.Gold[0].Id, plain, other.Item.Id], PassMark: 1.5, MaxAttempts: -1, CooldownMinutes: 99999)));
        var first = (await s.Qualification.SheetAsync(s.Tenant.Id, s.Project.Id, s.Annotator))!.Items[0];
        var unanswered = await Assert.ThrowsAsync<PortalValidationException>(() => s.Qualification.SubmitAsync(s.Tenant.Id, s.Project.Id, s.Annotator,
            [new QualificationAnswer(first.ItemId, ShownChoice.Left)]));

        Assert.Equal(["itemIds[1]", "itemIds[2]", "passMark", "maxAttempts", "cooldownMinutes"], ex.Problems.Select(p => p.Field));
        Assert.Equal("answers[1]", unanswered.Field);
        var (_, test) = await s.Qualification.GetTestAsync(s.Tenant.Id, s.Project.Id);
        Assert.Equal(s.Gold.Select(g => g.Id), test!.ItemIds);
        Assert.Null(await s.Qualification.SetTestAsync(other.Id, s.Project.Id, new QualificationTestInput([s.Gold[0].Id])));
        await using var check = s.Db.Factory.CreateForTenant(s.Tenant.Id);
        Assert.Equal(0, await check.QualificationAttempts.CountAsync());
    }
}
