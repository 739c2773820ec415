using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Organisations;
using Portal.App.Features.Tokens;

namespace Portal.Cli.Commands;

/// <summary>
/// <c>portal token create|revoke</c>: API tokens for provisioning scripts, without a browser. The API lets only a
/// browser sign-in manage tokens (a token cannot mint or revoke one), so this is the other way in, for whoever may
/// run commands against the portal's database.
/// </summary>
public static class TokenCommands
{
    public static void Add(RootCommand root, CliContext cli)
    {
        var token = new Command("token", "API tokens (Authorization: Bearer …) for scripts.");

        var org = new Option<string>("--org") { Description = "Organisation id or exact name the person belongs to.", Required = true };
        var email = new Option<string>("--email") { Description = "The token's owner: it acts as this person.", Required = true };
        var name = new Option<string>("--name") { Description = "A name to recognise the token by (1-100 characters).", Required = true };
        var days = new Option<int?>("--days") { Description = "Expires after this many days (1-366); never when left out." };
        var feedbackProject = new Option<Guid?>("--feedback-project")
        {
            Description = "A feedback token: it may only post deployment feedback to this project (the owner must be a project admin).",
        };
        var create = new Command("create", "Creates a token and prints it, alone on one line, once: only its hash is stored.") { org, email, name, days, feedbackProject };
        create.SetAction(async (parse, ct) =>
        {
            await using var services = await cli.MigratedServices(ct);
            var user = await MemberAsync(services, parse.GetValue(org)!, parse.GetValue(email)!, ct);
            if (parse.GetValue(feedbackProject) is { } projectId)
            {
                var organisation = (await services.GetRequiredService<OrganisationService>().FindOrganisationAsync(parse.GetValue(org)!, ct))!;
                var roles = (await services.GetRequiredService<OrganisationService>().ListForUserAsync(user.Id, ct)).First(o => o.Id == organisation.Id).Roles;
                if ((roles & (OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin)) == 0)
                {
                    throw new CliUsageException($"--email: {user.Email} is not a project admin of '{organisation.Name}', so a feedback token of theirs could post nothing.");
                }

                var feedback = await services.GetRequiredService<Portal.App.Features.Feedback.FeedbackTokenService>()
                    .CreateAsync(organisation.Id, projectId, user.Id, parse.GetValue(name)!, parse.GetValue(days), ct)
                    ?? throw new CliUsageException($"--feedback-project: '{organisation.Name}' has no project {projectId}.");
                cli.Out.WriteLine(feedback.Token);
                return 0;
            }

            var created = await services.GetRequiredService<ApiTokenService>().CreateAsync(user.Id, parse.GetValue(name)!, parse.GetValue(days), ct);
            cli.Out.WriteLine(created.Token);
            return 0;
        });

        var revokeEmail = new Option<string>("--email") { Description = "The token's owner.", Required = true };
        var revokeName = new Option<string?>("--name") { Description = "The token's name (every live token of that name)." };
        var revokeId = new Option<Guid?>("--id") { Description = "The token's id." };
        var revoke = new Command("revoke", "Revokes a token by id or name; it stops working at once.") { revokeEmail, revokeName, revokeId };
        revoke.SetAction(async (parse, ct) =>
        {
            var byName = parse.GetValue(revokeName);
            var byId = parse.GetValue(revokeId);
            if ((byName is null) == (byId is null))
            {
                throw new CliUsageException("token revoke needs exactly one of --id or --name.");
            }

            await using var services = await cli.MigratedServices(ct);
            var ownerEmail = parse.GetValue(revokeEmail)!;
            var user = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(ownerEmail)
                ?? throw new CliUsageException($"--email: no user '{ownerEmail}'.");
            var tokens = services.GetRequiredService<ApiTokenService>();
            var chosen = (await tokens.ListAsync(user.Id, ct))
                .Where(t => t.RevokedAt is null && (byId is { } id ? t.Id == id : t.Name == byName))
                .ToList();
            if (chosen.Count == 0)
            {
                throw new CliUsageException(byId is not null
                    ? $"--id: {user.Email} has no live token {byId}."
                    : $"--name: {user.Email} has no live token named '{byName}'.");
            }

            foreach (var t in chosen)
            {
                await tokens.RevokeAsync(user.Id, t.Id, ct);
                cli.Out.WriteLine($"{t.Id}\t{t.Name}\trevoked");
            }

            return 0;
        });

        token.Subcommands.Add(create);
        token.Subcommands.Add(revoke);
        root.Subcommands.Add(token);
    }

    private static async Task<PortalUser> MemberAsync(IServiceProvider services, string orgText, string email, CancellationToken ct)
    {
        var organisations = services.GetRequiredService<OrganisationService>();
        var organisation = await organisations.FindOrganisationAsync(orgText, ct)
            ?? throw new CliUsageException($"--org: no organisation with id or name '{orgText}'.");
        var user = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email)
            ?? throw new CliUsageException($"--email: no user '{email}'.");
        if (!(await organisations.ListForUserAsync(user.Id, ct)).Any(o => o.Id == organisation.Id))
        {
            throw new CliUsageException($"--email: {email} is not a member of '{organisation.Name}'.");
        }

        return user;
    }
}
