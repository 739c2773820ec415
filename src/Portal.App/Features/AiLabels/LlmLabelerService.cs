using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Portal.App.Data;
using Portal.App.Features.Hybrid;
using Portal.App.Features.Organisations;
using Portal.App.Features.Projects;
using Portal.App.Jobs;
using Portal.Core.AiLabels;

namespace Portal.App.Features.AiLabels;

/// <summary>A project's LLM labeler settings as pages and the API show them: the key only as whether there is one.</summary>
public sealed record LlmSettingsView(
    string BaseUrl,
    string Model,
    bool HasApiKey,
    string PromptTemplate,
    int PromptVersion,
    int MaxRequestsPerMinute,
    int MaxRetries,
    int TimeoutSeconds,
    double Temperature,
    DateTime? UpdatedAt);

/// <summary>A change of the settings. <see cref="ApiKey"/>: null keeps the stored key, "" removes it, anything else replaces it.</summary>
public sealed record LlmSettingsInput(
    string? BaseUrl,
    string? Model,
    string? ApiKey,
    string? PromptTemplate,
    int? MaxRequestsPerMinute,
    int? MaxRetries,
    int? TimeoutSeconds,
    double? Temperature);

public sealed record LlmLabelResult(int Asked, int Labelled, int Errors)
{
    /// <summary>Items the labeler left to humans: their category (perhaps just assigned by the category prompt) routes <c>humans</c>.</summary>
    public int Skipped { get; init; }

    /// <summary>Labels whose correctness check decided the choice (a right response over a wrong one).</summary>
    public int DecidedByCheck { get; init; }

    /// <summary>Items the category prompt gave a category.</summary>
    public int Categorised { get; init; }
}

/// <summary>The project's LLM labeler: its settings (key write-only) and the labeling run the <c>label-with-llm</c> job makes.</summary>
public sealed class LlmLabelerService(IDbContextFactory<PortalDbContext> dbFactory, IDataProtectionProvider protection, IConfiguration configuration, TimeProvider clock)
{
    private const int Chunk = 20;
    private const string Purpose = "Portal.LlmLabeler.ApiKey";

    private IDataProtector Protector => protection.CreateProtector(Purpose);

    public static LlmSettingsView Defaults { get; } = new("", "", false, PromptTemplate.Default, 1, 60, 3, 60, 0, null);

