using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.App;
using Portal.App.Data;
using Portal.App.Features.Guidelines;
using Portal.App.Features.Organisations;
using Portal.App.Jobs;

namespace Portal.CircuitBench;

/// <summary>What the benchmark signs in as and opens.</summary>
public sealed record BenchSeed(Guid OrgId, Guid ProjectId, string AdminEmail, IReadOnlyList<string> Annotators);

/// <summary>
/// A fresh SQLite database with one pairwise project: as many items as annotators times two (overlap 1, no gold), so each
/// annotator gets a task of their own, with responses of realistic length, and published guidelines every annotator has read.
/// </summary>
public static class BenchDatabase
{
    public const string Password = "Bench!Pass2026";

    public static async Task<BenchSeed> SeedAsync(string connectionString, int annotators, int responseChars)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Sqlite",
                ["ConnectionStrings:Sqlite"] = connectionString,
            })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddPortal(DatabaseOptions.FromConfiguration(configuration));
        services.AddJobsSwitchedOff();
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await Migrator.MigrateAsync(factory, CancellationToken.None);

        var organisations = provider.GetRequiredService<OrganisationService>();
        var org = await organisations.CreateOrganisationAsync("Circuit bench");
        const string adminEmail = "platform@circuits.bench";
        var admin = await organisations.CreateUserAsync(adminEmail, Password, "Bench admin", platformAdmin: true);
        await organisations.GrantAsync(org.Id, admin.Id, OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin, CancellationToken.None);

        var now = DateTime.UtcNow;
        var project = new Project
        {
            Name = "Circuit bench",
            Kind = ProjectKind.Pairwise,
            Overlap = 1,
            LeaseMinutes = 120,
            Settings = ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } },
            CreatedAt = now,
        };

        // One password hash for every annotator: hashing 200 times would take longer than the rest of the set-up.
        var hash = new PasswordHasher<PortalUser>().HashPassword(new PortalUser(), Password);
        var emails = new List<string>(annotators);
        var ids = new List<Guid>(annotators);
        await using (var db = factory.CreateForTenant(org.Id))
        {
            db.Projects.Add(project);
            for (var i = 0; i < annotators * 2; i++)
            {
                db.Items.Add(new Item
                {
                    ProjectId = project.Id,
                    ExternalId = $"circuit-{i}",
                    ConversationJson = JsonSerializer.Serialize(new[]
                    {
                        new { role = "user", content = Prose(i, 0, responseChars / 4) + "?" },
                    }),
                    ResponseA = Prose(i, 1, responseChars),
                    ResponseB = Prose(i, 2, responseChars),
                    Priority = 0,
                    CreatedAt = now,
                });
            }

            for (var i = 0; i < annotators; i++)
            {
                var email = $"annotator{i}@circuits.bench";
                var user = new PortalUser
                {
                    UserName = email,
                    NormalizedUserName = email.ToUpperInvariant(),
                    Email = email,
                    NormalizedEmail = email.ToUpperInvariant(),
                    EmailConfirmed = true,
                    PasswordHash = hash,
                    SecurityStamp = Guid.NewGuid().ToString("N"),
                    DisplayName = $"Annotator {i}",
                    CreatedAt = now,
                };
                db.Users.Add(user);
                db.Memberships.Add(new Membership { UserId = user.Id, Roles = OrgRoles.Annotator, CreatedAt = now });
                emails.Add(email);
                ids.Add(user.Id);
            }

            await db.SaveChangesAsync();
        }

        var guidelines = provider.GetRequiredService<GuidelineService>();
        var published = await guidelines.PublishAsync(org.Id, project.Id, admin.Id,
            new PublishGuidelineInput(Guidelines(), "First version", GuidelineChange.Major))
            ?? throw new InvalidOperationException("The guidelines were not published.");
        foreach (var id in ids)
        {
            await guidelines.AcknowledgeAsync(org.Id, project.Id, id, published.Version);
        }

        return new BenchSeed(org.Id, project.Id, adminEmail, emails);
    }

    private static readonly string[] Words =
    [
        "the", "model", "answer", "should", "explain", "why", "a", "gradient", "step", "reduces", "loss", "while", "keeping",
        "learning", "rate", "small", "enough", "to", "avoid", "divergence", "and", "this", "response", "gives", "an", "example",
        "with", "code", "that", "compiles", "on", "first", "try", "but", "misses", "edge", "case", "of", "empty", "input",
    ];

    /// <summary>Deterministic prose with some Markdown (paragraphs, a list, bold), about <paramref name="chars"/> characters.</summary>
    private static string Prose(int item, int part, int chars)
    {
        var random = new Random(item * 3 + part);
        var text = new StringBuilder(chars + 64);
        var sentence = 0;
        while (text.Length < chars)
        {
            if (sentence > 0 && sentence % 6 == 0)
            {
                text.Append("\n\n");
            }

            if (sentence % 9 == 4)
            {
                text.Append("- ");
            }

            for (var w = 0; w < 12; w++)
            {
                var word = Words[random.Next(Words.Length)];
                text.Append(w == 3 ? $"**{word}**" : word).Append(w == 11 ? ". " : " ");
            }

            if (sentence % 9 == 4)
            {
                text.Append('\n');
            }

            sentence++;
        }

        return text.ToString();
    }

    private static string Guidelines()
    {
        var text = new StringBuilder("# How to compare two responses\n\n");
        for (var section = 1; section <= 8; section++)
        {
            text.Append("## Rule ").Append(section).Append("\n\n").Append(Prose(10_000 + section, 0, 600)).Append("\n\n");
        }

        return text.ToString();
    }
}
