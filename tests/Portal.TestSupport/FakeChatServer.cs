using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.TestSupport;

/// <summary>One request the fake endpoint received.</summary>
public sealed record ChatRequest(int Number, DateTime At, string? Authorization, string Model, string Prompt);

/// <summary>What the fake endpoint answers: a status, a body, optionally a delay first and a Retry-After header (whole seconds).</summary>
public sealed record ChatReply(int Status, string Body, TimeSpan Delay = default, int? RetryAfterSeconds = null)
{
    /// <summary>
    /// A 200 in the chat-completions shape with <paramref name="content"/> as the assistant's message, and a <c>usage</c> object
    /// when <paramref name="promptTokens"/> is given.
    /// </summary>
    public static ChatReply Content(string content, string model = "fake-model", int? promptTokens = null, int completionTokens = 0) => new(200, new JsonObject
    {
        ["id"] = "chatcmpl-test",
        ["object"] = "chat.completion",
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = promptTokens is { } p
            ? new JsonObject { ["prompt_tokens"] = p, ["completion_tokens"] = completionTokens, ["total_tokens"] = p + completionTokens }
            : null,
    }.ToJsonString());

    public static ChatReply Fail(int status, string body = """{"error": {"message": "try later"}}""") => new(status, body);
}

/// <summary>
/// A local OpenAI-compatible chat-completions endpoint on real Kestrel (127.0.0.1, a free port), answering
/// <c>POST /v1/chat/completions</c> with whatever the test's function says, and recording every request.
/// </summary>
public sealed class FakeChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    private FakeChatServer(WebApplication app) => _app = app;

    public ConcurrentQueue<ChatRequest> Requests { get; } = new();

    /// <summary>The base URL to configure: <c>http://127.0.0.1:{port}/v1</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    public static async Task<FakeChatServer> StartAsync(Func<ChatRequest, ChatReply> reply)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeChatServer(app);
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var messages = body.RootElement.GetProperty("messages");
            var request = new ChatRequest(Interlocked.Increment(ref server._count), DateTime.UtcNow, context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null,
                body.RootElement.GetProperty("model").GetString() ?? "", messages[messages.GetArrayLength() - 1].GetProperty("content").GetString() ?? "");
            server.Requests.Enqueue(request);
            var r = reply(request);
            if (r.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(r.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            context.Response.StatusCode = r.Status;
            if (r.RetryAfterSeconds is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(r.Body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/') + "/v1";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
