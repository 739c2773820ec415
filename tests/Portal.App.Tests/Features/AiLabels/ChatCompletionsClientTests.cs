using Portal.App.Features.AiLabels;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.AiLabels;

/// <summary>The client against a local endpoint speaking the chat-completions protocol over real HTTP.</summary>
public sealed class ChatCompletionsClientTests
{
    private static ChatEndpoint Endpoint(FakeChatServer server, int rpm = 6000, int retries = 3, double timeoutSeconds = 10, int backoffMs = 50) =>
        new(server.BaseUrl, "judge-1", "sk-test-secret", rpm, retries, TimeSpan.FromSeconds(timeoutSeconds), 0, TimeSpan.FromMilliseconds(backoffMs));

    [Fact]
    public async Task Complete_Ok_SendsModelPromptAndKeyAndReadsTheContent()
    {
        await using var server = await FakeChatServer.StartAsync(r => ChatReply.Content($"echo: {r.Prompt}"));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server));

        var answer = await client.CompleteAsync("Which is better?", default);

        Assert.Equal(("echo: Which is better?", "fake-model", 1), (answer.Content, answer.Model, answer.Attempts));
        var request = Assert.Single(server.Requests);
        Assert.Equal(("Bearer sk-test-secret", "judge-1", "Which is better?"), (request.Authorization, request.Model, request.Prompt));
    }

    [Fact]
    public async Task Complete_UsageInTheAnswer_ReportsTheTokensReadAndWritten()
    {
        await using var server = await FakeChatServer.StartAsync(r => r.Number == 1 ? ChatReply.Content("A", promptTokens: 812, completionTokens: 37) : ChatReply.Content("B"));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server));

        var counted = await client.CompleteAsync("first", default);
        var uncounted = await client.CompleteAsync("second", default);

        Assert.Equal((812, 37), (counted.InputTokens, counted.OutputTokens));
        Assert.Equal((null, null), (uncounted.InputTokens, uncounted.OutputTokens));
    }

    [Fact]
    public async Task Complete_429Then503ThenOk_RetriesWithGrowingBackoff()
    {
        await using var server = await FakeChatServer.StartAsync(r => r.Number switch
        {
            1 => ChatReply.Fail(429),
            2 => ChatReply.Fail(503),
            _ => ChatReply.Content("""{"choice": "A"}"""),
        });
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server, backoffMs: 150));

        var answer = await client.CompleteAsync("p", default);

        Assert.Equal(3, answer.Attempts);
        var at = server.Requests.Select(r => r.At).ToArray();
        Assert.Equal(3, at.Length);
        // Backoff 150 ms, then 300 ms (less a little for clock granularity).
        Assert.True(at[1] - at[0] >= TimeSpan.FromMilliseconds(130), $"first retry after {(at[1] - at[0]).TotalMilliseconds} ms");
        Assert.True(at[2] - at[1] >= TimeSpan.FromMilliseconds(280), $"second retry after {(at[2] - at[1]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Complete_AlwaysFailing_GivesUpAfterTheRetriesAndSaysWhy()
    {
        await using var server = await FakeChatServer.StartAsync(_ => ChatReply.Fail(500, "boom"));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server, retries: 2));

        var ex = await Assert.ThrowsAsync<ChatCompletionException>(() => client.CompleteAsync("p", default));

        Assert.Equal(3, server.Requests.Count);
        Assert.Contains("after 3 attempt(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500: boom", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_NoRetriesAllowed_AsksOnceAndSaysWhy()
    {
        await using var server = await FakeChatServer.StartAsync(_ => ChatReply.Fail(503, "busy"));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server, retries: 0));

        var ex = await Assert.ThrowsAsync<ChatCompletionException>(() => client.CompleteAsync("p", default));

        Assert.Single(server.Requests);
        Assert.Contains("after 1 attempt(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 503: busy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_401_IsNotRetried()
    {
        await using var server = await FakeChatServer.StartAsync(_ => ChatReply.Fail(401, """{"error": "bad key"}"""));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server));

        var ex = await Assert.ThrowsAsync<ChatCompletionException>(() => client.CompleteAsync("p", default));

        Assert.Single(server.Requests);
        Assert.Contains("refused", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_SlowAnswer_TimesOutAndRetries()
    {
        await using var server = await FakeChatServer.StartAsync(r => r.Number == 1
            ? ChatReply.Content("late") with { Delay = TimeSpan.FromSeconds(5) }
            : ChatReply.Content("in time"));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server, timeoutSeconds: 0.3));

        var answer = await client.CompleteAsync("p", default);

        // Only the second request answers "in time": the first was abandoned at its timeout, not waited for (no
        // clock is read, so this holds on a machine under any load).
        Assert.Equal(("in time", 2), (answer.Content, answer.Attempts));
    }

    [Fact]
    public async Task Complete_NotTheProtocol_IsAnErrorWithTheBody()
    {
        await using var server = await FakeChatServer.StartAsync(_ => new ChatReply(200, """{"result": "A"}"""));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server));

        var ex = await Assert.ThrowsAsync<ChatCompletionException>(() => client.CompleteAsync("p", default));

        Assert.Contains("choices[0].message.content", ex.Message, StringComparison.Ordinal);
        Assert.Equal("""{"result": "A"}""", ex.Answer);
    }

    [Fact]
    public async Task Complete_ManyInParallel_KeepsToTheRequestsPerMinute()
    {
        await using var server = await FakeChatServer.StartAsync(_ => ChatReply.Content("ok"));
        using var http = new HttpClient();
        // 300 a minute: one request every 200 ms, however many callers wait.
        using var client = new ChatCompletionsClient(http, Endpoint(server, rpm: 300));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.CompleteAsync("p", default)));

        var at = server.Requests.Select(r => r.At).Order().ToArray();
        Assert.Equal(8, at.Length);
        var gaps = at.Zip(at.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToArray();
        Assert.True(at[^1] - at[0] >= TimeSpan.FromMilliseconds(7 * 200 - 100), $"8 requests within {(at[^1] - at[0]).TotalMilliseconds} ms; gaps {string.Join(", ", gaps)}");
        // No check on single gaps: on a loaded machine a request released on time can arrive late and bunch with the next.
    }

    [Fact]
    public async Task Complete_429WithRetryAfter_WaitsWhatTheEndpointAsksNotTheBackoff()
    {
        await using var server = await FakeChatServer.StartAsync(r => r.Number == 1 ? ChatReply.Fail(429) with { RetryAfterSeconds = 1 } : ChatReply.Content("ok"));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server, backoffMs: 10));

        var answer = await client.CompleteAsync("p", default);

        Assert.Equal(("ok", 2), (answer.Content, answer.Attempts));
        var at = server.Requests.Select(r => r.At).ToArray();
        // Retry-After: 1 wins over the 10 ms backoff (less a little for clock granularity).
        Assert.True(at[1] - at[0] >= TimeSpan.FromMilliseconds(950), $"retried after {(at[1] - at[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Complete_NoKey_SendsNoAuthorizationHeader()
    {
        await using var server = await FakeChatServer.StartAsync(_ => ChatReply.Content("ok"));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server) with { ApiKey = null });

        var answer = await client.CompleteAsync("p", default);

        Assert.Equal("ok", answer.Content);
        Assert.Null(Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task Complete_NotJson_IsAnErrorWithTheBodyAndNoRetry()
    {
        await using var server = await FakeChatServer.StartAsync(_ => new ChatReply(200, "<html>gateway</html>"));
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server));

        var ex = await Assert.ThrowsAsync<ChatCompletionException>(() => client.CompleteAsync("p", default));

        Assert.Single(server.Requests);
        Assert.Equal(("The response is not JSON.", "<html>gateway</html>"), (ex.Message, ex.Answer));
    }

    [Fact]
    public async Task Complete_AlwaysTooSlow_SaysItTimedOutAfterEveryAttempt()
    {
        await using var server = await FakeChatServer.StartAsync(_ => ChatReply.Content("late") with { Delay = TimeSpan.FromSeconds(5) });
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server, retries: 1, timeoutSeconds: 0.2));

        var ex = await Assert.ThrowsAsync<ChatCompletionException>(() => client.CompleteAsync("p", default));

        // Not the server's count: on a loaded machine an attempt can time out before the server has read it.
        Assert.Equal("No answer after 2 attempt(s); the last: no answer within 0.2 s.", ex.Message);
    }

    [Fact]
    public async Task Complete_RawBody_IsWhatTheEndpointSent()
    {
        var reply = ChatReply.Content("A", promptTokens: 5, completionTokens: 1);
        await using var server = await FakeChatServer.StartAsync(_ => reply);
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server));

        var answer = await client.CompleteAsync("p", default);

        Assert.Equal(reply.Body, answer.RawBody);
    }

    [Fact]
    public async Task Complete_CallerCancels_StopsWithoutRetrying()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await FakeChatServer.StartAsync(_ =>
        {
            arrived.TrySetResult();
            return ChatReply.Content("late") with { Delay = TimeSpan.FromSeconds(30) };
        });
        using var http = new HttpClient();
        using var client = new ChatCompletionsClient(http, Endpoint(server, timeoutSeconds: 60));
        using var cts = new CancellationTokenSource();

        var call = client.CompleteAsync("p", cts.Token);
        await arrived.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(server.Requests);
    }
}
