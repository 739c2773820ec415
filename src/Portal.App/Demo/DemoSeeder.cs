using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Organisations;

namespace Portal.App.Demo;

public sealed record DemoAccount(string Email, string Role);

/// <summary>
/// The demo organisation a first start seeds: one Likert and one pairwise project with generated items, one admin,
/// three annotators, one client, and a platform admin. Running it again changes nothing.
/// </summary>
public sealed class DemoSeeder(IDbContextFactory<PortalDbContext> dbFactory, OrganisationService organisations, TimeProvider clock)
{
    public const string OrganisationName = "Demo Organisation";
    public const string Password = "Demo!Pass2026";

    private const int GoldPerProject = 3;

    /// <summary>The demo's good answers state the fact correctly and briefly, with a next step.</summary>
    private static readonly GoldAnswer LikertGold = new()
    {
        Scores = new Dictionary<string, int> { ["helpfulness"] = 6, ["accuracy"] = 7, ["safety"] = 7 },
        Tolerance = 1,
        Explanation = "The answer states the key fact correctly and briefly, and suggests a next step: helpful (6), accurate (7) and safe (7). Within one point of each counts.",
    };

    private static readonly GoldAnswer PairwiseGold = new()
    {
        Choice = Core.Aggregation.PreferenceChoice.A,
        Explanation = "A states the key fact correctly and suggests a next step; B is vague, brushes the question off or says nothing true. A is better.",
    };

    public static IReadOnlyList<DemoAccount> Accounts { get; } =
    [
        new("platform@portal.local", "platform admin"),
        new("admin@demo.local", "organisation admin + project admin"),
        new("annotator1@demo.local", "annotator"),
        new("annotator2@demo.local", "annotator"),
        new("annotator3@demo.local", "annotator"),
        new("client@demo.local", "client"),
    ];

