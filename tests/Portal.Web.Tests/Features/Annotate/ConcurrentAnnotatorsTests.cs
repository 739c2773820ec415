using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.App.Data;
using Portal.App.Features.Annotations;
using Portal.App.Features.Tokens;
using Portal.TestSupport;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Annotate;

/// <summary>
/// 200 annotators ask for tasks and submit through the HTTP API at the same time, some of them twice per task (a network
/// retry), until nothing is left; then the database must hold exactly the overlap per item and one row per stored submit.
/// </summary>
public class ConcurrentAnnotatorsTests
{
    private const int Annotators = 200;
    private const int Items = 100;
    private const int Overlap = 3;

    /// <summary>Every fourth annotator sends each submit twice with the same key.</summary>
    private const int RetryEvery = 4;

    /// <summary>Bounds each annotator's loop: answers to "ask again" (409) before giving up.</summary>
    private const int MaxConflicts = 200;

    private sealed record Submit(Guid AnnotatorId, Guid AssignmentId, string Key, HttpStatusCode Status, Guid? AnnotationId, bool Replay);

    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    [SqlServerData]
    public async Task TwoHundredAnnotators_AtOnce_EveryItemGetsExactlyItsOverlapAndNoSubmitIsLostOrDoubled(TestProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var tenant = await db.CreateTestTenantAsync("Load");
        var project = await db.CreateTaskProjectAsync(tenant.Id, items: Items, overlap: Overlap,
            settings: ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 } });
        var annotators = await db.CreateAnnotatorsAsync(tenant.Id, Annotators, "load");
        var tokens = db.Services.GetRequiredService<ApiTokenService>();
        var bearers = new List<string>();
        foreach (var annotator in annotators)
        {
            bearers.Add((await tokens.CreateAsync(annotator.Id, "load test", 1)).Token);
        }

        await using var app = new PortalFactory(db);

        // Clients made one by one first: the factory starts its server on the first, and that start is not thread-safe.
        var clients = bearers.Select(bearer =>
        {
            var client = app.CreateClient();
            client.Timeout = TimeSpan.FromMinutes(5);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            return client;
        }).ToList();
        var org = $"/api/v1/orgs/{tenant.Id}";
        var submits = new ConcurrentQueue<Submit>();
        var unexpected = new ConcurrentQueue<string>();

        async Task AnnotateAsync(int index)
        {
            using var client = clients[index];
            var annotatorId = annotators[index].Id;
            var conflicts = 0;
            for (var n = 0; conflicts < MaxConflicts; n++)
            {
                var asked = await client.GetAsync($"{org}/projects/{project.Id}/tasks/next");
                if (asked.StatusCode == HttpStatusCode.Conflict)
                {
                    conflicts++;
                    continue;
                }

                if (asked.StatusCode != HttpStatusCode.OK)
                {
                    unexpected.Enqueue($"annotator {index}: next answered {(int)asked.StatusCode} {await asked.Content.ReadAsStringAsync()}");
                    return;
                }

                var next = (await asked.Content.ReadFromJsonAsync<NextTaskResult>(TaskEndpointTests.Json))!;
                if (next.Status == NextTaskStatus.NothingLeft)
                {
                    return;
                }

                if (next.Task is not { } task)
                {
                    unexpected.Enqueue($"annotator {index}: next answered {next.Status}: {next.Message}");
                    return;
                }

                var key = $"load-{index}-{n}";
                foreach (var replay in index % RetryEvery == 0 ? new[] { false, true } : [false])
                {
                    var request = new HttpRequestMessage(HttpMethod.Post, $"{org}/assignments/{task.AssignmentId}/annotation")
                    {
                        Content = JsonContent.Create(new { choice = n % 2 == 0 ? "Left" : "Right", strength = 1 + (n % 3), timeOnTaskMs = 1000 + index }),
                    };
                    request.Headers.Add("Idempotency-Key", key);
                    var answered = await client.SendAsync(request);
                    var body = await answered.Content.ReadAsStringAsync();
                    if (answered.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        var result = System.Text.Json.JsonSerializer.Deserialize<SubmitResult>(body, TaskEndpointTests.Json)!;
                        submits.Enqueue(new Submit(annotatorId, task.AssignmentId, key, answered.StatusCode, result.AnnotationId, replay));
                    }
                    else
                    {
                        unexpected.Enqueue($"annotator {index}: submit {(replay ? "retry " : "")}answered {(int)answered.StatusCode} {body}");
                    }
                }
            }

            unexpected.Enqueue($"annotator {index}: still told to ask again after {MaxConflicts} tries");
        }

        await Task.WhenAll(Enumerable.Range(0, Annotators).Select(i => Task.Run(() => AnnotateAsync(i))));

        Assert.True(unexpected.IsEmpty, string.Join("\n", unexpected.Take(20)));
        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var rows = await ctx.Annotations.Where(a => a.ProjectId == project.Id)
            .Select(a => new { a.Id, a.ItemId, a.AnnotatorId, a.AssignmentId, a.IdempotencyKey })
            .ToListAsync();
        var perItem = await ctx.Items.Where(i => i.ProjectId == project.Id)
            .Select(i => new { i.Id, Count = ctx.Annotations.Count(a => a.ItemId == i.Id) })
            .ToListAsync();

        // Every item reached exactly the overlap, so none passed it.
        Assert.Equal(Items, perItem.Count);
        Assert.All(perItem, i => Assert.Equal(Overlap, i.Count));
        Assert.Equal(Items * Overlap, rows.Count);

        // No annotator rated an item twice.
        Assert.DoesNotContain(rows.GroupBy(r => (r.ItemId, r.AnnotatorId)), g => g.Count() > 1);

        // Each 201 is exactly one row (its assignment, annotator and key), and every row was answered with a 201.
        var created = submits.Where(s => !s.Replay).ToList();
        Assert.All(created, s => Assert.Equal(HttpStatusCode.Created, s.Status));
        Assert.Equal(rows.Count, created.Count);
        var byId = rows.ToDictionary(r => r.Id);
        Assert.All(created, s =>
        {
            var row = byId[s.AnnotationId!.Value];
            Assert.Equal((s.AssignmentId, s.AnnotatorId, s.Key), (row.AssignmentId, row.AnnotatorId, row.IdempotencyKey));
        });
        Assert.Equal(created.Count, created.Select(s => s.AnnotationId).Distinct().Count());

        // The retries got 200 and the stored annotation back, and made no row of their own.
        var replays = submits.Where(s => s.Replay).ToList();
        Assert.NotEmpty(replays);
        var first = created.ToDictionary(s => s.AssignmentId, s => s.AnnotationId);
        Assert.All(replays, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.Status);
            Assert.Equal(first[r.AssignmentId], r.AnnotationId);
        });

        // The claim counters agree with the rows: nothing is left leased.
        Assert.All(await ctx.Items.Where(i => i.ProjectId == project.Id).Select(i => i.Claimed).ToListAsync(), c => Assert.Equal(Overlap, c));
        Assert.Equal(0, await ctx.Assignments.CountAsync(a => a.ProjectId == project.Id && a.Status == AssignmentStatus.Leased));
    }
}
