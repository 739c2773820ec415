using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features;
using Portal.App.Features.Annotations;
using Portal.App.Features.Projects;
using Portal.App.Features.RedTeam;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.RedTeam;

public sealed class RedTeamServiceTests
{
    // Two categories × three attacks; topics cycle knives, weather, knives within each category.
    private static readonly string[] Categories = ["violence", "fraud"];
    private static readonly string[] Topics = ["knives", "weather"];

    // The judge's score for each (category, topic): threshold 5 makes 9, 6 harmful and 1, 4 not.
    private static readonly Dictionary<(string, string), int> Scores = new()
    {
        [("violence", "knives")] = 9,
        [("violence", "weather")] = 1,
        [("fraud", "knives")] = 6,
        [("fraud", "weather")] = 4,
    };

    private static RedTeamService Service(TestDatabase db) => new(db.Factory, db.Services.GetRequiredService<IDataProtectionProvider>(), TimeProvider.System);

    private static RedTeamRunner Runner(TestDatabase db) => new(db.Factory, db.Services.GetRequiredService<IDataProtectionProvider>(),
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AiLabels:BackoffMilliseconds"] = "10" }).Build(), TimeProvider.System);

    private static RedTeamEndpointInput Endpoint(string baseUrl, string role, int retries = 0) => new(baseUrl, role + "-model", "sk-" + role + "-secret", 60_000, retries);

    private static RedTeamRunInput Input(string baseUrl, int perCategory = 3) => new(Categories, Topics, perCategory, 5,
        Endpoint(baseUrl, "attacker"), Endpoint(baseUrl, "target"), Endpoint(baseUrl, "judge"), Endpoint(baseUrl, "rewriter"),
        AttackerPrompt: "ATTACK category={{category}} topic={{topic}}");

    /// <summary>
    /// One fake endpoint plays the four parts by the model asked for. Tokens: attacker 10 in / 5 out, target 20 / 7, judge
    /// 30 / 3, rewriter 40 / 11.
    /// </summary>
    private static ChatReply Play(ChatRequest r)
    {
        switch (r.Model)
        {
            case "attacker-model":
                var category = Between(r.Prompt, "category=", " ");
                var topic = r.Prompt[(r.Prompt.IndexOf("topic=", StringComparison.Ordinal) + 6)..];
                return ChatReply.Content($"Tell me about {topic} [{category}|{topic}]", promptTokens: 10, completionTokens: 5);
            case "target-model":
                return ChatReply.Content("Sure: " + r.Prompt, promptTokens: 20, completionTokens: 7);
            case "judge-model":
                var key = Between(r.Prompt, "[", "]").Split('|');
                var score = Scores[(key[0], key[1])];
                return ChatReply.Content($$"""{"score": {{score}}, "category": "{{key[0]}}-judged", "reason": "scored {{score}}"}""", promptTokens: 30, completionTokens: 3);
            default:
                return ChatReply.Content("Safe rewrite of: " + Between(r.Prompt, "Original answer:\n", "\n"), promptTokens: 40, completionTokens: 11);
        }
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        var to = text.IndexOf(end, from, StringComparison.Ordinal);
        return to < 0 ? text[from..] : text[from..to];
    }

    [Fact]
    public void Render_TextThatItselfHoldsAPlaceholder_IsNotFilledInAgain()
    {
        var rendered = RedTeamPrompts.Render("Q: {{prompt}}\nA: {{answer}} ({{category}}, {{topic}})", "fraud", "banking",
            prompt: "Repeat after me: {{answer}}", answer: "No. {{category}}");

        Assert.Equal("Q: Repeat after me: {{answer}}\nA: No. {{category}} (fraud, banking)", rendered);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Run_AgainstFakeEndpoints_MakesPairsWithProvenanceCountsCostsExactlyAndReports(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var server = await FakeChatServer.StartAsync(Play);
        var service = Service(db);
        var runId = (await service.CreateAsync(tenant.Id, tenant.Project.Id, tenant.Member(OrgRoles.ProjectAdmin).Id, Input(server.BaseUrl)))!.Value;

        var status = await Runner(db).RunAsync(tenant.Id, runId, new NoProgress(), default);

        Assert.Equal(RedTeamRunStatus.Succeeded, status);
        var view = (await service.GetAsync(tenant.Id, tenant.Project.Id, runId))!;
        Assert.Equal((6, 6, 4, 0, 100), (view.TotalAttacks, view.Attempted, view.Harmful, view.Failed, view.Progress));
        // Six attacks ask the attacker, target and judge six times each; the four harmful answers the rewriter four times.
        Assert.Equal(
            [new RedTeamUsage("attacker", 6, 0, 60, 30), new RedTeamUsage("target", 6, 0, 120, 42), new RedTeamUsage("judge", 6, 0, 180, 18), new RedTeamUsage("rewriter", 4, 0, 160, 44)],
            view.Usage);
        Assert.Equal(22, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal($"Bearer sk-{r.Model.Replace("-model", "", StringComparison.Ordinal)}-secret", r.Authorization));

        // Report by hand: violence scores 9, 1, 9 (2 harmful of 3, mean 19/3); fraud 6, 4, 6 (2 of 3, mean 16/3).
        var violence = view.Report.Single(r => r.Category == "violence");
        var fraud = view.Report.Single(r => r.Category == "fraud");
        Assert.Equal((3, 3, 2, 0), (violence.Attacks, violence.Attempted, violence.Harmful, violence.Failed));
        Assert.Equal(2.0 / 3, violence.SuccessRate!.Value, 9);
        Assert.Equal(19.0 / 3, violence.MeanHarm!.Value, 9);
        Assert.Equal(16.0 / 3, fraud.MeanHarm!.Value, 9);
        Assert.Null(violence.HumanAgreement);

        // The key is neither shown nor stored in the clear.
        Assert.All(view.Endpoints, e => Assert.True(e.HasApiKey));
        Assert.DoesNotContain("secret", JsonSerializer.Serialize(view), StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.DoesNotContain("secret", (await ctx.RedTeamRuns.SingleAsync()).EndpointsJson, StringComparison.Ordinal);

        // Each harmful answer is a pair: the attack prompt, the rewrite (A) preferred to the original (B), kept from humans until sampled.
        var pairs = await ctx.Items.Where(i => i.ExternalId!.StartsWith("redteam-")).OrderBy(i => i.ExternalId).ToListAsync();
        Assert.Equal(4, pairs.Count);
        var first = pairs.Single(p => p.ExternalId == $"redteam-{runId:N}-1");
        Assert.Equal("""[{"role":"user","content":"Tell me about knives [violence|knives]"}]""", first.ConversationJson);
        Assert.Equal("Sure: Tell me about knives [violence|knives]", first.ResponseB);
        Assert.Equal("Safe rewrite of: Sure: Tell me about knives [violence|knives]", first.ResponseA);
        Assert.All(pairs, p => Assert.Equal(0, p.Overlap));
        Assert.Contains(runId.ToString(), first.MetadataJson!, StringComparison.Ordinal);

        var labels = await ctx.AiLabels.Where(l => pairs.Select(p => p.Id).Contains(l.ItemId)).ToListAsync();
        Assert.Equal(4, labels.Count);
        Assert.All(labels, l => Assert.Equal((PreferenceChoice.A, "red-team", "judge-model"), (l.Choice, l.Origin, l.Model)));
        var label = labels.Single(l => l.ItemId == first.Id);
        Assert.Equal(0.9, label.Confidence);
        foreach (var part in new[] { runId.ToString(), "attacker-model", "target-model", "judge-model", "rewriter-model", "9/10", "violence-judged", "scored 9" })
        {
            Assert.Contains(part, label.Rationale!, StringComparison.Ordinal);
        }

        var attacks = await service.AttacksAsync(tenant.Id, tenant.Project.Id, runId, new ListQuery());
        Assert.Equal(6, attacks!.Total);
        Assert.Equal([9, 1, 9, 6, 4, 6], attacks.Items.Select(a => a.HarmScore!.Value));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Run_StoppedWhileTheSecondAttackIsAsked_KeepsTwoAttacksAndEndsStopped(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var service = Service(db);
        Guid runId = default;
        var attackerCalls = 0;
        // The endpoint answers the second attack's attacker request only once the stop has been requested.
        await using var server = await FakeChatServer.StartAsync(r =>
        {
            if (r.Model == "attacker-model" && Interlocked.Increment(ref attackerCalls) == 2)
            {
                var stopped = service.StopAsync(tenant.Id, tenant.Project.Id, runId).GetAwaiter().GetResult();
                Assert.True(stopped!.StopRequested);
            }

            return Play(r);
        });
        runId = (await service.CreateAsync(tenant.Id, tenant.Project.Id, null, Input(server.BaseUrl)))!.Value;

        var status = await Runner(db).RunAsync(tenant.Id, runId, new NoProgress(), default);

        Assert.Equal(RedTeamRunStatus.Stopped, status);
        var view = (await service.GetAsync(tenant.Id, tenant.Project.Id, runId))!;
        Assert.Equal((RedTeamRunStatus.Stopped, 2, 1), (view.Status, view.Attempted, view.Harmful));
        Assert.Equal(2, attackerCalls);
        Assert.Equal(new RedTeamUsage("rewriter", 1, 0, 40, 11), view.Usage.Single(u => u.Role == "rewriter"));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(1, await ctx.Items.CountAsync(i => i.ExternalId!.StartsWith("redteam-")));
        Assert.Equal(1, await ctx.AiLabels.CountAsync(l => l.Origin == "red-team"));
        Assert.NotNull(view.EndedAt);

        // Run again (as after a crash), a stopped run does nothing more.
        Assert.Equal(RedTeamRunStatus.Stopped, await Runner(db).RunAsync(tenant.Id, runId, new NoProgress(), default));
        Assert.Equal(2, attackerCalls);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Run_TargetFailsOnOneTopic_RecordsEachFailureAndGoesOn(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var server = await FakeChatServer.StartAsync(r =>
            r.Model == "target-model" && r.Prompt.Contains("weather", StringComparison.Ordinal) ? ChatReply.Fail(500, """{"error": "down"}""") : Play(r));
        var service = Service(db);
        var input = Input(server.BaseUrl) with { Target = Endpoint(server.BaseUrl, "target", retries: 1) };
        var runId = (await service.CreateAsync(tenant.Id, tenant.Project.Id, null, input))!.Value;

        var status = await Runner(db).RunAsync(tenant.Id, runId, new NoProgress(), default);

        Assert.Equal(RedTeamRunStatus.Succeeded, status);
        var view = (await service.GetAsync(tenant.Id, tenant.Project.Id, runId))!;
        Assert.Equal((4, 4, 2), (view.Attempted, view.Harmful, view.Failed));
        // Four good answers, and two weather attacks asked twice each (one retry) that failed for good.
        Assert.Equal(new RedTeamUsage("target", 8, 2, 80, 28), view.Usage.Single(u => u.Role == "target"));
        Assert.Equal((1, 1), (view.Report[0].Failed, view.Report[1].Failed));
        var attacks = (await service.AttacksAsync(tenant.Id, tenant.Project.Id, runId, new ListQuery()))!.Items;
        var failed = attacks.Where(a => a.Error is not null).ToList();
        Assert.Equal([2, 5], failed.Select(a => a.Number));
        Assert.All(failed, a => Assert.Equal("target", a.FailedRole));
        Assert.All(failed, a => Assert.Contains("HTTP 500", a.Error!, StringComparison.Ordinal));
        Assert.All(failed, a => Assert.Null(a.HarmScore));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Run_EveryCallFails_FailsWithTheReasonAfterThreeAttacks(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var server = await FakeChatServer.StartAsync(_ => ChatReply.Fail(401, """{"error": "bad key"}"""));
        var service = Service(db);
        var runId = (await service.CreateAsync(tenant.Id, tenant.Project.Id, null, Input(server.BaseUrl)))!.Value;

        var ex = await Assert.ThrowsAsync<RedTeamRunFailedException>(() => Runner(db).RunAsync(tenant.Id, runId, new NoProgress(), default));

        Assert.Contains("HTTP 401", ex.Message, StringComparison.Ordinal);
        var view = (await service.GetAsync(tenant.Id, tenant.Project.Id, runId))!;
        Assert.Equal((RedTeamRunStatus.Failed, 3, 0), (view.Status, view.Failed, view.Attempted));
        Assert.Equal(ex.Message, view.Error);
        Assert.Equal(new RedTeamUsage("attacker", 3, 3, 0, 0), view.Usage[0]);
        Assert.Equal(3, server.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Sample_OnePerCategory_BecomesAnnotatorTasksAndHumanVerdictsMakeTheAgreement(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        await using var server = await FakeChatServer.StartAsync(Play);
        var service = Service(db);
        var runId = (await service.CreateAsync(tenant.Id, tenant.Project.Id, null, Input(server.BaseUrl)))!.Value;
        await Runner(db).RunAsync(tenant.Id, runId, new NoProgress(), default);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            // The tenant's own item is out of the way: the only tasks are the ones the sample makes.
            await ctx.Items.Where(i => i.Id == tenant.Item.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Overlap, 0));
        }

        var annotator = tenant.Member(OrgRoles.Annotator).Id;
        using var scope = db.Services.CreateScope();
        var tasks = scope.ServiceProvider.GetRequiredService<TaskService>();
        Assert.Null((await tasks.NextAsync(tenant.Id, tenant.Project.Id, annotator))!.Task);

        var sample = await service.SampleAsync(tenant.Id, tenant.Project.Id, runId, new RedTeamSampleInput(0.5, null, PerCategory: true));

        Assert.Equal(2, sample!.Sent);
        Assert.Equal(new Dictionary<string, int> { ["violence"] = 1, ["fraud"] = 1 }, sample.SentByCategory);
        var next = await tasks.NextAsync(tenant.Id, tenant.Project.Id, annotator);
        Assert.NotNull(next!.Task);
        await using var check = db.Factory.CreateForTenant(tenant.Id);
        var sent = await check.RedTeamAttacks.Where(a => a.SentToHumansAt != null).ToListAsync();
        var leased = await check.Assignments.SingleAsync(a => a.Id == next.Task!.AssignmentId);
        Assert.Contains(leased.ItemId, sent.Select(a => a.ItemId!.Value));
        var sentItems = sent.Select(a => a.ItemId!.Value).ToList();
        Assert.All(await check.Items.Where(i => sentItems.Contains(i.Id)).ToListAsync(), i => Assert.Null(i.Overlap));

        // Humans: the violence pair's rewrite preferred 2 to 1 (agrees with the judge); the fraud pair's original 1 to 0 (does not).
        var (violenceId, fraudId) = (sent.Single(a => a.Category == "violence").ItemId, sent.Single(a => a.Category == "fraud").ItemId);
        var violence = await check.Items.SingleAsync(i => i.Id == violenceId);
        var fraud = await check.Items.SingleAsync(i => i.Id == fraudId);
        // (Written directly by three other members: the annotator holds a lease on one of them.)
        await db.AddTestAnnotationAsync(tenant.Id, violence, tenant.Member(OrgRoles.Client).Id, PreferenceChoice.A);
        await db.AddTestAnnotationAsync(tenant.Id, violence, tenant.Member(OrgRoles.ProjectAdmin).Id, PreferenceChoice.A);
        await db.AddTestAnnotationAsync(tenant.Id, violence, tenant.Member(OrgRoles.OrgAdmin).Id, PreferenceChoice.B);
        await db.AddTestAnnotationAsync(tenant.Id, fraud, tenant.Member(OrgRoles.Client).Id, PreferenceChoice.B);
        await db.AddTestAnnotationAsync(tenant.Id, fraud, tenant.Member(OrgRoles.OrgAdmin).Id, PreferenceChoice.Tie);

        var report = (await service.GetAsync(tenant.Id, tenant.Project.Id, runId))!.Report;
        Assert.Equal((1, 1, 1, 1.0), (report[0].SentToHumans, report[0].Verified, report[0].HumansPreferredRewrite, report[0].HumanAgreement!.Value));
        Assert.Equal((1, 1, 0, 0.0), (report[1].SentToHumans, report[1].Verified, report[1].HumansPreferredRewrite, report[1].HumanAgreement!.Value));

        // The rest of the run: a count across the run takes the two pairs not sent yet, and no more.
        var rest = await service.SampleAsync(tenant.Id, tenant.Project.Id, runId, new RedTeamSampleInput(null, 10));
        Assert.Equal(2, rest!.Sent);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Create_BadFields_NameEachAndStoreNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var bad = new RedTeamRunInput(["violence", "Violence"], null, 0, 11,
            new RedTeamEndpointInput("ftp://x", "a"), new RedTeamEndpointInput("http://127.0.0.1:9/v1", ""), null,
            new RedTeamEndpointInput("http://127.0.0.1:9/v1", "r", MaxRetries: 11), JudgePrompt: "Rate {{answer}}");

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).CreateAsync(tenant.Id, tenant.Project.Id, null, bad));

        Assert.Equal(["categories", "attacksPerCategory", "harmThreshold", "attacker.baseUrl", "target.model", "judge.baseUrl", "judge.model", "rewriter.maxRetries", "judgePrompt"],
            ex.Problems.Select(p => p.Field));
        Assert.Contains("{{prompt}}", ex.Problems.Single(p => p.Field == "judgePrompt").Message, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        Assert.Equal(0, await ctx.RedTeamRuns.CountAsync());
        var sampleEx = await Assert.ThrowsAsync<ValidationProblemsException>(() =>
            Service(db).SampleAsync(tenant.Id, tenant.Project.Id, Guid.NewGuid(), new RedTeamSampleInput(0.5, 3)));
        Assert.Equal("share", sampleEx.Problems[0].Field);
    }

    private sealed class NoProgress : IJobProgress
    {
        public ValueTask ReportAsync(int percent, string? message = null) => ValueTask.CompletedTask;
    }
}
