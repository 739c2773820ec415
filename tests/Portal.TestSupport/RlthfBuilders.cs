using System.Text.Json;
using Portal.App.Data;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;
using Portal.Core.Rlthf;

namespace Portal.TestSupport;

/// <summary>A pairwise project for the targeted-feedback loop: learnable synthetic pairs, their truth, and AI labels with known errors.</summary>
/// <param name="Truth">The better response of each item (A or B).</param>
/// <param name="Ai">The AI label of each item: the truth, flipped for some.</param>
public sealed record LoopProject(Project Project, IReadOnlyList<Item> Items, IReadOnlyDictionary<Guid, PreferenceChoice> Truth, IReadOnlyDictionary<Guid, PreferenceChoice> Ai)
{
    public bool AiWrong(Guid itemId) => Truth[itemId] != Ai[itemId];
}

public static class RlthfBuilders
{
    /// <summary>
    /// <paramref name="pairs"/> items from <see cref="SyntheticPairs"/> (the better response on a random side) and one AI label
    /// each, wrong with probability <paramref name="aiError"/>.
    /// </summary>
    public static async Task<LoopProject> CreateLoopProjectAsync(this TestDatabase db, Guid tenantId, int pairs, double aiError, int seed = 1,
        ProjectSettings? settings = null)
    {
        var project = await db.CreateTaskProjectAsync(tenantId, ProjectKind.Pairwise, items: 0, overlap: 1,
            settings: settings ?? ProjectSettings.Default with { Gold = new GoldOptions { Rate = 0 }, Pairwise = new PairwiseOptions { StrengthLevels = 0 } });
        using var text = new StringWriter();
        SyntheticPairs.Write(text, pairs, seed);
        var random = new Random(seed);
        var items = new List<Item>();
        var truth = new Dictionary<Guid, PreferenceChoice>();
        var ai = new Dictionary<Guid, PreferenceChoice>();
        await using var ctx = db.Factory.CreateForTenant(tenantId);
        var line = 0;
        foreach (var pair in PreferencePairReader.Read(new StringReader(text.ToString())))
        {
            line++;
            var swap = random.Next(2) == 1;
            var item = new Item
            {
                ProjectId = project.Id,
                ExternalId = pair.ExternalId ?? $"pair-{line}",
                ConversationJson = JsonSerializer.Serialize(pair.Conversation.Select(t => new { role = t.Role, content = t.Content })),
                ResponseA = swap ? pair.ResponseB : pair.ResponseA,
                ResponseB = swap ? pair.ResponseA : pair.ResponseB,
                CreatedAt = DateTime.UtcNow,
            };
            var better = swap ? PreferenceChoice.B : PreferenceChoice.A;
            var label = random.NextDouble() < aiError ? (better == PreferenceChoice.A ? PreferenceChoice.B : PreferenceChoice.A) : better;
            ctx.Items.Add(item);
            ctx.AiLabels.Add(new AiLabel { ProjectId = project.Id, ItemId = item.Id, Choice = label, Confidence = 0.8, Model = "test-labeler", CreatedAt = DateTime.UtcNow });
            items.Add(item);
            truth[item.Id] = better;
            ai[item.Id] = label;
        }

        await ctx.SaveChangesAsync();
        return new LoopProject(project, items, truth, ai);
    }
}

/// <summary>A scheduler that only records what it was asked to run, so a test can run the job's work itself, step by step.</summary>
public sealed class RecordingScheduling : IJobScheduling
{
    private readonly List<(JobKey Job, JobArguments Args)> _triggered = [];

    public bool Enabled => true;

    public IReadOnlyList<(JobKey Job, JobArguments Args)> Triggered => _triggered;

    public Task TriggerAsync(JobKey job, JobArguments args, CancellationToken ct)
    {
        _triggered.Add((job, args));
        return Task.CompletedTask;
    }
}
