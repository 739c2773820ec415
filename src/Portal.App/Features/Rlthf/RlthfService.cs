using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.App.Data;
using Portal.App.Features.Hybrid;
using Portal.App.Features.Organisations;
using Portal.App.Features.Quality;
using Portal.App.Jobs;
using Portal.Core.Aggregation;
using Portal.Core.Pairs;
using Portal.Core.Rlthf;
using RoundEntity = Portal.App.Data.RlthfRound;

namespace Portal.App.Features.Rlthf;

/// <summary>
/// The targeted human feedback loop of a pairwise project. An admin starts a round; <see cref="PlanAsync"/> (the round's job)
/// retrains the reward model on the current labels, scores every pair out of fold, selects with the Core's
/// <see cref="Core.Rlthf.RlthfRound"/> and puts the selected items at the front of the annotation queue; the quality job's
/// <see cref="RefreshAsync"/> counts the human answers and completes the round (and starts the next, when asked to).
/// </summary>
/// <remarks>
/// <para>The loop's pairs are the project's non-gold pairwise items with an AI label of A or B, or a human label. An item's
/// label is its human curated label when it has one (a human tie or "both bad" is a label too, left out of training), else
/// the AI label, flipped if an earlier round flipped it automatically.</para>
/// <para>Training weights follow <see cref="Core.Rlthf.RlthfRound.Apply"/>: after a round, the next one trains on the pairs that
/// round kept (weight 1) and on every human-labelled pair (the amplification ratio); items that came after the round train at 1.</para>
/// <para>Once a round has been planned, AI-labelled items no round selected need no human (their <see cref="Item.Overlap"/> is 0),
/// so annotators see only what the loop sends them, most suspicious first.</para>
/// </remarks>
public sealed class RlthfService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, JobLauncher jobs, QualityService quality, IRewardTrainer trainer)
{
    /// <summary>Selected items get priorities above this, most suspicious highest, ahead of anything an import sets.</summary>
    public const int QueuePriority = 1_000_000;

    public const int MinPairs = 10;
    private const int Folds = 5;

