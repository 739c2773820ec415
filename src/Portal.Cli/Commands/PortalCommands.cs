using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Demo;
using Portal.App.Features.Organisations;

namespace Portal.Cli.Commands;

/// <summary>A command's bad input: printed as one line on stderr, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>The commands that administer the portal's database: db migrate, seed-demo, org and user.</summary>
public static class PortalCommands
{
    public static void AddAdministration(RootCommand root, CliContext cli)
    {
        var db = new Command("db", "Database maintenance.");
        var migrate = new Command("migrate", "Applies pending EF Core migrations to the configured database.");
        migrate.SetAction(async (_, ct) =>
        {
            await using var services = cli.Services();
            var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            var pending = await Migrator.PendingAsync(factory, ct);
            await Migrator.MigrateAsync(factory, ct);
            cli.Out.WriteLine(pending.Count == 0 ? "Database is up to date." : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}");
            return 0;
        });
        db.Subcommands.Add(migrate);
        root.Subcommands.Add(db);

        var seed = new Command("seed-demo", "Creates the demo organisation, its projects and sign-ins (once).");
        seed.SetAction(async (_, ct) =>
        {
            await using var services = await cli.MigratedServices(ct);
            var seeded = await services.GetRequiredService<DemoSeeder>().SeedAsync(ct: ct);
            cli.Out.WriteLine(seeded ? DemoSeeder.SignInTable() : "The demo organisation already exists; nothing changed.");
            return 0;
        });
        root.Subcommands.Add(seed);

        var org = new Command("org", "Organisations (tenants).");
        var orgName = new Option<string>("--name") { Description = "The organisation's name.", Required = true };
        var orgCreate = new Command("create", "Creates an organisation and prints its id.") { orgName };
        orgCreate.SetAction(async (parse, ct) =>
        {
            await using var services = await cli.MigratedServices(ct);
            var created = await services.GetRequiredService<OrganisationService>().CreateOrganisationAsync(parse.GetValue(orgName)!, ct);
            cli.Out.WriteLine($"{created.Id}\t{created.Name}");
            return 0;
        });
        var orgList = new Command("list", "Lists organisations: id and name, one a line.");
        orgList.SetAction(async (_, ct) =>
        {
            await using var services = await cli.MigratedServices(ct);
            foreach (var o in await services.GetRequiredService<OrganisationService>().ListOrganisationsAsync(ct))
            {
                cli.Out.WriteLine($"{o.Id}\t{o.Name}");
            }

            return 0;
        });
        org.Subcommands.Add(orgCreate);
        org.Subcommands.Add(orgList);
        root.Subcommands.Add(org);

        var user = new Command("user", "People and their roles.");
        var userOrg = new Option<string?>("--org") { Description = "Organisation id or exact name. Required unless --platform-admin." };
        var role = new Option<string?>("--role") { Description = "Comma-separated roles: org-admin, project-admin, annotator, client." };
        var email = new Option<string>("--email") { Description = "E-mail address, also the sign-in name.", Required = true };
        var password = new Option<string>("--password") { Description = "Password for a new user (10+ characters, upper, lower, digit, symbol).", Required = true };
        var displayName = new Option<string?>("--name") { Description = "Display name." };
        var platformAdmin = new Option<bool>("--platform-admin") { Description = "Make the user a platform admin (creates organisations)." };
        var userCreate = new Command("create", "Creates a user (or finds one by e-mail) and grants roles in an organisation.")
        {
            userOrg, role, email, password, displayName, platformAdmin,
        };
        userCreate.SetAction(async (parse, ct) =>
        {
            var isPlatformAdmin = parse.GetValue(platformAdmin);
            var orgText = parse.GetValue(userOrg);
            var roleText = parse.GetValue(role);
            if (!isPlatformAdmin && (orgText is null || roleText is null))
            {
                throw new CliUsageException("user create needs --org and --role (or --platform-admin).");
            }

            var roles = roleText is null ? OrgRoles.None : OrganisationService.ParseRoles(roleText);
            if (roleText is not null && roles == OrgRoles.None)
            {
                // Checked before the user is created, so a blank --role leaves nothing behind.
                throw new PortalValidationException("role", "Name at least one role: org-admin, project-admin, annotator or client.");
            }

            await using var services = await cli.MigratedServices(ct);
            var organisations = services.GetRequiredService<OrganisationService>();
            Organisation? organisation = null;
            if (orgText is not null)
            {
                organisation = await organisations.FindOrganisationAsync(orgText, ct)
                    ?? throw new CliUsageException($"--org: no organisation with id or name '{orgText}'.");
            }

            var created = await organisations.CreateUserAsync(parse.GetValue(email)!, parse.GetValue(password)!, parse.GetValue(displayName), isPlatformAdmin);
            if (organisation is not null && roles != OrgRoles.None)
            {
                await organisations.GrantAsync(organisation.Id, created.Id, roles, ct);
            }

            cli.Out.WriteLine($"{created.Id}\t{created.Email}" + (organisation is null ? "" : $"\t{organisation.Name}\t{roleText}"));
            return 0;
        });
        user.Subcommands.Add(userCreate);
        root.Subcommands.Add(user);
    }
}
