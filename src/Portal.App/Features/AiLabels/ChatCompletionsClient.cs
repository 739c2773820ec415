using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;

namespace Portal.App.Features.AiLabels;

/// <summary>Where and how to ask: an OpenAI-compatible endpoint, its model and key, and the limits to keep.</summary>
/// <param name="BackoffBase">The first retry waits this long, each further one twice as long (a Retry-After header wins, up to a minute).</param>
public sealed record ChatEndpoint(
    string BaseUrl,
    string Model,
    string? ApiKey,
    int MaxRequestsPerMinute,
    int MaxRetries,
    TimeSpan Timeout,
    double Temperature,
    TimeSpan BackoffBase);

/// <summary>
/// An answer: the assistant message's content, how many HTTP requests it took, and the tokens the endpoint says it read and
/// wrote (<c>usage.prompt_tokens</c> and <c>usage.completion_tokens</c>; null when it does not say).
/// </summary>
public sealed record ChatAnswer(string? Content, string? Model, int Attempts, string RawBody, int? InputTokens = null, int? OutputTokens = null);

/// <summary>The endpoint refused or kept failing; <see cref="Answer"/> holds what it said last (no secrets: the key is never in it).</summary>
public sealed class ChatCompletionException(string message, string? answer = null, Exception? inner = null) : Exception(message, inner)
{
    public string? Answer { get; } = answer;
}

/// <summary>
/// A client of the chat-completions protocol: <c>POST {base}/chat/completions</c> with <c>{"model", "messages", "temperature"}</c>,
/// reading <c>choices[0].message.content</c>. Requests are spaced to keep under the endpoint's requests per minute (retries
/// count too), and a 429, a 5xx, a dropped connection or a timeout is retried with exponential backoff.
/// </summary>
public sealed class ChatCompletionsClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ChatEndpoint _endpoint;
    private readonly RateLimiter _limiter;
    private readonly Uri _uri;

    public ChatCompletionsClient(HttpClient http, ChatEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(endpoint.MaxRequestsPerMinute, 1);
        _http = http;
        _endpoint = endpoint;
        _uri = new Uri(endpoint.BaseUrl.TrimEnd('/') + "/chat/completions");

        // One token at a time, one every 60/rpm seconds: no burst, so any minute sees at most rpm (+1) requests.
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromTicks(TimeSpan.FromMinutes(1).Ticks / endpoint.MaxRequestsPerMinute),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>Asks the model one user message; throws <see cref="ChatCompletionException"/> when the endpoint refuses or every retry failed.</summary>
    public async Task<ChatAnswer> CompleteAsync(string prompt, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["model"] = _endpoint.Model,
            ["temperature"] = _endpoint.Temperature,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
        };
        string? last = null;
        for (var attempt = 1; ; attempt++)
        {
            using (var lease = await _limiter.AcquireAsync(1, ct))
            {
                if (!lease.IsAcquired)
                {
                    throw new ChatCompletionException("The rate limiter refused the request.");
                }
            }

            TimeSpan? retryAfter = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_endpoint.Timeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = JsonContent.Create(body) };
                if (!string.IsNullOrEmpty(_endpoint.ApiKey))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _endpoint.ApiKey);
                }

                using var response = await _http.SendAsync(request, timeout.Token);
                var text = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return Read(text, attempt);
                }

                last = $"HTTP {(int)response.StatusCode}: {Shorten(text)}";
                if (!Retryable(response.StatusCode))
                {
                    throw new ChatCompletionException($"The endpoint refused the request ({last}).", text);
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                last = $"no answer within {_endpoint.Timeout.TotalSeconds:0} s";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            if (attempt > _endpoint.MaxRetries)
            {
                throw new ChatCompletionException($"No answer after {attempt} attempt(s); the last: {last}.", last);
            }

            var backoff = retryAfter ?? TimeSpan.FromTicks(_endpoint.BackoffBase.Ticks * (1L << Math.Min(attempt - 1, 10)));
            await Task.Delay(backoff < TimeSpan.FromMinutes(1) ? backoff : TimeSpan.FromMinutes(1), ct);
        }
    }

    private static bool Retryable(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    private static ChatAnswer Read(string text, int attempts)
    {
        try
        {
            var root = JsonNode.Parse(text);
            var content = root?["choices"]?[0]?["message"]?["content"];
            if (content is null || content.GetValueKind() != JsonValueKind.String)
            {
                throw new ChatCompletionException("The response has no choices[0].message.content.", text);
            }

            var model = root?["model"]?.GetValueKind() == JsonValueKind.String ? root["model"]!.GetValue<string>() : null;
            var usage = root?["usage"];
            return new ChatAnswer(content.GetValue<string>(), model, attempts, text, Tokens(usage?["prompt_tokens"]), Tokens(usage?["completion_tokens"]));
        }
        catch (JsonException ex)
        {
            throw new ChatCompletionException("The response is not JSON.", text, ex);
        }
    }

    private static int? Tokens(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.Number && node.GetValue<double>() is var n && n >= 0 && n <= int.MaxValue ? (int)n : null;

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => _limiter.Dispose();
}