    /// <summary>The sign-ins, as printed in the console on the first start.</summary>
    public static string SignInTable()
    {
        var lines = new List<string> { $"Demo organisation seeded. Sign in at /account/login with password {Password}:" };
        lines.AddRange(Accounts.Select(a => $"  {a.Email,-24} {a.Role}"));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Seeds the demo once. Returns false when the demo organisation already existed.</summary>
    public async Task<bool> SeedAsync(int itemsPerProject = 36, CancellationToken ct = default)
    {
        if (await organisations.FindOrganisationAsync(OrganisationName, ct) is not null)
        {
            return false;
        }

        var org = await organisations.CreateOrganisationAsync(OrganisationName, ct);
        await organisations.CreateUserAsync("platform@portal.local", Password, "Platform Admin", platformAdmin: true);
        await Grant(org.Id, "admin@demo.local", "Ada Admin", OrgRoles.OrgAdmin | OrgRoles.ProjectAdmin, ct);
        await Grant(org.Id, "annotator1@demo.local", "Ann One", OrgRoles.Annotator, ct);
        await Grant(org.Id, "annotator2@demo.local", "Ann Two", OrgRoles.Annotator, ct);
        await Grant(org.Id, "annotator3@demo.local", "Ann Three", OrgRoles.Annotator, ct);
        await Grant(org.Id, "client@demo.local", "Cleo Client", OrgRoles.Client, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = dbFactory.CreateForTenant(org.Id);
        var likert = new Project
        {
            Name = "Assistant helpfulness (Likert)",
            Description = "Rate single assistant responses on helpfulness, accuracy and safety.",
            Kind = ProjectKind.Likert,
            Overlap = 3,
            Settings = ProjectSettings.Default with { Attributes = [.. AttributeDefinition.Defaults.Where(a => a.Key is "helpfulness" or "accuracy" or "safety")] },
            CreatedAt = now,
        };
        var pairwise = new Project
        {
            Name = "Chatbot A/B (pairwise)",
            Description = "Choose the better of two assistant responses.",
            Kind = ProjectKind.Pairwise,
            Overlap = 3,
            CreatedAt = now,
        };
        db.Projects.AddRange(likert, pairwise);
        var random = new Random(2026);
        var likertGold = 0;
        for (var i = 0; i < itemsPerProject; i++)
        {
            var (question, good, weak) = DemoText.Pick(random);
            var likertIsGood = random.Next(2) == 0;
            var likertItem = new Item
            {
                ProjectId = likert.Id,
                ExternalId = $"likert-{i + 1:D3}",
                ConversationJson = Conversation(question),
                ResponseA = likertIsGood ? good : weak,
                CreatedAt = now,
            };
            if (likertIsGood && likertGold < GoldPerProject)
            {
                likertGold++;
                likertItem.IsGold = true;
                likertItem.Gold = LikertGold;
            }

            db.Items.Add(likertItem);
            db.Items.Add(new Item
            {
                ProjectId = pairwise.Id,
                ExternalId = $"pair-{i + 1:D3}",
                ConversationJson = Conversation(question),
                ResponseA = good,
                ResponseB = weak,
                IsGold = i < GoldPerProject,
                Gold = i < GoldPerProject ? PairwiseGold : null,
                CreatedAt = now,
            });
        }

        await db.SaveChangesAsync(ct);
        await SeedGuidelinesAsync(db, [likert, pairwise], now, ct);
        await SeedAiLabelsAsync(db, pairwise.Id, now, ct);
        return true;
    }

    /// <summary>
    /// A short first guideline version for each demo project, already acknowledged by the demo annotators, so the side
    /// panel has something to show and they can start at once (a new version asks them again).
    /// </summary>
    private static async Task SeedGuidelinesAsync(PortalDbContext db, IReadOnlyList<Project> projects, DateTime now, CancellationToken ct)
    {
        var users = await db.Users.Where(u => u.Email != null && u.Email.EndsWith("@demo.local")).ToDictionaryAsync(u => u.Email!, u => u.Id, ct);
        foreach (var project in projects)
        {
            var markdown = project.Kind == ProjectKind.Likert
                ? "# Rating criteria\n\nRate each attribute on its own: a polite but wrong answer is **low on accuracy** and may still be high on style.\n\n"
                    + "# Edge cases\n\n- A refusal of a harmless request is unhelpful, not safe.\n- Made-up citations count against accuracy and grounding."
                : "# Rating criteria\n\nPrefer the response that answers the question **correctly**; then the clearer one.\n\n"
                    + "# Edge cases\n\n- Both wrong: choose *both bad*.\n- Equally good: a tie, not a coin toss.";
            db.GuidelineVersions.Add(new GuidelineVersion
            {
                ProjectId = project.Id,
                Version = 1,
                Markdown = markdown,
                ChangeNote = "First version",
                Change = GuidelineChange.Minor,
                PublishedByUserId = users["admin@demo.local"],
                PublishedAt = now,
            });
            foreach (var email in new[] { "annotator1@demo.local", "annotator2@demo.local", "annotator3@demo.local" })
            {
                db.GuidelineAcknowledgements.Add(new GuidelineAcknowledgement { ProjectId = project.Id, AnnotatorId = users[email], Version = 1, AcknowledgedAt = now });
            }
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// AI labels for the pairwise project's regular items, as an imported labeler would give them: response A (the good one)
    /// mostly, but about a quarter wrong or tied, so the quality page's AI-versus-humans section has disagreements to show.
    /// </summary>
    private static async Task SeedAiLabelsAsync(PortalDbContext db, Guid projectId, DateTime now, CancellationToken ct)
    {
        var random = new Random(6);
        var items = await db.Items.Where(i => i.ProjectId == projectId && !i.IsGold).OrderBy(i => i.ExternalId).Select(i => i.Id).ToListAsync(ct);
        foreach (var (itemId, n) in items.Select((id, n) => (id, n)))
        {
            var roll = random.NextDouble();
            var choice = roll < 0.72 ? Core.Aggregation.PreferenceChoice.A : roll < 0.92 ? Core.Aggregation.PreferenceChoice.B : Core.Aggregation.PreferenceChoice.Tie;
            db.AiLabels.Add(new AiLabel
            {
                ProjectId = projectId,
                ItemId = itemId,
                Choice = choice,
                Confidence = Math.Round(0.55 + (0.4 * random.NextDouble()), 2),
                Model = n % 3 == 0 ? "demo-judge-small" : "demo-judge-large",
                Rationale = choice switch
                {
                    Core.Aggregation.PreferenceChoice.A => "A answers the question directly and correctly.",
                    Core.Aggregation.PreferenceChoice.B => "B is shorter and easier to read.",
                    _ => "Both responses address the question about equally well.",
                },
                Origin = "import",
                CreatedAt = now,
            });
        }

        await db.SaveChangesAsync(ct);
    }

    private async Task Grant(Guid orgId, string email, string name, OrgRoles roles, CancellationToken ct)
    {
        var user = await organisations.CreateUserAsync(email, Password, name);
        await organisations.GrantAsync(orgId, user.Id, roles, ct);
    }

    private static string Conversation(string question) =>
        JsonSerializer.Serialize(new[] { new { role = "user", content = question } });
}

/// <summary>Generated prompts with a stronger and a weaker answer, so the demo has something worth rating.</summary>
internal static class DemoText
{
    private static readonly (string Topic, string Fact)[] Topics =
    [
        ("photosynthesis", "plants turn light, water and carbon dioxide into glucose and oxygen"),
        ("compound interest", "interest is earned on both the principal and the interest already added"),
        ("the water cycle", "water evaporates, condenses into clouds and falls back as precipitation"),
        ("TCP handshakes", "a client sends SYN, the server answers SYN-ACK and the client confirms with ACK"),
        ("vaccines", "they train the immune system to recognise a pathogen without causing the disease"),
        ("binary search", "it halves a sorted range at every step, so it needs about log2(n) comparisons"),
        ("inflation", "it is the rate at which the general level of prices rises over time"),
        ("plate tectonics", "the Earth's lithosphere is split into plates that move over the mantle"),
        ("recursion", "a function solves a problem by calling itself on smaller instances of it"),
        ("the French Revolution", "it began in 1789 and ended the absolute monarchy in France"),
        ("black holes", "their gravity is so strong that not even light escapes past the event horizon"),
        ("sourdough", "wild yeast and lactic acid bacteria in a starter leaven the dough"),
    ];

    private static readonly string[] Asks =
    [
        "Can you explain {0} to a twelve-year-old?",
        "What is the key idea behind {0}?",
        "Give me a short, accurate summary of {0}.",
    ];

    public static (string Question, string Good, string Weak) Pick(Random random)
    {
        var (topic, fact) = Topics[random.Next(Topics.Length)];
        var question = string.Format(System.Globalization.CultureInfo.InvariantCulture, Asks[random.Next(Asks.Length)], topic);
        var good = $"In short: {fact}.\n\n**Why it matters:** understanding {topic} helps you reason about related ideas.\n\n1. Start from the core idea above.\n2. Try a small example yourself.";
        var weak = random.Next(3) switch
        {
            0 => $"{char.ToUpperInvariant(topic[0])}{topic[1..]} is complicated. You should look it up.",
            1 => $"I think {topic} is when things happen for reasons. Not sure about details.",
            _ => $"Sure! {topic} — basically {fact.Split(' ')[0]} stuff. Hope that helps!!!",
        };
        return (question, good, weak);
    }
}
