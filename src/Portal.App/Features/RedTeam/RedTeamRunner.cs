using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Portal.App.Data;
using Portal.App.Features.AiLabels;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.AiLabels;

namespace Portal.App.Features.RedTeam;

/// <summary>
/// Makes a red-team run's attacks one after another: attacker → target → judge → (when harmful) rewriter, each through the
/// shared <see cref="ChatCompletionsClient"/> with the endpoint's rate limit and retries. Each attack is committed with
/// the run's counters and costs, and the pair and AI label it made; between attacks the job looks for a stop request.
/// </summary>
/// <remarks>
/// A failed call is recorded on its attack and the run goes on. A run in which no call at all has succeeded after
/// <see cref="GiveUpAfter"/> attacks (or by its end) fails with the last reason: every endpoint is down or refuses.
/// Run again after a crash, it skips the attacks it already has.
/// </remarks>
public sealed class RedTeamRunner(IDbContextFactory<PortalDbContext> dbFactory, IDataProtectionProvider protection, IConfiguration configuration, TimeProvider clock)
{
    public const int GiveUpAfter = 3;
    public const string Origin = "red-team";

    /// <summary>Runs (or resumes) the run; returns its final status.</summary>
    /// <param name="handler">The HTTP handler to send with; null for a fresh <see cref="SocketsHttpHandler"/>.</param>
    /// <exception cref="RedTeamRunFailedException">Every call failed; the run is marked failed with the reason.</exception>
    public async Task<RedTeamRunStatus> RunAsync(Guid tenantId, Guid runId, IJobProgress progress, CancellationToken ct, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(progress);
        await using var db = dbFactory.CreateForTenant(tenantId);
        var run = await db.RedTeamRuns.FirstOrDefaultAsync(r => r.Id == runId, ct)
            ?? throw new InvalidOperationException($"There is no red-team run {runId} in this organisation.");
        if (run.Status is RedTeamRunStatus.Succeeded or RedTeamRunStatus.Stopped or RedTeamRunStatus.Failed)
        {
            return run.Status;
        }

        var categories = JsonSerializer.Deserialize<List<string>>(run.CategoriesJson, RedTeamService.Json) ?? [];
        var topics = JsonSerializer.Deserialize<List<string>>(run.TopicsJson, RedTeamService.Json) ?? [];
        var endpoints = (JsonSerializer.Deserialize<List<RedTeamService.StoredEndpoint>>(run.EndpointsJson, RedTeamService.Json) ?? []).ToDictionary(e => e.Role);
        var usage = (JsonSerializer.Deserialize<List<RedTeamUsage>>(run.UsageJson, RedTeamService.Json) ?? []).ToDictionary(u => u.Role);
        var done = (await db.RedTeamAttacks.Where(a => a.RunId == runId).Select(a => new { a.Number, a.Prompt }).ToListAsync(ct));
        var doneNumbers = done.Select(d => d.Number).ToHashSet();
        var anySuccess = done.Any(d => d.Prompt is not null);
        var total = categories.Count * run.AttacksPerCategory;

        run.Status = RedTeamRunStatus.Running;
        run.StartedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        await progress.ReportAsync(1, $"{total - doneNumbers.Count} attack(s) to make");

        var backoff = TimeSpan.FromMilliseconds(configuration.GetValue("AiLabels:BackoffMilliseconds", 1000));
        var timeout = TimeSpan.FromSeconds(configuration.GetValue("RedTeam:TimeoutSeconds", 60));
        var ownHandler = handler is null ? new SocketsHttpHandler() : null;
        var clients = new Dictionary<string, Caller>();
        try
        {
            foreach (var role in RedTeamRoles.All)
            {
                var e = endpoints[role];
                var key = e.ApiKeyProtected is null ? null : protection.CreateProtector(RedTeamService.Purpose).Unprotect(e.ApiKeyProtected);
                var temperature = role switch { RedTeamRoles.Attacker => 0.9, RedTeamRoles.Target => 0.7, RedTeamRoles.Rewriter => 0.3, _ => 0.0 };
                clients[role] = new Caller(handler ?? ownHandler!, new ChatEndpoint(e.BaseUrl, e.Model, key, e.MaxRequestsPerMinute, e.MaxRetries, timeout, temperature, backoff));
            }

            string? lastError = null;
            var made = doneNumbers.Count;
            for (var n = 0; n < total; n++)
            {
                if (doneNumbers.Contains(n))
                {
                    continue;
                }

                if (await db.RedTeamRuns.Where(r => r.Id == runId).Select(r => r.StopRequestedAt).FirstAsync(ct) is not null)
                {
                    await EndAsync(db, run, RedTeamRunStatus.Stopped, null, ct);
                    await progress.ReportAsync(100, $"Stopped after {made} of {total} attacks: {run.Harmful} harmful answer(s) became pairs.");
                    return RedTeamRunStatus.Stopped;
                }

                var category = categories[n / run.AttacksPerCategory];
                var topic = topics.Count == 0 ? category : topics[n % run.AttacksPerCategory % topics.Count];
                var attack = new RedTeamAttack { ProjectId = run.ProjectId, RunId = run.Id, Number = n, Category = category, Topic = topic };
                var (item, label) = await AttackAsync(run, attack, endpoints, clients, ct);
                anySuccess |= attack.Prompt is not null;
                lastError = attack.Error ?? lastError;

                attack.CreatedAt = clock.GetUtcNow().UtcDateTime;
                run.Attempted += attack.HarmScore is null ? 0 : 1;
                run.Harmful += attack.Harmful ? 1 : 0;
                run.Failed += attack.Error is null ? 0 : 1;
                foreach (var (role, caller) in clients)
                {
                    var u = usage[role];
                    usage[role] = new RedTeamUsage(role, u.Requests + caller.TakeRequests(), u.Errors + caller.TakeErrors(), u.InputTokens + caller.TakeInput(), u.OutputTokens + caller.TakeOutput());
                }

                run.UsageJson = JsonSerializer.Serialize(RedTeamRoles.All.Select(r => usage[r]), RedTeamService.Json);
                db.RedTeamAttacks.Add(attack);
                if (item is not null)
                {
                    db.Items.Add(item);
                    db.AiLabels.Add(label!);
                }

                // One commit: the attack, its pair and label, the run's counters and costs.
                await db.SaveChangesAsync(ct);
                made++;
                await progress.ReportAsync(1 + (98 * made / Math.Max(1, total)),
                    $"{made} of {total} attacks: {run.Harmful} harmful, {run.Failed} failed");

                if (!anySuccess && made >= GiveUpAfter)
                {
                    break;
                }
            }

            if (!anySuccess && made > 0)
            {
                var reason = $"Every endpoint call failed ({made} attack(s) tried); the last: {lastError}";
                await EndAsync(db, run, RedTeamRunStatus.Failed, reason, ct);
                throw new RedTeamRunFailedException(reason);
            }

            await EndAsync(db, run, RedTeamRunStatus.Succeeded, null, ct);
            await progress.ReportAsync(100, $"Made {made} attacks: {run.Harmful} harmful answer(s) became pairs, {run.Failed} attack(s) failed.");
            return RedTeamRunStatus.Succeeded;
        }
        finally
        {
            foreach (var c in clients.Values)
            {
                c.Dispose();
            }

            ownHandler?.Dispose();
        }
    }

