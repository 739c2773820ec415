using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Projects;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Projects;

public class ProjectServiceTests
{
    private static ProjectService Service(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<ProjectService>();

    private static ProjectQueries Queries(TestDatabase db) => db.Services.CreateScope().ServiceProvider.GetRequiredService<ProjectQueries>();

    private static ProjectInput Input(Project p, ProjectSettings? settings = null) =>
        new(p.Name, p.Description, p.Kind, p.Overlap, p.LeaseMinutes, settings ?? p.Settings);

    private static async Task<Project> StoredAsync(TestDatabase db, Guid tenantId, Guid projectId)
    {
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        return await ctx.Projects.AsNoTracking().SingleAsync(p => p.Id == projectId);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Create_ValidInput_StoresTheProjectWithDefaultSettings(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");

        var created = await Service(db).CreateAsync(tenant.Id, new ProjectInput("  Summaries  ", "Rate summaries.", ProjectKind.Likert, 2, 45));

        var stored = await StoredAsync(db, tenant.Id, created.Id);
        Assert.Equal(("Summaries", "Rate summaries.", ProjectKind.Likert, 2, 45), (stored.Name, stored.Description, stored.Kind, stored.Overlap, stored.LeaseMinutes));
        Assert.Equal(ProjectSettings.Default, stored.Settings);
        Assert.Equal(AttributeDefinition.Defaults.Select(a => a.Key), stored.Settings.Attributes.Select(a => a.Key));
        var details = await Queries(db).GetDetailsAsync(tenant.Id, created.Id);
        Assert.Equal((0, 0, 0), (details!.Items, details.GoldItems, details.Annotations));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Create_NameTakenInTheOrganisation_NamesTheFieldAndAddsNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() =>
            Service(db).CreateAsync(alpha.Id, new ProjectInput(alpha.Project.Name, null, ProjectKind.Pairwise)));
        var sameNameElsewhere = await Service(db).CreateAsync(beta.Id, new ProjectInput("Test project 2", null, ProjectKind.Pairwise));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("name", problem.Field);
        Assert.Contains("already exists", problem.Message, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateForTenant(alpha.Id);
        Assert.Equal(1, await ctx.Projects.CountAsync());
        Assert.NotEqual(Guid.Empty, sameNameElsewhere.Id);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Update_ValidSettings_SavesThemAndDetailsShowThem(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var settings = new ProjectSettings
        {
            Attributes =
            [
                new("safety", "Safety", "No harm.", 1, 5, "Harmful", "Safe"),
                new("helpfulness", "Helpfulness", "Does what was asked.", 1, 7),
            ],
            Pairwise = new PairwiseOptions { AllowTie = false, AllowBothBad = true, StrengthLevels = 0, PerAttribute = true, RequireRationale = true, RationaleMinLength = 40 },
            Gold = new GoldOptions { Rate = 0.25, MinAnswers = 8, PauseBelow = 0.5, ShowExplanation = false },
        };

        var updated = await Service(db).UpdateAsync(tenant.Id, tenant.Project.Id,
            new ProjectInput("Renamed", "New text", ProjectKind.Pairwise, 5, 90, settings));

        Assert.NotNull(updated);
        var details = await Queries(db).GetDetailsAsync(tenant.Id, tenant.Project.Id);
        Assert.Equal(("Renamed", "New text", 5, 90), (details!.Name, details.Description, details.Overlap, details.LeaseMinutes));
        Assert.Equal(settings, details.Settings);
        Assert.Equal(["safety", "helpfulness"], details.Settings.Attributes.Select(a => a.Key));
        Assert.Equal(1, details.Items);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Update_ManyProblems_EachNamesItsFieldAndNothingIsSaved(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var before = await StoredAsync(db, tenant.Id, tenant.Project.Id);
        var settings = new ProjectSettings
        {
            Attributes =
            [
                new("bad key", "Bad", ""),
                new("dup", "", "", 5, 5),
                new("dup", "Dup", "", 1, 30, LowLabel: new string('x', 51)),
            ],
            Pairwise = new PairwiseOptions { StrengthLevels = 7, RationaleMinLength = -1 },
            Gold = new GoldOptions { Rate = 2, MinAnswers = 0, PauseBelow = 1.5 },
        };

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).UpdateAsync(tenant.Id, tenant.Project.Id,
            new ProjectInput("", new string('d', 4001), ProjectKind.Pairwise, 0, 1441, settings)));

        string[] expected =
        [
            "name", "description", "overlap", "leaseMinutes",
            "settings.attributes[0].key", "settings.attributes[1].name", "settings.attributes[1].max",
            "settings.attributes[2].key", "settings.attributes[2].max", "settings.attributes[2].lowLabel",
            "settings.pairwise.strengthLevels", "settings.pairwise.rationaleMinLength",
            "settings.gold.rate", "settings.gold.minAnswers", "settings.gold.pauseBelow",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), ex.ByField().Keys.Order(StringComparer.Ordinal));
        Assert.All(ex.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
        var after = await StoredAsync(db, tenant.Id, tenant.Project.Id);
        Assert.Equal((before.Name, before.Description, before.Overlap, before.LeaseMinutes, before.Settings),
            (after.Name, after.Description, after.Overlap, after.LeaseMinutes, after.Settings));
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Update_LikertWithoutAttributes_NamesTheAttributesField(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var likert = await Service(db).CreateAsync(tenant.Id, new ProjectInput("Likert", null, ProjectKind.Likert));

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).UpdateAsync(tenant.Id, likert.Id,
            new ProjectInput("Likert", null, ProjectKind.Likert, Settings: ProjectSettings.Default with { Attributes = [] })));

        Assert.Equal("settings.attributes", Assert.Single(ex.Problems).Field);
        Assert.Equal(7, (await StoredAsync(db, tenant.Id, likert.Id)).Settings.Attributes.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Update_AttributesOnceAnnotated_KeyOrScaleChangeMakesANewAttributeVersionAndRenamesDoNot(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await StoredAsync(db, tenant.Id, tenant.Project.Id);
        var old = await db.AddTestAnnotationAsync(tenant.Id, tenant.Item, tenant.Member(OrgRoles.Annotator).Id);
        var attributes = project.Settings.Attributes;

        var renamed = attributes.Select((a, i) => i == 0 ? a with { Name = "Helpful?", Description = "New words.", LowLabel = "No", HighLabel = "Yes" } : a).ToList();
        await Service(db).UpdateAsync(tenant.Id, project.Id, Input(project, project.Settings with { Attributes = renamed }));
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            Assert.Empty(await ctx.AttributeSetVersions.ToListAsync());
        }

        var scaleChanged = renamed.Select(a => a.Key == "safety" ? a with { Max = 5 } : a).Where(a => a.Key != "style").ToList();
        await Service(db).UpdateAsync(tenant.Id, project.Id, Input(project, project.Settings with { Attributes = scaleChanged }));

        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var versions = await ctx.AttributeSetVersions.OrderBy(v => v.Version).ToListAsync();
            Assert.Equal([1, 2], versions.Select(v => v.Version));
            Assert.Equal(7, versions[0].Attributes.Single(a => a.Key == "safety").Max);
            Assert.Contains(versions[0].Attributes, a => a.Key == "style");
            Assert.Equal(5, versions[1].Attributes.Single(a => a.Key == "safety").Max);
            Assert.DoesNotContain(versions[1].Attributes, a => a.Key == "style");
            Assert.Null((await ctx.Annotations.SingleAsync(a => a.Id == old.Id)).AttributeVersion);
            Assert.Equal(2, await AttributeVersions.CurrentAsync(ctx, project.Id, default));
        }

        // Nothing was rated under version 2 yet: a further change replaces it rather than adding version 3.
        var again = scaleChanged.Select(a => a.Key == "accuracy" ? a with { Key = "factuality" } : a).ToList();
        await Service(db).UpdateAsync(tenant.Id, project.Id, Input(project, project.Settings with { Attributes = again }));
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            var versions = await ctx.AttributeSetVersions.OrderBy(v => v.Version).ToListAsync();
            Assert.Equal([1, 2], versions.Select(v => v.Version));
            Assert.Contains(versions[1].Attributes, a => a.Key == "factuality");
        }

        Assert.Equal(again, (await StoredAsync(db, tenant.Id, project.Id)).Settings.Attributes);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Update_KindOnceThereAreItems_IsRefused(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var project = await StoredAsync(db, tenant.Id, tenant.Project.Id);

        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() =>
            Service(db).UpdateAsync(tenant.Id, project.Id, Input(project) with { Kind = ProjectKind.Likert }));

        Assert.Equal("kind", Assert.Single(ex.Problems).Field);
        Assert.Equal(ProjectKind.Pairwise, (await StoredAsync(db, tenant.Id, project.Id)).Kind);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Update_RemovingAnAttributeAGoldAnswerUses_IsRefused(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Alpha");
        var likert = await Service(db).CreateAsync(tenant.Id, new ProjectInput("Likert", null, ProjectKind.Likert));
        await using (var ctx = db.Factory.CreateForTenant(tenant.Id))
        {
            ctx.Items.Add(new Item
            {
                ProjectId = likert.Id,
                ExternalId = "g1",
                ResponseA = "x",
                IsGold = true,
                Gold = new GoldAnswer { Scores = new Dictionary<string, int> { ["safety"] = 7 }, Explanation = "Safe." },
                CreatedAt = DateTime.UtcNow,
            });
            await ctx.SaveChangesAsync();
        }

        var withoutSafety = likert.Settings.Attributes.Where(a => a.Key != "safety").ToList();
        var ex = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).UpdateAsync(tenant.Id, likert.Id,
            new ProjectInput("Likert", null, ProjectKind.Likert, Settings: likert.Settings with { Attributes = withoutSafety })));
        var narrower = likert.Settings.Attributes.Select(a => a.Key == "safety" ? a with { Max = 5 } : a).ToList();
        var scaleEx = await Assert.ThrowsAsync<ValidationProblemsException>(() => Service(db).UpdateAsync(tenant.Id, likert.Id,
            new ProjectInput("Likert", null, ProjectKind.Likert, Settings: likert.Settings with { Attributes = narrower })));

        Assert.Contains("g1", Assert.Single(ex.Problems).Message, StringComparison.Ordinal);
        Assert.Contains("outside the new scale", Assert.Single(scaleEx.Problems).Message, StringComparison.Ordinal);
        Assert.Equal(7, (await StoredAsync(db, tenant.Id, likert.Id)).Settings.Attributes.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task Update_ProjectOfAnotherOrganisation_ReturnsNullAndChangesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alpha = await db.CreateTestTenantAsync("Alpha");
        var beta = await db.CreateTestTenantAsync("Beta");
        var project = await StoredAsync(db, beta.Id, beta.Project.Id);

        var result = await Service(db).UpdateAsync(alpha.Id, beta.Project.Id, Input(project) with { Name = "Taken over" });

        Assert.Null(result);
        Assert.Equal(project.Name, (await StoredAsync(db, beta.Id, beta.Project.Id)).Name);
    }
}