    public async Task<LoopView?> LoopAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return null;
        }

        var loopItems = LoopItems(db, projectId);
        // Items of a humans-only category never take an AI label (docs/hybrid-routing.md).
        var taken = HybridService.AiLabelsTaken(db, projectId);
        var aiLabels = await loopItems.CountAsync(i => taken.Any(l => l.ItemId == i.Id && l.Choice != PreferenceChoice.Tie), ct);
        var human = await loopItems.CountAsync(i => db.CuratedLabels.Any(l => l.ItemId == i.Id && l.Choice != null), ct);
        var pairs = await loopItems.CountAsync(i =>
            taken.Any(l => l.ItemId == i.Id && l.Choice != PreferenceChoice.Tie) || db.CuratedLabels.Any(l => l.ItemId == i.Id && l.Choice != null), ct);
        var rounds = await RoundsAsync(db, projectId, ct);
        return new LoopView(pairs, aiLabels, human, WhyNot(project, pairs, rounds), rounds);
    }

    public async Task<RoundView?> RoundAsync(Guid orgId, Guid projectId, int number, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        return (await RoundsAsync(db, projectId, ct, number)).FirstOrDefault();
    }

    /// <summary>The items a round sent to humans, most suspicious first.</summary>
    public async Task<IReadOnlyList<RoundItemView>?> SelectedAsync(Guid orgId, Guid projectId, int number, int take = 500, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var round = await db.RlthfRounds.AsNoTracking().FirstOrDefaultAsync(r => r.ProjectId == projectId && r.Number == number, ct);
        if (round is null)
        {
            return null;
        }

        return await db.RlthfRoundItems.AsNoTracking()
            .Where(r => r.RoundId == round.Id && r.Role == RoundItemRole.Selected)
            .OrderBy(r => r.Rank)
            .Take(Math.Clamp(take, 1, 5000))
            .Join(db.Items, r => r.ItemId, i => i.Id, (r, i) => new RoundItemView(r.ItemId, i.ExternalId, r.Rank, r.Margin, r.Label, r.HumanChoice))
            .ToListAsync(ct);
    }

    /// <summary>
    /// A page of the items a round sent to humans, searched by external id and sorted by <c>rank</c> (the default), <c>margin</c>
    /// or <c>answer</c>, paged in the database; null when there is no such round.
    /// </summary>
    public async Task<(IReadOnlyList<RoundItemView> Items, int Total)?> SelectedPageAsync(Guid orgId, Guid projectId, int number, int skip, int take,
        string? search = null, string? sortBy = null, bool descending = false, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var round = await db.RlthfRounds.AsNoTracking().FirstOrDefaultAsync(r => r.ProjectId == projectId && r.Number == number, ct);
        if (round is null)
        {
            return null;
        }

        var rows = db.RlthfRoundItems.AsNoTracking()
            .Where(r => r.RoundId == round.Id && r.Role == RoundItemRole.Selected)
            .Join(db.Items, r => r.ItemId, i => i.Id, (r, i) => new { r.ItemId, i.ExternalId, r.Rank, r.Margin, r.Label, r.HumanChoice });
        if (search?.Trim() is { Length: > 0 } text)
        {
            rows = rows.Where(r => r.ExternalId != null && r.ExternalId.Contains(text));
        }

        var total = await rows.CountAsync(ct);
        var sorted = sortBy switch
        {
            "margin" => descending ? rows.OrderByDescending(r => r.Margin) : rows.OrderBy(r => r.Margin),
            "answer" => descending ? rows.OrderByDescending(r => r.HumanChoice) : rows.OrderBy(r => r.HumanChoice),
            _ => descending ? rows.OrderByDescending(r => r.Rank) : rows.OrderBy(r => r.Rank),
        };
        var items = await sorted.ThenBy(r => r.Rank).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 500))
            .Select(r => new RoundItemView(r.ItemId, r.ExternalId, r.Rank, r.Margin, r.Label, r.HumanChoice))
            .ToListAsync(ct);
        return (items, total);
    }

    /// <summary>Checks the knobs, records the round and queues its job. Every problem names its field; nothing is saved then.</summary>
    /// <param name="launch">False records the round without queueing a job: the caller plans it itself (the CLI, in the foreground).</param>
    /// <returns>The round's number; null when there is no such project.</returns>
    public async Task<int?> StartAsync(Guid orgId, Guid projectId, Guid? userId, StartRoundInput input, bool launch = true, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var loop = await LoopAsync(orgId, projectId, ct);
        if (loop is null)
        {
            return null;
        }

        ParseBudget(input.Budget, loop.Pairs);
        var strategy = ParseStrategy(input.Strategy);
        var overlap = input.Overlap ?? 1;
        if (overlap is < 1 or > 50)
        {
            throw new PortalValidationException("overlap", "Give each selected item 1 to 50 human ratings.");
        }

        var amplification = input.AmplificationRatio ?? 2;
        if (amplification is < 0 or > 100 || double.IsNaN(amplification))
        {
            throw new PortalValidationException("amplificationRatio", "The amplification ratio is a weight from 0 to 100 (2 by default).");
        }

        var backOff = input.BackOffRatio ?? 0.1;
        if (backOff is < 0 or >= 1 || double.IsNaN(backOff))
        {
            throw new PortalValidationException("backOffRatio", "The back-off ratio is a share from 0 up to (not including) 1 (0.1 by default).");
        }

        if (input.AutoRounds is < 1 or > 20)
        {
            throw new PortalValidationException("autoRounds", "Run 1 to 20 rounds in a row.");
        }

        if (loop.CanStart is { } why)
        {
            throw new PortalValidationException("round", why);
        }

        var number = (loop.Rounds.Count == 0 ? 0 : loop.Rounds.Max(r => r.Number)) + 1;
        var round = new RoundEntity
        {
            TenantId = orgId,
            ProjectId = projectId,
            Number = number,
            Status = RoundStatus.Planning,
            Strategy = StrategyName(strategy),
            BudgetRequested = input.Budget.Trim(),
            Overlap = overlap,
            AmplificationRatio = amplification,
            BackOffRatio = backOff,
            AutoFlip = input.AutoFlip,
            AutoUntilRound = input.AutoRounds is > 1 ? number + input.AutoRounds.Value - 1 : null,
            StartedByUserId = userId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        await using (var db = dbFactory.CreateForTenant(orgId))
        {
            db.RlthfRounds.Add(round);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                throw new PortalValidationException("round", "Another round was started at the same moment; look at the rounds list.");
            }
        }

        if (launch)
        {
            await LaunchAsync(orgId, projectId, round.Id, userId, ct);
        }

        return number;
    }

    /// <summary>Ends a round that is waiting for humans with the answers it has (for items nobody will rate, say).</summary>
    public async Task<bool> CloseAsync(Guid orgId, Guid projectId, int number, CancellationToken ct = default)
    {
        await using var db = dbFactory.CreateForTenant(orgId);
        var round = await db.RlthfRounds.FirstOrDefaultAsync(r => r.ProjectId == projectId && r.Number == number, ct);
        if (round is null)
        {
            return false;
        }

        if (round.Status != RoundStatus.AwaitingHumans)
        {
            throw new PortalValidationException("round", $"Round {number} is {Describe(round.Status)}; only a round waiting for humans can be closed.");
        }

        await CountAnswersAsync(db, round, ct);
        round.Status = RoundStatus.Completed;
        round.CompletedAt = clock.GetUtcNow().UtcDateTime;
        round.AutoUntilRound = null;
        // Selected items nobody answered leave the queue with the round.
        var unanswered = db.RlthfRoundItems.Where(r => r.RoundId == round.Id && r.Role == RoundItemRole.Selected && r.HumanChoice == null).Select(r => r.ItemId);
        await db.Items.Where(i => unanswered.Contains(i.Id) && !db.Annotations.Any(a => a.ItemId == i.Id && a.ExternalRaterId == null))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Overlap, 0).SetProperty(i => i.Priority, 0), ct);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// The round's job: retrain, score, select and queue. Does nothing for a round that is no longer planning, so a recovered
    /// run of a round that finished is harmless, and one that died half way plans again from the start (it writes in one transaction).
    /// </summary>
    public async Task PlanAsync(Guid tenantId, Guid roundId, IJobProgress? progress, CancellationToken ct)
    {
        await using (var check = dbFactory.CreateForTenant(tenantId))
        {
            var status = await check.RlthfRounds.Where(r => r.Id == roundId).Select(r => (RoundStatus?)r.Status).FirstOrDefaultAsync(ct);
            if (status != RoundStatus.Planning)
            {
                return;
            }
        }

        var projectId = await ProjectOfAsync(tenantId, roundId, ct);
        await Report(progress, 2, "Recomputing human labels");
        await quality.RecomputeAsync(tenantId, projectId, null, ct);

        await using var db = dbFactory.CreateForTenant(tenantId);
        var round = await db.RlthfRounds.FirstAsync(r => r.Id == roundId, ct);
        await Report(progress, 8, "Reading pairs and labels");
        var loop = await ReadLoopAsync(db, round, ct);
        if (loop.Pairs.Count < MinPairs)
        {
            throw new InvalidOperationException($"The loop has {loop.Pairs.Count} pairs with an AI or human label; a round needs at least {MinPairs}.");
        }

        var budget = ParseBudget(round.BudgetRequested, loop.Pairs.Count);
        var options = new RoundOptions
        {
            AmplificationRatio = (float)round.AmplificationRatio,
            Folds = Folds,
            Seed = 1,
            Selection = new SelectionOptions
            {
                Strategy = ParseStrategy(round.Strategy),
                BackOffRatio = round.BackOffRatio,
                AutoFlip = round.AutoFlip,
                Seed = round.Number,
            },
        };
        var state = new RlthfState(loop.Labels, loop.Sources, loop.Weights, round.Number - 1);
        var fitting = new JobProgressAdapter(progress, 10, 65, "Training the reward model on each fold");
        var plan = await Core.Rlthf.RlthfRound.PlanAsync(trainer, loop.Pairs, state, budget, options, fitting, ct);
        await fitting.FlushAsync();

        await Report(progress, 76, "Training the round's reward model on every training pair");
        var inTraining = Enumerable.Range(0, loop.Pairs.Count).Where(i => loop.Weights[i] > 0).ToList();
        var training = inTraining.Select(i => new TrainingPair(loop.Pairs[i], loop.Labels[i], loop.Weights[i])).ToList();
        var final = new JobProgressAdapter(progress, 76, 14, "Training the round's reward model");
        var model = await trainer.TrainAsync(training, options.Train, final, ct);
        await final.FlushAsync();
        model.Provenance = new RewardModelProvenance(
            TrainerName(trainer),
            new TrainingComposition(
                inTraining.Count,
                inTraining.Count(i => loop.Sources[i] == LabelSource.Ai),
                inTraining.Count(i => loop.Sources[i] == LabelSource.Human),
                inTraining.Count(i => loop.Sources[i] == LabelSource.AutoFlip)),
            double.IsNaN(plan.HumanAccuracy) ? null : plan.HumanAccuracy);
        byte[]? artifact;
        try
        {
            using var buffer = new MemoryStream();
            await model.SaveAsync(buffer, ct);
            artifact = buffer.ToArray();
        }
        catch (NotSupportedException)
        {
            artifact = null; // an external trainer keeps its model
        }

        await Report(progress, 92, $"Queueing {plan.Selection.Selected.Count} items for humans");
        await StoreAsync(db, round, loop, plan, inTraining, artifact, ct);
        await Report(progress, 100, $"Round {round.Number}: {plan.Selection.Selected.Count} of {loop.Pairs.Count} pairs sent to humans");
    }

    private static string TrainerName(IRewardTrainer trainer) =>
        trainer switch
        {
            ExternalProcessTrainer external => $"external: {external.Options.FileName}",
            EmbeddingRewardTrainer { Options.Hashed: true } => "built-in linear Bradley–Terry (sentence embeddings and hashed n-grams)",
            EmbeddingRewardTrainer => "built-in linear Bradley–Terry (sentence embeddings)",
            _ => "built-in linear Bradley–Terry (hashed n-grams)",
        };

    /// <summary>Marks a round whose job failed, with the reason, so the loop can start it again.</summary>
    public async Task FailAsync(Guid tenantId, Guid roundId, string error, CancellationToken ct)
    {
        await using var db = dbFactory.CreateForTenant(tenantId);
        await db.RlthfRounds.Where(r => r.Id == roundId && r.Status == RoundStatus.Planning).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, RoundStatus.Failed)
            .SetProperty(r => r.Error, error.Length > 2000 ? error[..2000] : error), ct);
    }

    /// <summary>
    /// After the project's curated labels were recomputed: counts the human answers of the round waiting for them, completes it
    /// when every selected item has its ratings, and then starts the next round if the admin asked for several.
    /// </summary>
    public async Task RefreshAsync(Guid tenantId, Guid projectId, CancellationToken ct = default)
    {
        RoundEntity? next = null;
        await using (var db = dbFactory.CreateForTenant(tenantId))
        {
            var round = await db.RlthfRounds.FirstOrDefaultAsync(r => r.ProjectId == projectId && r.Status == RoundStatus.AwaitingHumans, ct);
            if (round is null)
            {
                return;
            }

            await CountAnswersAsync(db, round, ct);
            if (round.Answered >= round.Selected)
            {
                round.Status = RoundStatus.Completed;
                round.CompletedAt = clock.GetUtcNow().UtcDateTime;
                if (round.AutoUntilRound is { } until && until > round.Number)
                {
                    next = new RoundEntity
                    {
                        TenantId = tenantId,
                        ProjectId = projectId,
                        Number = round.Number + 1,
                        Status = RoundStatus.Planning,
                        Strategy = round.Strategy,
                        BudgetRequested = round.BudgetRequested,
                        Overlap = round.Overlap,
                        AmplificationRatio = round.AmplificationRatio,
                        BackOffRatio = round.BackOffRatio,
                        AutoFlip = round.AutoFlip,
                        AutoUntilRound = until,
                        StartedByUserId = round.StartedByUserId,
                        CreatedAt = clock.GetUtcNow().UtcDateTime,
                    };
                    db.RlthfRounds.Add(next);
                }
            }

            await db.SaveChangesAsync(ct);
        }

        if (next is not null)
        {
            await LaunchAsync(tenantId, projectId, next.Id, next.StartedByUserId, ct);
        }
    }

    private async Task LaunchAsync(Guid orgId, Guid projectId, Guid roundId, Guid? userId, CancellationToken ct)
    {
        Guid runId;
        try
        {
            runId = await jobs.StartForProjectAsync(JobRegistry.RunRlthfRound, orgId, projectId, userId,
                new Dictionary<string, string> { [RunRlthfRoundJob.RoundIdKey] = roundId.ToString() }, ct);
        }
        catch (InvalidOperationException ex)
        {
            await FailAsync(orgId, roundId, ex.Message, ct);
            throw new PortalValidationException("round", ex.Message);
        }

        await using var db = dbFactory.CreateForTenant(orgId);
        await db.RlthfRounds.Where(r => r.Id == roundId).ExecuteUpdateAsync(s => s.SetProperty(r => r.JobRunId, runId), ct);
    }

    private static async Task CountAnswersAsync(PortalDbContext db, RoundEntity round, CancellationToken ct)
    {
        var selected = await db.RlthfRoundItems.Where(r => r.RoundId == round.Id && r.Role == RoundItemRole.Selected).ToListAsync(ct);
        var ids = selected.Select(s => s.ItemId).ToList();
        var labels = await db.CuratedLabels.AsNoTracking().Where(l => ids.Contains(l.ItemId) && l.Choice != null)
            .Select(l => new { l.ItemId, l.Choice, l.Ratings }).ToDictionaryAsync(l => l.ItemId, ct);
        var answered = 0;
        var overturned = 0;
        foreach (var item in selected)
        {
            if (labels.TryGetValue(item.ItemId, out var label) && label.Ratings >= round.Overlap)
            {
                item.HumanChoice = label.Choice;
                answered++;
                overturned += IsOpposite(item.Label, label.Choice!.Value) ? 1 : 0;
            }
        }

        round.Answered = answered;
        round.Overturned = overturned;
    }

    /// <summary>A human overturns an A/B label by choosing the other side; a tie or "both bad" does not count as either.</summary>
    private static bool IsOpposite(PreferenceChoice label, PreferenceChoice human) =>
        (label, human) is (PreferenceChoice.A, PreferenceChoice.B) or (PreferenceChoice.B, PreferenceChoice.A);

    private async Task<Guid> ProjectOfAsync(Guid tenantId, Guid roundId, CancellationToken ct)
    {
        await using var db = dbFactory.CreateForTenant(tenantId);
        return await db.RlthfRounds.Where(r => r.Id == roundId).Select(r => r.ProjectId).FirstAsync(ct);
    }

    private sealed record Loop(List<Guid> ItemIds, List<PreferencePair> Pairs, Preference[] Labels, LabelSource[] Sources, float[] Weights,
        PreferenceChoice?[] AiChoices, int HumanTies);

    private static async Task<Loop> ReadLoopAsync(PortalDbContext db, RoundEntity round, CancellationToken ct)
    {
        // In a fixed order, so the folds (seeded by position) are the same every time the round is planned.
        var items = await LoopItems(db, round.ProjectId).AsNoTracking()
            .OrderBy(i => i.Id)
            .Select(i => new { i.Id, i.ExternalId, i.ConversationJson, i.ResponseA, i.ResponseB })
            .ToListAsync(ct);
        // An item of a humans-only category is never a candidate: its AI label is not taken, so it stays with humans.
        var ai = await HybridService.AiLabelsTaken(db, round.ProjectId).AsNoTracking()
            .Select(l => new { l.ItemId, l.Choice }).ToDictionaryAsync(l => l.ItemId, l => l.Choice, ct);
        var human = await db.CuratedLabels.AsNoTracking().Where(l => l.ProjectId == round.ProjectId && l.Choice != null)
            .Select(l => new { l.ItemId, l.Choice }).ToDictionaryAsync(l => l.ItemId, l => l.Choice!.Value, ct);

        var earlier = db.RlthfRounds.Where(r => r.ProjectId == round.ProjectId && r.Number < round.Number && r.Status != RoundStatus.Failed);
        var flipped = (await db.RlthfRoundItems.AsNoTracking()
            .Where(r => r.Role == RoundItemRole.AutoFlipped && earlier.Any(e => e.Id == r.RoundId))
            .Select(r => r.ItemId).ToListAsync(ct)).ToHashSet();
        var previous = await earlier.OrderByDescending(r => r.Number).Select(r => (Guid?)r.Id).FirstOrDefaultAsync(ct);
        var roles = previous is { } p
            ? await db.RlthfRoundItems.AsNoTracking().Where(r => r.RoundId == p).ToDictionaryAsync(r => r.ItemId, r => r.Role, ct)
            : [];

        var ids = new List<Guid>();
        var pairs = new List<PreferencePair>();
        var labels = new List<Preference>();
        var sources = new List<LabelSource>();
        var weights = new List<float>();
        var aiChoices = new List<PreferenceChoice?>();
        var ties = 0;
        foreach (var item in items)
        {
            var hasAi = ai.TryGetValue(item.Id, out var aiChoice) && aiChoice is PreferenceChoice.A or PreferenceChoice.B;
            var hasHuman = human.TryGetValue(item.Id, out var humanChoice);
            if (!hasAi && !hasHuman)
            {
                continue;
            }

            Preference label;
            LabelSource source;
            float weight;
            if (hasHuman)
            {
                source = LabelSource.Human;
                var decisive = humanChoice is PreferenceChoice.A or PreferenceChoice.B;
                label = humanChoice == PreferenceChoice.B ? Preference.B : Preference.A;
                weight = decisive ? (float)round.AmplificationRatio : 0f;
                ties += decisive ? 0 : 1;
            }
            else
            {
                label = aiChoice == PreferenceChoice.B ? Preference.B : Preference.A;
                source = LabelSource.Ai;
                if (flipped.Contains(item.Id))
                {
                    label = label.Flip();
                    source = LabelSource.AutoFlip;
                }

                weight = previous is null || !roles.TryGetValue(item.Id, out var role) || role is RoundItemRole.Kept or RoundItemRole.AutoFlipped ? 1f : 0f;
            }

            ids.Add(item.Id);
            pairs.Add(new PreferencePair(item.ExternalId, Conversation(item.ConversationJson), item.ResponseA, item.ResponseB!, null, null));
            labels.Add(label);
            sources.Add(source);
            weights.Add(weight);
            aiChoices.Add(hasAi ? aiChoice : null);
        }

        return new Loop(ids, pairs, [.. labels], [.. sources], [.. weights], [.. aiChoices], ties);
    }

    private async Task StoreAsync(PortalDbContext db, RoundEntity round, Loop loop, RoundPlan plan, List<int> training,
        byte[]? artifact, CancellationToken ct)
    {
        var selection = plan.Selection;
        var selected = selection.Selected;
        var role = new Dictionary<int, RoundItemRole>();
        foreach (var i in selection.KeepForTraining)
        {
            role[i] = RoundItemRole.Kept;
        }

        foreach (var i in selection.AutoFlip)
        {
            role[i] = RoundItemRole.AutoFlipped;
        }

        foreach (var i in selected)
        {
            role[i] = RoundItemRole.Selected;
        }

        // Ranks: candidates by margin in favour of their label, ascending (0 = the reward model disagrees most).
        var candidates = Enumerable.Range(0, loop.Pairs.Count).Where(i => loop.Sources[i] != LabelSource.Human).ToList();
        var inFavour = candidates.ToDictionary(i => i, i => plan.Margins[i] * loop.Labels[i].Sign());
        var ranked = candidates.OrderBy(i => inFavour[i]).ThenBy(i => i).ToList();
        var rank = new Dictionary<int, int>(ranked.Count);
        for (var k = 0; k < ranked.Count; k++)
        {
            rank[ranked[k]] = k;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.RlthfRoundItems.Where(r => r.RoundId == round.Id).ExecuteDeleteAsync(ct);
        foreach (var batch in candidates.Chunk(2000))
        {
            db.RlthfRoundItems.AddRange(batch.Select(i => new RlthfRoundItem
            {
                TenantId = round.TenantId,
                RoundId = round.Id,
                ItemId = loop.ItemIds[i],
                Margin = float.IsFinite(inFavour[i]) ? inFavour[i] : 0f,
                Rank = rank[i],
                Role = role.GetValueOrDefault(i, RoundItemRole.Excluded),
                Label = loop.Labels[i] == Preference.A ? PreferenceChoice.A : PreferenceChoice.B,
            }));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        // Not selected, no human rating, nobody holding it: the AI label stands and the item leaves the queue.
        var candidateIds = db.RlthfRoundItems.Where(r => r.RoundId == round.Id && r.Role != RoundItemRole.Selected).Select(r => r.ItemId);
        await db.Items.Where(i => candidateIds.Contains(i.Id) && i.Claimed == 0 && !db.Annotations.Any(a => a.ItemId == i.Id && a.ExternalRaterId == null))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Overlap, 0).SetProperty(i => i.Priority, 0), ct);
        for (var k = 0; k < selected.Count; k++)
        {
            var id = loop.ItemIds[selected[k]];
            var priority = QueuePriority + selected.Count - k;
            await db.Items.Where(i => i.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Overlap, round.Overlap).SetProperty(i => i.Priority, priority), ct);
        }

        var entity = await db.RlthfRounds.FirstAsync(r => r.Id == round.Id, ct);
        var curve = selection.Curve;
        entity.Budget = plan.Budget;
        entity.Pairs = loop.Pairs.Count;
        entity.Candidates = candidates.Count;
        entity.HumanLabelsBefore = loop.Pairs.Count - candidates.Count;
        entity.Selected = selected.Count;
        entity.AutoFlipped = selection.AutoFlip.Count;
        entity.KeptForTraining = selection.KeepForTraining.Count;
        entity.Knee = curve.Knee;
        entity.Elbow = curve.Elbow;
        entity.Mirror = curve.Mirror;
        entity.ZeroCrossing = curve.ZeroCrossing;
        entity.CurveJson = JsonSerializer.Serialize(curve.Points.Select(p => new CurvePointView(p.Rank, float.IsFinite(p.Margin) ? p.Margin : 0f)), ProjectSettings.Json);
        entity.RewardModelAccuracy = double.IsNaN(plan.HumanAccuracy) ? null : plan.HumanAccuracy;
        entity.PlannedAt = now;
        entity.Status = selected.Count == 0 ? RoundStatus.Completed : RoundStatus.AwaitingHumans;
        entity.CompletedAt = selected.Count == 0 ? now : null;
        entity.Answered = 0;
        entity.Overturned = 0;
        entity.Error = null;

        var version = (await db.RewardModels.Where(m => m.ProjectId == round.ProjectId).MaxAsync(m => (int?)m.Version, ct) ?? 0) + 1;
        db.RewardModels.Add(new RewardModelVersion
        {
            TenantId = round.TenantId,
            ProjectId = round.ProjectId,
            RoundId = round.Id,
            Version = version,
            Trainer = TrainerName(trainer),
            TrainingPairs = training.Count,
            AiPairs = training.Count(i => loop.Sources[i] == LabelSource.Ai),
            HumanPairs = training.Count(i => loop.Sources[i] == LabelSource.Human),
            AutoFlipPairs = training.Count(i => loop.Sources[i] == LabelSource.AutoFlip),
            AccuracyOnHuman = entity.RewardModelAccuracy,
            HumanPairsEvaluated = plan.HumanLabelled,
            Artifact = artifact,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static async Task<List<RoundView>> RoundsAsync(PortalDbContext db, Guid projectId, CancellationToken ct, int? number = null)
    {
        var rounds = await db.RlthfRounds.AsNoTracking()
            .Where(r => r.ProjectId == projectId && (number == null || r.Number == number))
            .OrderByDescending(r => r.Number)
            .ToListAsync(ct);
        var runIds = rounds.Where(r => r.JobRunId != null).Select(r => r.JobRunId!.Value).ToList();
        var runs = await db.JobRuns.AsNoTracking().Where(r => runIds.Contains(r.Id))
            .Select(r => new { r.Id, r.Progress, r.Message }).ToDictionaryAsync(r => r.Id, ct);
        var roundIds = rounds.Select(r => r.Id).ToList();
        var models = await db.RewardModels.AsNoTracking().Where(m => roundIds.Contains(m.RoundId))
            .Select(m => new
            {
                m.RoundId,
                View = new RewardModelView(m.Version, m.Trainer, m.TrainingPairs, m.AiPairs, m.HumanPairs, m.AutoFlipPairs, m.AccuracyOnHuman,
                    m.HumanPairsEvaluated, m.Artifact == null ? 0 : m.Artifact.Length),
            })
            .ToDictionaryAsync(m => m.RoundId, m => m.View, ct);
        return [.. rounds.Select(r =>
        {
            var run = r.JobRunId is { } id ? runs.GetValueOrDefault(id) : null;
            return new RoundView(r.Id, r.Number, r.Status, r.Strategy, r.BudgetRequested, r.Budget, r.Overlap, r.AmplificationRatio, r.BackOffRatio,
                r.AutoFlip, r.AutoUntilRound, r.CreatedAt, r.PlannedAt, r.CompletedAt, r.Error, r.JobRunId, run?.Progress ?? 0, run?.Message,
                r.Pairs, r.Candidates, r.HumanLabelsBefore, r.Selected, r.AutoFlipped, r.KeptForTraining, r.Answered, r.Overturned,
                r.Answered == 0 ? null : (double)r.Overturned / r.Answered,
                r.RewardModelAccuracy,
                r.Pairs == 0 ? null : (double)(r.HumanLabelsBefore + r.Answered) / r.Pairs,
                r.Knee, r.Elbow, r.Mirror, r.ZeroCrossing,
                JsonSerializer.Deserialize<List<CurvePointView>>(r.CurveJson, ProjectSettings.Json) ?? [],
                models.GetValueOrDefault(r.Id));
        })];
    }

    private static IQueryable<Item> LoopItems(PortalDbContext db, Guid projectId) =>
        db.Items.Where(i => i.ProjectId == projectId && !i.IsGold && i.ResponseB != null);

    private static string? WhyNot(Project project, int pairs, IReadOnlyList<RoundView> rounds)
    {
        if (project.Kind == ProjectKind.Likert)
        {
            return "The targeted-feedback loop compares two responses: this project rates single responses only.";
        }

        if (rounds.FirstOrDefault(r => r.Status is RoundStatus.Planning or RoundStatus.AwaitingHumans) is { } open)
        {
            return open.Status == RoundStatus.Planning
                ? $"Round {open.Number} is still being planned."
                : $"Round {open.Number} is waiting for humans ({open.Answered} of {open.Selected} answered); close it or wait.";
        }

        return pairs < MinPairs
            ? $"The loop needs at least {MinPairs} pairs with an AI label (import them on the AI labels page) or a human label; it has {pairs}."
            : null;
    }

    /// <summary>A number of items, or a share of <paramref name="pairs"/> with a % sign (rounded, at least 1).</summary>
    public static int ParseBudget(string? budget, int pairs)
    {
        var text = budget?.Trim() ?? "";
        if (text.EndsWith('%'))
        {
            if (double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share is > 0 and <= 100)
            {
                return Math.Max(1, (int)Math.Round(share / 100 * pairs, MidpointRounding.AwayFromZero));
            }
        }
        else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            return count;
        }

        throw new PortalValidationException("budget", $"'{text}' is not a budget: give a number of items (50) or a share of the pairs (7%).");
    }

    private static SelectionStrategy ParseStrategy(string? strategy) => (strategy?.Trim().ToLowerInvariant() ?? "rlthf") switch
    {
        "" or "rlthf" => SelectionStrategy.Rlthf,
        "random" => SelectionStrategy.Random,
        "uncertainty" => SelectionStrategy.Uncertainty,
        _ => throw new PortalValidationException("strategy", $"'{strategy}' is not a strategy: rlthf, random or uncertainty."),
    };

    private static string StrategyName(SelectionStrategy s) => s.ToString().ToLowerInvariant();

    private static string Describe(RoundStatus s) => s switch
    {
        RoundStatus.Planning => "being planned",
        RoundStatus.AwaitingHumans => "waiting for humans",
        RoundStatus.Completed => "complete",
        _ => "failed",
    };

    private static List<Turn> Conversation(string json) => JsonSerializer.Deserialize<List<Turn>>(json, ProjectSettings.Json) ?? [];

    private static ValueTask Report(IJobProgress? progress, int percent, string message) =>
        progress?.ReportAsync(percent, message) ?? ValueTask.CompletedTask;

    /// <summary>
    /// Core progress (0–1, reported synchronously) into a slice of the job's percent. Writes go one after another in the
    /// background; <see cref="FlushAsync"/> waits for the last, so no late write lands after the job's next step.
    /// </summary>
    private sealed class JobProgressAdapter(IJobProgress? job, int from, int span, string message) : IProgress<double>
    {
        private readonly Lock _gate = new();
        private Task _chain = Task.CompletedTask;

        public void Report(double value)
        {
            if (job is null)
            {
                return;
            }

            var percent = from + (int)(Math.Clamp(value, 0, 1) * span);
            lock (_gate)
            {
                _chain = _chain.ContinueWith(_ => job.ReportAsync(percent, message).AsTask(), TaskScheduler.Default).Unwrap();
            }
        }

        public Task FlushAsync()
        {
            lock (_gate)
            {
                return _chain;
            }
        }
    }
}