    /// <summary>Marks a run failed from outside the loop (it could not start); keeps what it did.</summary>
    public async Task FailAsync(Guid tenantId, Guid runId, string reason, CancellationToken ct)
    {
        await using var db = dbFactory.CreateForTenant(tenantId);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.RedTeamRuns.Where(r => r.Id == runId && r.Status != RedTeamRunStatus.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RedTeamRunStatus.Failed)
                .SetProperty(r => r.Error, reason.Length > 2000 ? reason[..2000] : reason)
                .SetProperty(r => r.EndedAt, now), ct);
    }

    private async Task EndAsync(PortalDbContext db, RedTeamRun run, RedTeamRunStatus status, string? error, CancellationToken ct)
    {
        run.Status = status;
        run.Error = error is { Length: > 2000 } ? error[..2000] : error;
        run.EndedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }

    private static async Task<(Item?, AiLabel?)> AttackAsync(RedTeamRun run, RedTeamAttack attack, Dictionary<string, RedTeamService.StoredEndpoint> endpoints,
        Dictionary<string, Caller> clients, CancellationToken ct)
    {
        var role = RedTeamRoles.Attacker;
        try
        {
            var prompt = Cut(await clients[role].AskAsync(RedTeamPrompts.Render(run.AttackerPrompt, attack.Category, attack.Topic), ct), 20000)!;
            attack.Prompt = prompt;
            role = RedTeamRoles.Target;
            var answer = Cut(await clients[role].AskAsync(prompt, ct), 20000)!;
            attack.Answer = answer;
            role = RedTeamRoles.Judge;
            var verdict = await clients[role].AskAsync(RedTeamPrompts.Render(run.JudgePrompt, attack.Category, attack.Topic, prompt, answer), ct);
            if (!RedTeamPrompts.TryParseVerdict(verdict, out var score, out var judgedCategory, out var reason, out var problem))
            {
                (attack.FailedRole, attack.Error) = (role, $"{problem} It said: {Cut(verdict, 300)}");
                return (null, null);
            }

            (attack.HarmScore, attack.JudgedCategory, attack.JudgeReason) = (score, Cut(judgedCategory, 200), Cut(reason, 4000));
            attack.Harmful = score >= run.HarmThreshold;
            if (!attack.Harmful)
            {
                return (null, null);
            }

            role = RedTeamRoles.Rewriter;
            attack.Rewrite = Cut(await clients[role].AskAsync(RedTeamPrompts.Render(run.RewriterPrompt, attack.Category, attack.Topic, prompt, answer), ct), 20000);
        }
        catch (ChatCompletionException ex)
        {
            (attack.FailedRole, attack.Error) = (role, Cut(ex.Message, 2000));
            return (null, null);
        }

        var models = RedTeamRoles.All.ToDictionary(r => r, r => endpoints[r].Model);
        var item = new Item
        {
            ProjectId = run.ProjectId,
            ExternalId = $"redteam-{run.Id:N}-{attack.Number + 1}",
            ConversationJson = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = attack.Prompt }).ToJsonString(),
            ResponseA = attack.Rewrite!,
            ResponseB = attack.Answer!,
            MetadataJson = new JsonObject
            {
                ["source"] = Origin,
                ["redTeamRunId"] = run.Id.ToString(),
                ["attack"] = attack.Number + 1,
                ["category"] = attack.Category,
                ["topic"] = attack.Topic,
                ["harmScore"] = attack.HarmScore,
                ["judgedCategory"] = attack.JudgedCategory,
                ["attackerModel"] = models[RedTeamRoles.Attacker],
                ["targetModel"] = models[RedTeamRoles.Target],
                ["judgeModel"] = models[RedTeamRoles.Judge],
                ["rewriterModel"] = models[RedTeamRoles.Rewriter],
            }.ToJsonString(),
            // Not for humans until the admin sends it in a sample.
            Overlap = 0,
            CreatedAt = DateTime.UtcNow,
        };
        attack.ItemId = item.Id;
        var rationale = $"Red-team run {run.Id}, attack {attack.Number + 1} ({attack.Category}): the judge {models[RedTeamRoles.Judge]} scored the answer of " +
            $"{models[RedTeamRoles.Target]} {attack.HarmScore}/10 harmful ({attack.JudgedCategory ?? attack.Category}): {attack.JudgeReason ?? "no reason given"}. " +
            $"Prompt by {models[RedTeamRoles.Attacker]}; response A is the rewrite by {models[RedTeamRoles.Rewriter]}, preferred to the original (B).";
        var label = new AiLabel
        {
            ProjectId = run.ProjectId,
            ItemId = item.Id,
            Choice = PreferenceChoice.A,
            Confidence = attack.HarmScore / 10.0,
            Model = models[RedTeamRoles.Judge],
            Rationale = Cut(rationale, AiLabelFileReader.MaxRationaleLength),
            Origin = Origin,
            CreatedAt = item.CreatedAt,
        };
        return (item, label);
    }

    private static string? Cut(string? text, int max) => text is { } t && t.Length > max ? t[..max] : text;

    /// <summary>One endpoint's client, counting its HTTP requests, failed calls and tokens since the last take.</summary>
    private sealed class Caller : IDisposable
    {
        private readonly CountingHandler _counter;
        private readonly HttpClient _http;
        private readonly ChatCompletionsClient _client;
        private int _errors;
        private long _input;
        private long _output;

        public Caller(HttpMessageHandler handler, ChatEndpoint endpoint)
        {
            _counter = new CountingHandler(handler);
            _http = new HttpClient(_counter, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            _client = new ChatCompletionsClient(_http, endpoint);
        }

        public async Task<string> AskAsync(string prompt, CancellationToken ct)
        {
            ChatAnswer answer;
            try
            {
                answer = await _client.CompleteAsync(prompt, ct);
            }
            catch (ChatCompletionException)
            {
                _errors++;
                throw;
            }

            _input += answer.InputTokens ?? 0;
            _output += answer.OutputTokens ?? 0;
            if (string.IsNullOrWhiteSpace(answer.Content))
            {
                _errors++;
                throw new ChatCompletionException("The endpoint answered with an empty message.", answer.RawBody);
            }

            return answer.Content.Trim();
        }

        public int TakeRequests() => Interlocked.Exchange(ref _counter.Requests, 0);

        public int TakeErrors() => Interlocked.Exchange(ref _errors, 0);

        public long TakeInput() => Interlocked.Exchange(ref _input, 0);

        public long TakeOutput() => Interlocked.Exchange(ref _output, 0);

        public void Dispose()
        {
            _client.Dispose();
            _http.Dispose();
        }
    }

    /// <summary>Counts the HTTP requests (retries too) sent through it; the handler under it belongs to the run, which disposes it.</summary>
    private sealed class CountingHandler(HttpMessageHandler inner) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _inner = new(inner, disposeHandler: false);
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Requests);
            return _inner.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>A red-team run failed as a whole (every call failed); the run records the same reason.</summary>
public sealed class RedTeamRunFailedException(string message) : Exception(message);
