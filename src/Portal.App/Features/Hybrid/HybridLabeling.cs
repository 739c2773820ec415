using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Portal.Core.AiLabels;

namespace Portal.App.Features.Hybrid;

/// <summary>
/// What the LLM labeler does for an item before it asks its preference: the category prompt (an item without a category,
/// when the project has one), then the category's route — skip (<c>humans</c>), or a correctness check (<c>ai-checked</c>).
/// </summary>
internal sealed class HybridLabeling
{
    private readonly IReadOnlyDictionary<string, string> _routes;
    private readonly IReadOnlyList<string> _known;
    private readonly string? _categoryPrompt;

    private HybridLabeling(IReadOnlyDictionary<string, string> routes, IReadOnlyList<string> known, string? categoryPrompt) =>
        (_routes, _known, _categoryPrompt) = (routes, known, categoryPrompt);

    public static async Task<HybridLabeling> LoadAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var routes = await HybridService.RoutesAsync(db, projectId, ct);
        var prompt = await db.Projects.Where(p => p.Id == projectId).Select(p => p.CategoryPrompt).FirstOrDefaultAsync(ct);
        var known = routes.Keys.Union(await db.Items.Where(i => i.ProjectId == projectId && i.Category != null).Select(i => i.Category!).Distinct().ToListAsync(ct))
            .Order(StringComparer.Ordinal).ToList();
        return new HybridLabeling(routes, known, prompt);
    }

    /// <exception cref="ChatCompletionException">The category or the check request failed for good.</exception>
    public async Task<HybridOutcome> BeforePreferenceAsync(ChatCompletionsClient client, string? category, IReadOnlyList<(string Role, string Content)> turns,
        string responseA, string responseB, string? metadataJson, CancellationToken ct)
    {
        string? assigned = null;
        if (category is null && _categoryPrompt is not null)
        {
            var answer = await client.CompleteAsync(CategoryPrompt.Render(_categoryPrompt, Conversation(turns), _known), ct);
            assigned = CategoryPrompt.Parse(answer.Content, _known);
            category = assigned;
        }

        var route = HybridService.RouteOf(_routes, category);
        if (route == CategoryRoutes.Humans)
        {
            return new HybridOutcome(assigned, true, null);
        }

        if (route != CategoryRoutes.AiChecked)
        {
            return new HybridOutcome(assigned, false, null);
        }

        var reference = ReferenceAnswer(metadataJson);
        var check = await client.CompleteAsync(CorrectnessCheck.Render(Conversation(turns), responseA, responseB, reference), ct);
        return new HybridOutcome(assigned, false, CorrectnessCheck.Parse(check.Content, reference is not null));
    }

    /// <summary>The item's <c>reference_answer</c> from its metadata (a string, or any other JSON value as its text); null when it has none.</summary>
    public static string? ReferenceAnswer(string? metadataJson)
    {
        if (string.IsNullOrWhiteSpace(metadataJson))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(metadataJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("reference_answer", out var r))
            {
                return null;
            }

            var text = r.ValueKind == JsonValueKind.String ? r.GetString()! : r.ValueKind == JsonValueKind.Null ? "" : r.GetRawText();
            return text.Trim().Length == 0 ? null : text;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Conversation(IReadOnlyList<(string Role, string Content)> turns)
    {
        var text = new StringBuilder();
        foreach (var (role, content) in turns)
        {
            text.Append(text.Length > 0 ? "\n\n" : "").Append(role).Append(": ").Append(content);
        }

        return text.ToString();
    }
}

/// <summary>One item's hybrid step: the category the prompt gave it, whether it goes to humans only, and the correctness check.</summary>
internal sealed class HybridOutcome(string? assignedCategory, bool skip, CheckVerdict? check)
{
    public string? AssignedCategory { get; } = assignedCategory;
    public bool Skip { get; } = skip;
    public CheckVerdict? Check { get; } = check;

    /// <summary>The preference the labeler gave, before the check.</summary>
    public LlmVerdict? Preference { get; private set; }

    public bool DecidedByCheck { get; private set; }

    /// <summary>The label: the preference, unless the check judged exactly one response right, which then wins.</summary>
    public LlmVerdict Apply(LlmVerdict preference)
    {
        ArgumentNullException.ThrowIfNull(preference);
        Preference = preference;
        if (Check is null)
        {
            return preference;
        }

        var (choice, byCheck) = CorrectnessCheck.Decide(Check, preference.Choice);
        DecidedByCheck = byCheck;
        if (!byCheck)
        {
            return preference;
        }

        var note = $"Correctness check: {(choice == Core.Aggregation.PreferenceChoice.A ? "A right, B wrong" : "A wrong, B right")}.";
        return new LlmVerdict(choice, choice == preference.Choice ? preference.Confidence : null,
            preference.Rationale is { Length: > 0 } r ? $"{note} Preference: {preference.Choice}. {r}" : note);
    }

    /// <summary>The check's verdicts and what they did, for the label's provenance; null when there was no check.</summary>
    public string? CheckJson() => Check is null ? null : JsonSerializer.Serialize(new
    {
        reference = Check.Reference,
        aCorrect = Check.ACorrect,
        bCorrect = Check.BCorrect,
        solution = Check.Solution,
        reason = Check.Reason,
        preference = Preference?.Choice.ToString(),
        decidedBy = DecidedByCheck ? "check" : "preference",
    }, ProjectSettings.Json);
}
