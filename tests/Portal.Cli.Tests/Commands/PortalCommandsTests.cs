using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Demo;
using Portal.App.Features.Organisations;
using Portal.TestSupport;

namespace Portal.Cli.Tests.Commands;

public class PortalCommandsTests
{
    private const string StrongPassword = "Cli!Pass2026x";

    private static async Task<Guid> CreateOrgAsync(TestDatabase db, string name)
    {
        var run = await TestCli.RunAsync(["org", "create", "--name", name], db.Settings);
        Assert.True(run.ExitCode == PortalCli.Ok, run.Error);
        return Guid.Parse(run.Out.Split('\t')[0]);
    }

    private static async Task<(int Organisations, int Users, int Memberships, int Projects, int Items)> CountAsync(TestDatabase db)
    {
        await using var ctx = db.Factory.CreateSystem();
        return (await ctx.Organisations.CountAsync(),
            await ctx.Users.CountAsync(),
            await ctx.Memberships.IgnoreQueryFilters().CountAsync(),
            await ctx.Projects.IgnoreQueryFilters().CountAsync(),
            await ctx.Items.IgnoreQueryFilters().CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task DbMigrate_EmptyDatabase_AppliesThenSaysUpToDate(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);

        var first = await TestCli.RunAsync(["db", "migrate"], db.Settings);
        var second = await TestCli.RunAsync(["db", "migrate"], db.Settings);

        Assert.Equal(PortalCli.Ok, first.ExitCode);
        Assert.StartsWith("Applied ", first.Out, StringComparison.Ordinal);
        Assert.Equal(PortalCli.Ok, second.ExitCode);
        Assert.Equal("Database is up to date.", second.Out.Trim());
        Assert.Empty(await Migrator.PendingAsync(db.Factory));
    }

    [Fact]
    public async Task SeedDemo_Twice_SecondChangesNothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite, migrate: false);

        var first = await TestCli.RunAsync(["seed-demo"], db.Settings);
        var seeded = await CountAsync(db);
        var second = await TestCli.RunAsync(["seed-demo"], db.Settings);

        Assert.Equal(PortalCli.Ok, first.ExitCode);
        Assert.Contains("admin@demo.local", first.Out, StringComparison.Ordinal);
        Assert.Equal(PortalCli.Ok, second.ExitCode);
        Assert.Contains("already exists; nothing changed", second.Out, StringComparison.Ordinal);
        Assert.Equal(seeded, await CountAsync(db));
        Assert.Equal(1, seeded.Organisations);
        Assert.Equal(DemoSeeder.Accounts.Count, seeded.Users);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task OrgCreate_NewName_PrintsIdAndName(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var run = await TestCli.RunAsync(["org", "create", "--name", "Acme Labs"], db.Settings);

        Assert.Equal(PortalCli.Ok, run.ExitCode);
        var fields = run.Out.TrimEnd().Split('\t');
        Assert.Equal("Acme Labs", fields[1]);
        await using var ctx = db.Factory.CreateSystem();
        Assert.Equal("Acme Labs", (await ctx.Organisations.SingleAsync(o => o.Id == Guid.Parse(fields[0]))).Name);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task OrgCreate_DuplicateName_ExitsTwoAndCreatesNothing(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await CreateOrgAsync(db, "Acme Labs");

        var line = (await TestCli.RunAsync(["org", "create", "--name", "Acme Labs"], db.Settings)).AssertBadInput();

        Assert.Equal("portal: name: An organisation named 'Acme Labs' already exists.", line);
        Assert.Equal(1, (await CountAsync(db)).Organisations);
    }

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task UserCreate_OrgAndRoles_GrantsThoseRoles(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var orgId = await CreateOrgAsync(db, "Acme Labs");

        var run = await TestCli.RunAsync(
            ["user", "create", "--org", "Acme Labs", "--role", "annotator,client", "--email", "ann@acme.test", "--password", StrongPassword],
            db.Settings);

        Assert.True(run.ExitCode == PortalCli.Ok, run.Error);
        var userId = Guid.Parse(run.Out.Split('\t')[0]);
        await using var ctx = db.Factory.CreateForTenant(orgId);
        var membership = await ctx.Memberships.SingleAsync();
        Assert.Equal(userId, membership.UserId);
        Assert.Equal(OrgRoles.Annotator | OrgRoles.Client, membership.Roles);
        Assert.Equal("ann@acme.test", (await ctx.Users.SingleAsync(u => u.Id == userId)).Email);
    }

    [Theory]
    [InlineData("Acme Labs", "annotator,reviewer", StrongPassword, "portal: role: Unknown role 'reviewer'")]
    [InlineData("Acme Labs", " , ", StrongPassword, "portal: role: Name at least one role")]
    [InlineData("Nowhere Inc", "annotator", StrongPassword, "portal: --org: no organisation with id or name 'Nowhere Inc'")]
    [InlineData("Acme Labs", "annotator", "short", "portal: password: ")]
    public async Task UserCreate_BadInput_ExitsTwoAndCreatesNothing(string org, string roles, string password, string expected)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        await CreateOrgAsync(db, "Acme Labs");

        var line = (await TestCli.RunAsync(
            ["user", "create", "--org", org, "--role", roles, "--email", "ann@acme.test", "--password", password],
            db.Settings)).AssertBadInput();

        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        var counts = await CountAsync(db);
        Assert.Equal(0, counts.Users);
        Assert.Equal(0, counts.Memberships);
    }

    [Theory]
    [InlineData("--email")]
    [InlineData("--password")]
    public async Task UserCreate_MissingRequiredOption_ExitsTwo(string missing)
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        List<string> args = ["user", "create", "--org", "Acme Labs", "--role", "annotator", "--email", "ann@acme.test", "--password", StrongPassword];
        args.RemoveRange(args.IndexOf(missing), 2);

        var line = (await TestCli.RunAsync([.. args], db.Settings)).AssertBadInput();

        Assert.Contains($"Option '{missing}' is required.", line, StringComparison.Ordinal);
        Assert.Equal(0, (await CountAsync(db)).Users);
    }

    [Fact]
    public async Task UserCreate_OrgWithoutRole_ExitsTwo()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);

        var line = (await TestCli.RunAsync(["user", "create", "--org", "Acme Labs", "--email", "ann@acme.test", "--password", StrongPassword], db.Settings)).AssertBadInput();

        Assert.Contains("--role", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrgList_DatabaseUnreachable_ExitsOneWithOneLine()
    {
        // Nothing listens on port 1: the connection is refused at once.
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=postgres;Timeout=5",
        };

        var run = await TestCli.RunAsync(["org", "list"], settings);

        Assert.Equal(PortalCli.Failed, run.ExitCode);
        Assert.StartsWith("portal: ", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }
}
