using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Http.Resilience;
using OpenAI;
using OpenAI.Chat;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

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
/// A client of the chat-completions protocol (<c>POST {base}/chat/completions</c>) on Microsoft.Extensions.AI: an
/// <see cref="IChatClient"/> from Microsoft.Extensions.AI.OpenAI asks, and a Microsoft.Extensions.Http.Resilience pipeline
/// under it retries a 429, a 5xx, a dropped connection or a timeout with exponential backoff (or the endpoint's
/// Retry-After, up to a minute), gives every attempt its own timeout, and spaces the requests with a token bucket to keep
/// under the endpoint's requests per minute (retries count too).
/// </summary>
/// <remarks>
/// The pipeline sits between the OpenAI transport and the caller's <see cref="HttpClient"/>, which sends every attempt;
/// the OpenAI library's own retries are off, so an attempt is counted once. The attempt's status and body are recorded per
/// call (the OpenAI library keeps neither), for <see cref="ChatAnswer.RawBody"/> and for errors that say what the endpoint
/// answered. The key travels only in the Authorization header and is never part of a message.
/// </remarks>
public sealed class ChatCompletionsClient : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    private static readonly AsyncLocal<CallRecord?> CurrentCall = new();

    private readonly ChatEndpoint _endpoint;
    private readonly RateLimiter _limiter;
    private readonly HttpClient _pipelineHttp;
    private readonly IChatClient _chat;
    private readonly ChatOptions _options;

    public ChatCompletionsClient(HttpClient http, ChatEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(endpoint.MaxRequestsPerMinute, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(endpoint.MaxRetries);
        _endpoint = endpoint;

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

        // Retry outermost, so that every attempt waits for its token and gets its own timeout; the token is taken before
        // the timeout starts, so waiting in the queue never eats an attempt's time.
        // No retry strategy when the endpoint allows none: Polly's retry refuses 0 attempts.
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (endpoint.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = endpoint.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = endpoint.BackoffBase,
                MaxDelay = MaxBackoff,
                ShouldRetryAfterHeader = false,
                DelayGenerator = RetryAfter,
            });
        }

        var pipeline = builder
            .AddRateLimiter(_limiter)
            .AddTimeout(new TimeoutStrategyOptions { Timeout = Clamp(endpoint.Timeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(24)) })
            .Build();
        _pipelineHttp = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = new AttemptHandler(http, endpoint) })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };

        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint.BaseUrl.TrimEnd('/')),
            Transport = new HttpClientPipelineTransport(_pipelineHttp),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = System.Threading.Timeout.InfiniteTimeSpan,
        };

        // An endpoint without a key (a local server) gets no Authorization header: AttemptHandler drops the placeholder.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(endpoint.ApiKey) ? "no-key" : endpoint.ApiKey);
        _chat = new ChatClient(endpoint.Model, credential, options).AsIChatClient();
        _options = new ChatOptions { ModelId = endpoint.Model, Temperature = (float)endpoint.Temperature };
    }

    /// <summary>Asks the model one user message; throws <see cref="ChatCompletionException"/> when the endpoint refuses or every retry failed.</summary>
    public async Task<ChatAnswer> CompleteAsync(string prompt, CancellationToken ct)
    {
        var call = new CallRecord(ct);
        CurrentCall.Value = call;
        ChatResponse response;
        try
        {
            response = await _chat.GetResponseAsync(prompt, _options, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (RateLimiterRejectedException ex)
        {
            throw new ChatCompletionException("The rate limiter refused the request.", null, ex);
        }
        catch (Exception ex) when (ex is not ChatCompletionException)
        {
            // Whatever the OpenAI library or the pipeline threw (a ClientResultException for a status, a timeout, a body it
            // could not read), the message says what the endpoint answered, from the attempts' record.
            throw Failure(call, ex);
        }
        finally
        {
            CurrentCall.Value = null;
        }

        var body = call.Body ?? "";
        if (!response.Messages.SelectMany(m => m.Contents).OfType<TextContent>().Any())
        {
            throw Unreadable(body, null);
        }

        return new ChatAnswer(response.Text, response.ModelId, call.Attempts, body,
            Tokens(response.Usage?.InputTokenCount), Tokens(response.Usage?.OutputTokenCount));
    }

    private ChatCompletionException Failure(CallRecord call, Exception ex)
    {
        if (call.Status is { } status && (int)status is >= 200 and < 300)
        {
            return Unreadable(call.Body ?? "", ex);
        }

        if (call.Status is { } refused && !Retryable(refused))
        {
            return new ChatCompletionException($"The endpoint refused the request ({call.Last}).", call.Body, ex);
        }

        var last = call.Last ?? (ex is TimeoutRejectedException ? TimedOut(_endpoint.Timeout) : ex.Message);
        return new ChatCompletionException($"No answer after {call.Attempts} attempt(s); the last: {last}.", last, ex);
    }

    private static ChatCompletionException Unreadable(string body, Exception? inner)
    {
        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return new ChatCompletionException("The response is not JSON.", body, ex);
        }

        return new ChatCompletionException("The response has no choices[0].message.content.", body, inner);
    }

    /// <summary>The endpoint's Retry-After (seconds or a date), else the exponential backoff; never more than a minute.</summary>
    private static ValueTask<TimeSpan?> RetryAfter(RetryDelayGeneratorArguments<HttpResponseMessage> args)
    {
        var header = args.Outcome.Result?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return ValueTask.FromResult<TimeSpan?>(wait is { } w && w >= TimeSpan.Zero ? Clamp(w, TimeSpan.Zero, MaxBackoff) : null);
    }

    private static bool Retryable(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    private static int? Tokens(long? count) => count is { } n && n >= 0 && n <= int.MaxValue ? (int)n : null;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private static string TimedOut(TimeSpan timeout) =>
        string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.#} s");

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose()
    {
        _pipelineHttp.Dispose();
        _limiter.Dispose();
    }

    /// <summary>What one call's attempts met: how many were sent, and the last one's status, body or failure.</summary>
    private sealed class CallRecord(CancellationToken callerToken)
    {
        private int _attempts;

        public CancellationToken CallerToken { get; } = callerToken;

        public int Attempts => Volatile.Read(ref _attempts);

        public HttpStatusCode? Status { get; set; }

        public string? Body { get; set; }

        public string? Last { get; set; }

        public void Count() => Interlocked.Increment(ref _attempts);
    }

    /// <summary>
    /// The innermost step, run once per attempt: sends a copy of the request through the caller's <see cref="HttpClient"/>
    /// (a request message can be sent only once) and records what came back for the call in progress.
    /// </summary>
    private sealed class AttemptHandler(HttpClient http, ChatEndpoint endpoint) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = CurrentCall.Value;
            call?.Count();
            using var copy = await CopyAsync(request, cancellationToken);
            try
            {
                var response = await http.SendAsync(copy, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (call is not null)
                {
                    (call.Status, call.Body, call.Last) = (response.StatusCode, body, response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}: {Shorten(body)}");
                }

                return response;
            }
            catch (OperationCanceledException) when (call is not null && !call.CallerToken.IsCancellationRequested)
            {
                (call.Status, call.Body, call.Last) = (null, null, TimedOut(endpoint.Timeout));
                throw;
            }
            catch (HttpRequestException ex) when (call is not null)
            {
                (call.Status, call.Body, call.Last) = (null, null, ex.Message);
                throw;
            }
        }

        private async Task<HttpRequestMessage> CopyAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
            foreach (var (name, values) in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(name, values);
            }

            if (string.IsNullOrEmpty(endpoint.ApiKey))
            {
                copy.Headers.Authorization = null;
            }

            if (request.Content is { } content)
            {
                copy.Content = new ByteArrayContent(await content.ReadAsByteArrayAsync(ct));
                foreach (var (name, values) in content.Headers)
                {
                    copy.Content.Headers.TryAddWithoutValidation(name, values);
                }
            }

            return copy;
        }
    }
}