    /// <summary>The settings (defaults when none were saved); null when there is no such project.</summary>
    public async Task<LlmSettingsView?> GetSettingsAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return null;
        }

        var s = await db.LlmLabelerSettings.AsNoTracking().FirstOrDefaultAsync(x => x.ProjectId == projectId, ct);
        return s is null ? Defaults : View(s);
    }

    private static LlmSettingsView View(LlmLabelerSettings s) => new(s.BaseUrl, s.Model, s.ApiKeyProtected is not null, s.PromptTemplate, s.PromptVersion,
        s.MaxRequestsPerMinute, s.MaxRetries, s.TimeoutSeconds, s.Temperature, s.UpdatedAt);

    /// <summary>Saves a change; the prompt version goes up by one when the template changes. Null when there is no such project.</summary>
    /// <exception cref="ValidationProblemsException">A field is invalid; nothing is saved.</exception>
    public async Task<LlmSettingsView?> SaveSettingsAsync(Guid orgId, Guid projectId, LlmSettingsInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var s = await db.LlmLabelerSettings.FirstOrDefaultAsync(x => x.ProjectId == projectId, ct);
        var isNew = s is null;
        s ??= new LlmLabelerSettings { ProjectId = projectId, PromptTemplate = PromptTemplate.Default };
        var problems = new List<(string, string)>();
        if (project.Kind == ProjectKind.Likert)
        {
            problems.Add(("project", "The LLM labeler compares two responses; this is a Likert project."));
        }

        var baseUrl = (input.BaseUrl ?? s.BaseUrl).Trim();
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || baseUrl.Length > 500)
        {
            problems.Add(("baseUrl", "The base URL is an absolute http(s) URL such as https://api.example.com/v1 (at most 500 characters)."));
        }

        var model = (input.Model ?? s.Model).Trim();
        if (model.Length is 0 or > 200)
        {
            problems.Add(("model", "The model name is 1 to 200 characters."));
        }

        var template = input.PromptTemplate ?? s.PromptTemplate;
        if (PromptTemplate.Problem(template) is { } bad)
        {
            problems.Add(("promptTemplate", bad));
        }
        else if (template.Length > 20000)
        {
            problems.Add(("promptTemplate", "The prompt template is at most 20,000 characters."));
        }

        var rpm = input.MaxRequestsPerMinute ?? s.MaxRequestsPerMinute;
        if (rpm is < 1 or > 100_000)
        {
            problems.Add(("maxRequestsPerMinute", "Requests per minute are 1 to 100,000."));
        }

        var retries = input.MaxRetries ?? s.MaxRetries;
        if (retries is < 0 or > 10)
        {
            problems.Add(("maxRetries", "Retries are 0 to 10."));
        }

        var timeout = input.TimeoutSeconds ?? s.TimeoutSeconds;
        if (timeout is < 1 or > 600)
        {
            problems.Add(("timeoutSeconds", "The timeout is 1 to 600 seconds."));
        }

        var temperature = input.Temperature ?? s.Temperature;
        if (temperature is < 0 or > 2 || double.IsNaN(temperature))
        {
            problems.Add(("temperature", "The temperature is 0 to 2."));
        }

        if (input.ApiKey is { Length: > 1000 })
        {
            problems.Add(("apiKey", "The API key is at most 1000 characters."));
        }

        if (problems.Count > 0)
        {
            throw new ValidationProblemsException(problems);
        }

        if (!isNew && !string.Equals(template, s.PromptTemplate, StringComparison.Ordinal))
        {
            s.PromptVersion++;
        }

        s.BaseUrl = baseUrl;
        s.Model = model;
        s.PromptTemplate = template;
        s.MaxRequestsPerMinute = rpm;
        s.MaxRetries = retries;
        s.TimeoutSeconds = timeout;
        s.Temperature = temperature;
        if (input.ApiKey is { } key)
        {
            s.ApiKeyProtected = key.Trim().Length == 0 ? null : Protector.Protect(key.Trim());
        }

        s.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        if (isNew)
        {
            db.LlmLabelerSettings.Add(s);
        }

        await db.SaveChangesAsync(ct);
        return View(s);
    }

    /// <summary>
    /// Asks the project's LLM about every pairwise item (gold items left out) that has no AI label, or about all of them;
    /// each answer becomes an AI label with the prompt version, or an <see cref="AiLabelError"/> when it cannot be read.
    /// </summary>
    /// <param name="handler">The HTTP handler to send with; null for a fresh <see cref="SocketsHttpHandler"/>.</param>
    public async Task<LlmLabelResult> LabelAsync(Guid tenantId, Guid projectId, bool all, IJobProgress progress, CancellationToken ct, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(progress);
        await using var db = dbFactory.CreateForTenant(tenantId);
        var settings = await db.LlmLabelerSettings.AsNoTracking().FirstOrDefaultAsync(s => s.ProjectId == projectId, ct)
            ?? throw new PortalValidationException("settings", "The project has no LLM labeler yet: set its endpoint and model first.");
        var apiKey = settings.ApiKeyProtected is null ? null : Protector.Unprotect(settings.ApiKeyProtected);
        var humans = HybridService.HumansOnly(db, projectId);
        var hybrid = await HybridLabeling.LoadAsync(db, projectId, ct);
        var ids = await db.Items.AsNoTracking()
            .Where(i => i.ProjectId == projectId && !i.IsGold && i.ResponseB != null && (all || !db.AiLabels.Any(l => l.ItemId == i.Id))
                && (i.Category == null || !humans.Contains(i.Category)))
            .OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(ct);
        await progress.ReportAsync(1, $"{ids.Count} item(s) to label with {settings.Model}");

        var endpoint = new ChatEndpoint(settings.BaseUrl, settings.Model, apiKey, settings.MaxRequestsPerMinute, settings.MaxRetries,
            TimeSpan.FromSeconds(settings.TimeoutSeconds), settings.Temperature,
            TimeSpan.FromMilliseconds(configuration.GetValue("AiLabels:BackoffMilliseconds", 1000)));
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = Timeout.InfiniteTimeSpan;
        using var client = new ChatCompletionsClient(http, endpoint);
        var parallel = Math.Clamp(configuration.GetValue("AiLabels:Parallel", 4), 1, 32);
        var (labelled, errors, asked, skipped, byCheck, categorised) = (0, 0, 0, 0, 0, 0);
        foreach (var chunk in ids.Chunk(Chunk))
        {
            var items = await db.Items.AsNoTracking().Where(i => chunk.Contains(i.Id))
                .Select(i => new { i.Id, i.ConversationJson, i.ResponseA, i.ResponseB, i.Category, i.MetadataJson }).ToListAsync(ct);
            var outcomes = new (Guid ItemId, LlmVerdict? Verdict, string? Answer, string? Error)[items.Count];
            var routed = new HybridOutcome?[items.Count];
            await Parallel.ForAsync(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (i, token) =>
            {
                var item = items[i];
                var turns = Turns(item.ConversationJson);
                var prompt = PromptTemplate.Render(settings.PromptTemplate, turns, item.ResponseA, item.ResponseB!);
                try
                {
                    // Category first (when the item has none), then its route: humans skip the labeler, ai-checked is checked first.
                    var route = routed[i] = await hybrid.BeforePreferenceAsync(client, item.Category, turns, item.ResponseA, item.ResponseB!, item.MetadataJson, token);
                    if (route.Skip)
                    {
                        return;
                    }

                    var answer = await client.CompleteAsync(prompt, token);
                    outcomes[i] = LlmAnswer.TryParse(answer.Content, out var verdict, out var error)
                        ? (item.Id, route.Apply(verdict!), answer.Content, null)
                        : (item.Id, null, answer.Content ?? answer.RawBody, error);
                }
                catch (ChatCompletionException ex)
                {
                    outcomes[i] = (item.Id, null, ex.Answer, ex.Message);
                }
            });

            var now = clock.GetUtcNow().UtcDateTime;
            var good = outcomes.Where(o => o.Verdict is not null).Select(o => o.ItemId).ToList();
            for (var k = 0; k < items.Count; k++)
            {
                if (routed[k] is { AssignedCategory: { } assigned })
                {
                    var id = items[k].Id;
                    await db.Items.Where(x => x.Id == id && x.Category == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.Category, assigned), ct);
                    categorised++;
                }
            }

            // A chunk's old labels go and its new ones come in one commit: a job killed between them loses no label.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.AiLabels.Where(l => good.Contains(l.ItemId)).ExecuteDeleteAsync(ct);
            for (var k = 0; k < outcomes.Length; k++)
            {
                var o = outcomes[k];
                if (routed[k] is { Skip: true })
                {
                    skipped++;
                    continue;
                }

                if (o.Verdict is { } v)
                {
                    db.AiLabels.Add(new AiLabel
                    {
                        ProjectId = projectId,
                        ItemId = o.ItemId,
                        Choice = v.Choice,
                        Confidence = v.Confidence,
                        Model = settings.Model,
                        Rationale = v.Rationale,
                        Origin = "llm",
                        PromptVersion = settings.PromptVersion,
                        CheckJson = routed[k]?.CheckJson(),
                        CreatedAt = now,
                    });
                    labelled++;
                    byCheck += routed[k]?.DecidedByCheck == true ? 1 : 0;
                }
                else
                {
                    db.AiLabelErrors.Add(new AiLabelError
                    {
                        ProjectId = projectId,
                        ItemId = o.ItemId,
                        Model = settings.Model,
                        PromptVersion = settings.PromptVersion,
                        Answer = o.Answer is { Length: > AiLabelFileReader.MaxRationaleLength } a ? a[..AiLabelFileReader.MaxRationaleLength] : o.Answer,
                        Error = o.Error is { Length: > 2000 } e ? e[..2000] : o.Error ?? "",
                        CreatedAt = now,
                    });
                    errors++;
                }
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            db.ChangeTracker.Clear();
            asked += items.Count;
            await progress.ReportAsync(1 + (98 * asked / Math.Max(1, ids.Count)), $"{asked} of {ids.Count} asked: {labelled} labelled, {errors} error(s)");
        }

        var result = new LlmLabelResult(asked, labelled, errors) { Skipped = skipped, DecidedByCheck = byCheck, Categorised = categorised };
        var hybridNote = skipped + byCheck + categorised == 0 ? ""
            : $" By category: {categorised} categorised, {skipped} left to humans, {byCheck} decided by the correctness check.";
        await progress.ReportAsync(100, $"Asked {settings.Model} about {asked} item(s): {labelled} labelled, {errors} answer(s) kept as errors (prompt v{settings.PromptVersion}).{hybridNote}");
        return result;
    }

    private static List<(string Role, string Content)> Turns(string conversationJson)
    {
        var turns = new List<(string, string)>();
        try
        {
            using var doc = JsonDocument.Parse(conversationJson);
            foreach (var t in doc.RootElement.EnumerateArray())
            {
                if (t.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
                {
                    turns.Add((t.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "user", c.GetString()!));
                }
            }
        }
        catch (JsonException)
        {
            // A conversation that is not the JSON the import writes: ask with an empty one rather than not at all.
        }

        return turns;
    }
}
