using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Gold;
using Portal.App.Features.Projects;
using Portal.Core.Aggregation;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Gold;

/// <summary>Marking and unmarking many items at once: answers from the consensus or the AI label, all or nothing.</summary>
public class BulkGoldTests
{
    private static GoldService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<GoldService>();

    private static async Task<List<Item>> ItemsAsync(TestDatabase db, Guid tenantId, Guid projectId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        return await ctx.Items.AsNoTracking().Where(i => i.ProjectId == projectId).OrderBy(i => i.ExternalId).ToListAsync();
    }

    private static async Task LabelAsync(TestDatabase db, Guid tenantId, Guid projectId, Guid itemId, PreferenceChoice choice, string? scoresJson = null)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        ctx.CuratedLabels.Add(new CuratedLabel
        {
            ProjectId = projectId,
            ItemId = itemId,
            Method = "majority",
            Choice = scoresJson is null ? choice : null,
            ScoresJson = scoresJson,
            Ratings = 3,
            Agreement = 1,
            ComputedAt = DateTime.UtcNow,
        });
        await ctx.SaveChangesAsync();
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Mark_FromConsensus_EveryItemGetsTheCuratedChoiceAndAnExplanation(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Bulk");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3);
        var items = await ItemsAsync(db, tenant.Id, project.Id);
        await LabelAsync(db, tenant.Id, project.Id, items[0].Id, PreferenceChoice.A);
        await LabelAsync(db, tenant.Id, project.Id, items[1].Id, PreferenceChoice.B);

        var result = await Service(db).BulkAsync(tenant.Id, project.Id, new BulkGoldInput(BulkGoldAction.Mark, [items[0].Id, items[1].Id]));

        Assert.Equal(new BulkGoldResult(2, 0), result);
        var after = await ItemsAsync(db, tenant.Id, project.Id);
        Assert.Equal([true, true, false], after.Select(i => i.IsGold));
        Assert.Equal([PreferenceChoice.A, PreferenceChoice.B], after.Take(2).Select(i => i.Gold!.Choice!.Value));
        Assert.Equal("The annotators' consensus: B is better (majority of 3 ratings, 100% agree).", after[1].Gold!.Explanation);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Mark_OneItemWithoutConsensus_NamesItAndChangesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Bulk");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3);
        var items = await ItemsAsync(db, tenant.Id, project.Id);
        await LabelAsync(db, tenant.Id, project.Id, items[0].Id, PreferenceChoice.A);
        var foreign = await db.CreateTestTenantAsync("Other");

        var refused = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).BulkAsync(tenant.Id, project.Id,
            new BulkGoldInput(BulkGoldAction.Mark, [items[0].Id, items[1].Id, foreign.Item.Id])));

        Assert.Equal(["itemIds[1]", "itemIds[2]"], refused.Problems.Select(p => p.Field));
        Assert.StartsWith("item-002 has no consensus yet", refused.Problems[0].Message, StringComparison.Ordinal);
        Assert.All(await ItemsAsync(db, tenant.Id, project.Id), i => Assert.False(i.IsGold));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Mark_FromAiLabelsWithExplanation_UsesTheLabelsAndKeepsExistingGold(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Bulk");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 2);
        var items = await ItemsAsync(db, tenant.Id, project.Id);
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            ctx.AiLabels.Add(new AiLabel { ProjectId = project.Id, ItemId = items[0].Id, Choice = PreferenceChoice.B, Model = "judge", CreatedAt = DateTime.UtcNow });
            await ctx.SaveChangesAsync();
        }

        await Service(db).SetGoldAsync(tenant.Id, project.Id, items[1].Id, new GoldInput(PreferenceChoice.A, Explanation: "By hand."));

        var result = await Service(db).BulkAsync(tenant.Id, project.Id,
            new BulkGoldInput(BulkGoldAction.Mark, [items[0].Id, items[1].Id], BulkGoldSource.AiLabel, "Checked by the team."));

        Assert.Equal(new BulkGoldResult(1, 1), result);
        var after = await ItemsAsync(db, tenant.Id, project.Id);
        Assert.Equal((PreferenceChoice.B, "Checked by the team."), (after[0].Gold!.Choice!.Value, after[0].Gold!.Explanation));
        Assert.Equal((PreferenceChoice.A, "By hand."), (after[1].Gold!.Choice!.Value, after[1].Gold!.Explanation));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Mark_LikertFromConsensus_RoundsTheCentres(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Bulk");
        var settings = ProjectSettings.Default with { Attributes = [.. AttributeDefinition.Defaults.Take(1)] };
        var project = await db.CreateTaskProjectAsync(tenant.Id, ProjectKind.Likert, items: 1, settings: settings);
        var item = (await ItemsAsync(db, tenant.Id, project.Id))[0];
        var key = settings.Attributes[0].Key;
        await LabelAsync(db, tenant.Id, project.Id, item.Id, default, "{\"A\":{\"" + key + "\":{\"centre\":4.5,\"mean\":4.5,\"median\":4.5,\"spread\":0.5,\"count\":2}}}");

        await Service(db).BulkAsync(tenant.Id, project.Id, new BulkGoldInput(BulkGoldAction.Mark, [item.Id]));

        var gold = (await ItemsAsync(db, tenant.Id, project.Id))[0].Gold!;
        Assert.Equal(5, gold.Scores![key]);
        Assert.Null(gold.Choice);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Unmark_GoldItemsWithLiveLeases_BecomeRegularWithTheirClaimsCounted(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Bulk");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: 3);
        var items = await ItemsAsync(db, tenant.Id, project.Id);
        foreach (var item in items.Take(2))
        {
            await Service(db).SetGoldAsync(tenant.Id, project.Id, item.Id, new GoldInput(PreferenceChoice.A, Explanation: "A."));
        }

        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            ctx.Assignments.Add(new Assignment { ProjectId = project.Id, ItemId = items[0].Id, AnnotatorId = tenant.Member(OrgRoles.Annotator).Id, LeasedAt = DateTime.UtcNow, LeaseExpiresAt = DateTime.UtcNow.AddHours(1) });
            await ctx.SaveChangesAsync();
        }

        var result = await Service(db).BulkAsync(tenant.Id, project.Id, new BulkGoldInput(BulkGoldAction.Unmark, [.. items.Select(i => i.Id)]));

        Assert.Equal(new BulkGoldResult(2, 1), result);
        var after = await ItemsAsync(db, tenant.Id, project.Id);
        Assert.All(after, i => Assert.False(i.IsGold));
        Assert.All(after, i => Assert.Null(i.Gold));
        Assert.Equal([1, 0, 0], after.Select(i => i.Claimed));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Bulk_ArchivedProject_IsRefused(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Bulk");
        await new ProjectService(db.Factory, TimeProvider.System).ArchiveAsync(tenant.Id, tenant.Project.Id);

        var refused = await Assert.ThrowsAsync<ValidationProblemsException>(() =>
            Service(db).BulkAsync(tenant.Id, tenant.Project.Id, new BulkGoldInput(BulkGoldAction.Unmark, [tenant.Item.Id])));

        Assert.Equal("project", refused.Problems[0].Field);
    }
}
