using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Portal.App.Data;
using Portal.App.Features.Quality;
using Portal.App.Features.Rlthf;
using Portal.App.Jobs;
using Portal.Core.Rlthf;
using Portal.TestSupport;

namespace Portal.App.Tests.Features.Rlthf;

/// <summary>The round job's reward model goes through ONNX Runtime: what it stores, and how a bad model fails the round.</summary>
public class RlthfOnnxTests
{
    private static (RlthfService Service, RecordingScheduling Scheduling) Create(TestDatabase db, IRewardTrainer trainer)
    {
        var scheduling = new RecordingScheduling();
        var quality = new QualityService(db.Factory, TimeProvider.System);
        return (new RlthfService(db.Factory, TimeProvider.System, new JobLauncher(db.Factory, scheduling, TimeProvider.System, new JobProgressBoard()), quality, trainer), scheduling);
    }

    [Fact]
    public async Task Plan_BuiltInTrainer_StoresOnnxArtifactWithFeaturizerAndTrainingSet()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Onnx");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 150, aiError: 0.25);
        var (service, scheduling) = Create(db, new LinearRewardTrainer());
        await service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("10"));

        await service.PlanAsync(tenant.Id, Guid.Parse(scheduling.Triggered[^1].Args.GetString(RunRlthfRoundJob.RoundIdKey)!), null, CancellationToken.None);

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var stored = await ctx.RewardModels.SingleAsync();
        using var model = Assert.IsType<OnnxRewardModel>(await RewardModelArtifact.LoadAsync(new MemoryStream(stored.Artifact!)));
        Assert.Equal(HashedFeaturizer.Name, model.Metadata.Featurizer);
        Assert.Equal(HashedFeaturizer.Version, model.Metadata.FeaturizerVersion);
        Assert.Equal(new TrainingComposition(150, 150, 0, 0), model.Metadata.Training);
        Assert.Null(model.Metadata.OutOfFoldAccuracy); // no human labels to check it against in round 1
        Assert.Equal(stored.Trainer, model.Metadata.Trainer);
        Assert.Equal(150, model.Metadata.Summary!.Pairs);
    }

    [Fact]
    public async Task Plan_ExternalTrainerWritesCorruptOnnx_RoundFailsNamingItAndNothingChanges()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Onnx");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 60, aiError: 0.25);
        var garbage = Path.GetTempFileName();
        await File.WriteAllTextAsync(garbage, "this is not a protobuf");
        try
        {
            var trainer = new ExternalProcessTrainer(new ExternalTrainerOptions { FileName = "cp", Arguments = [garbage, "{model}"] });
            var (service, scheduling) = Create(db, trainer);
            await service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("10"));
            var roundId = Guid.Parse(scheduling.Triggered[^1].Args.GetString(RunRlthfRoundJob.RoundIdKey)!);
            List<(Guid, int?, int)> queue;
            await using (var before = db.Factory.CreateForTenant(tenant.Id))
            {
                queue = [.. (await before.Items.OrderBy(i => i.Id).Select(i => new { i.Id, i.Overlap, i.Priority }).ToListAsync()).Select(i => (i.Id, i.Overlap, i.Priority))];
            }

            // What RunRlthfRoundJob does: plan, and on failure mark the round failed with the message.
            var ex = await Assert.ThrowsAsync<ExternalTrainerException>(() => service.PlanAsync(tenant.Id, roundId, null, CancellationToken.None));
            await service.FailAsync(tenant.Id, roundId, ex.Message, CancellationToken.None);

            Assert.StartsWith("{model}: The reward model is not an ONNX model", ex.Message, StringComparison.Ordinal);
            await using var ctx = db.Factory.CreateForTenant(tenant.Id);
            var round = await ctx.RlthfRounds.SingleAsync();
            Assert.Equal((RoundStatus.Failed, ex.Message), (round.Status, round.Error));
            Assert.Equal(0, await ctx.RlthfRoundItems.CountAsync());
            Assert.Equal(0, await ctx.RewardModels.CountAsync());
            var after = (await ctx.Items.OrderBy(i => i.Id).Select(i => new { i.Id, i.Overlap, i.Priority }).ToListAsync()).Select(i => (i.Id, i.Overlap, i.Priority));
            Assert.Equal(queue, after);
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    [Fact]
    public void FromConfiguration_OnnxProviderAndReturnsModel_Read()
    {
        static IConfiguration Config(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

        var builtIn = Assert.IsType<LinearRewardTrainer>(RewardTrainers.FromConfiguration(Config(("Rlthf:Onnx:Provider", "cuda"), ("Rlthf:Onnx:DeviceId", "1"))));
        var external = Assert.IsType<ExternalProcessTrainer>(RewardTrainers.FromConfiguration(Config(
            ("Rlthf:ExternalTrainer:FileName", "python3"), ("Rlthf:ExternalTrainer:ReturnsModel", "true"))));
        var ex = Assert.Throws<ArgumentException>(() => RewardTrainers.FromConfiguration(Config(("Rlthf:Onnx:Provider", "tpu"))));

        Assert.Equal((OnnxProvider.Cuda, 1), (builtIn.Scoring.Provider, builtIn.Scoring.DeviceId));
        Assert.Equal(OnnxProvider.Cpu, Assert.IsType<LinearRewardTrainer>(RewardTrainers.FromConfiguration(null)).Scoring.Provider);
        Assert.True(external.Options.ReturnsModel);
        Assert.Equal(OnnxProvider.Cpu, external.Options.Scoring.Provider);
        Assert.Contains("Rlthf:Onnx:Provider is 'tpu'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_Featurizer_PicksTheEmbeddingTrainerOrFailsNamingTheSetting()
    {
        static IConfiguration Config(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

        var minilm = Assert.IsType<EmbeddingRewardTrainer>(RewardTrainers.FromConfiguration(Config(("Rlthf:Featurizer", "minilm"))));
        var both = Assert.IsType<EmbeddingRewardTrainer>(RewardTrainers.FromConfiguration(Config(("Rlthf:Featurizer", "MiniLM+Hashed"))));
        Assert.IsType<LinearRewardTrainer>(RewardTrainers.FromConfiguration(Config(("Rlthf:Featurizer", "hashed"))));
        var ex = Assert.Throws<ArgumentException>(() => RewardTrainers.FromConfiguration(Config(("Rlthf:Featurizer", "bert"))));

        Assert.False(minilm.Options.Hashed);
        Assert.True(both.Options.Hashed);
        Assert.Contains("Rlthf:Featurizer is 'bert'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_EmbeddingTrainer_StoresOnnxArtifactNamingTheMinilmFeaturizer()
    {
        await using var db = await TestDatabase.CreateAsync(TestProvider.Sqlite);
        var tenant = await db.CreateTestTenantAsync("Minilm");
        var project = await db.CreateLoopProjectAsync(tenant.Id, pairs: 40, aiError: 0.25); // 120 short texts to embed
        using var embedder = new SentenceEmbedder();
        var (service, scheduling) = Create(db, new EmbeddingRewardTrainer(embedder));
        await service.StartAsync(tenant.Id, project.Project.Id, null, new StartRoundInput("4"));

        await service.PlanAsync(tenant.Id, Guid.Parse(scheduling.Triggered[^1].Args.GetString(RunRlthfRoundJob.RoundIdKey)!), null, CancellationToken.None);

        await using var ctx = db.Factory.CreateForTenant(tenant.Id);
        var stored = await ctx.RewardModels.SingleAsync();
        using var model = Assert.IsType<OnnxRewardModel>(await RewardModelArtifact.LoadAsync(new MemoryStream(stored.Artifact!)));
        Assert.Equal(EmbeddingFeaturizer.Name, model.Metadata.Featurizer);
        Assert.Equal(1, model.Metadata.FeaturizerVersion); // minilm without the version 2 parts: a version 1 model
        Assert.False(model.Metadata.Embedding!.Hashed);
        Assert.Equal("built-in linear Bradley–Terry (sentence embeddings)", stored.Trainer);
        Assert.Equal(40, model.Metadata.Summary!.Pairs);
    }
}
