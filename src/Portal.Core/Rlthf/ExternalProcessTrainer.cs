using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>The command an <see cref="ExternalProcessTrainer"/> runs. See docs/external-trainer.md for the contract.</summary>
public sealed record ExternalTrainerOptions
{
    /// <summary>The program to start (<c>python3</c>, <c>bash</c>, <c>/opt/rm/train</c>); no shell is involved.</summary>
    public required string FileName { get; init; }

    /// <summary>
    /// Arguments, one list entry per argument (no quoting needed). Placeholders replaced in each: <c>{train}</c>, <c>{score}</c>,
    /// <c>{out}</c>, <c>{model}</c> (paths), <c>{dir}</c> (the temporary folder holding them), <c>{l2}</c>, <c>{max_iterations}</c>, <c>{seed}</c>.
    /// </summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// The command writes an ONNX model to <c>{model}</c> (docs/external-trainer.md): then the round's final model is trained by
    /// the command too and stored as the round's artifact. A model in <c>{model}</c> is used for scoring whether or not this is set.
    /// </summary>
    public bool ReturnsModel { get; init; }

    /// <summary>Where ONNX Runtime scores a model the command returns.</summary>
    public OnnxScoringOptions Scoring { get; init; } = new();

    public string? WorkingDirectory { get; init; }

    /// <summary>The command is killed (with its child processes) after this long.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Leave the temporary folder behind for debugging instead of deleting it.</summary>
    public bool KeepFiles { get; init; }
}

/// <summary>The external command failed, or what it wrote breaks the contract. The message carries the command's stderr.</summary>
public sealed class ExternalTrainerException : Exception
{
    public ExternalTrainerException()
    {
    }

    public ExternalTrainerException(string message)
        : base(message)
    {
    }

    public ExternalTrainerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ExternalTrainerException(string message, int? exitCode, string standardError)
        : base(message)
    {
        ExitCode = exitCode;
        StandardError = standardError;
    }

    public int? ExitCode { get; }

    /// <summary>The last 8,000 characters the command wrote to stderr.</summary>
    public string StandardError { get; } = "";
}

/// <summary>
/// A reward trainer in another process (a GPU trainer, a Python script): the training pairs and the pairs to score go to it as
/// JSON Lines in a temporary folder, and one margin a pair comes back. The contract is in docs/external-trainer.md.
/// </summary>
/// <remarks>
/// Training is deferred: <see cref="TrainAsync"/> keeps the training pairs, and each <see cref="IPairScorer.ScoreAsync"/> of the
/// model runs the command once, on them and the pairs to score. The command is started directly (no shell), so nothing in a
/// pair's text can become part of a command line.
/// </remarks>
public sealed class ExternalProcessTrainer(ExternalTrainerOptions options) : IRewardTrainer
{
    private const int StderrTail = 8000;

    public ExternalTrainerOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public Task<TrainedRewardModel> TrainAsync(IReadOnlyList<TrainingPair> pairs, TrainOptions options, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(options);
        progress?.Report(1.0);
        return Task.FromResult<TrainedRewardModel>(new ExternalRewardModel(this, [.. pairs], options));
    }

    /// <summary>
    /// Writes the files, runs the command, reads and checks its margins: r(A) − r(B) per pair of <paramref name="score"/>, from
    /// the ONNX model in <c>{model}</c> through ONNX Runtime when the command wrote one, else from <c>{out}</c>.
    /// </summary>
    public async Task<float[]> TrainAndScoreAsync(
        IReadOnlyList<TrainingPair> train,
        IReadOnlyList<PreferencePair> score,
        TrainOptions trainOptions,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default) =>
        (await RunOnceAsync(train, score, trainOptions, progress, cancellationToken)).Margins;

    private async Task<(float[] Margins, byte[]? Artifact)> RunOnceAsync(
        IReadOnlyList<TrainingPair> train,
        IReadOnlyList<PreferencePair> score,
        TrainOptions trainOptions,
        IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(trainOptions);
        var dir = Directory.CreateTempSubdirectory("portal-trainer-");
        try
        {
            var trainPath = Path.Combine(dir.FullName, "train.jsonl");
            var scorePath = Path.Combine(dir.FullName, "score.jsonl");
            var outPath = Path.Combine(dir.FullName, "margins.jsonl");
            var modelPath = Path.Combine(dir.FullName, "model.onnx");
            await WriteAsync(trainPath, train.Count, (json, i) => WritePair(json, i, train[i].Pair, train[i].Label, train[i].Weight), cancellationToken);
            await WriteAsync(scorePath, score.Count, (json, i) => WritePair(json, i, score[i], Preference.A, null), cancellationToken);

            var values = new Dictionary<string, string>
            {
                ["{train}"] = trainPath,
                ["{score}"] = scorePath,
                ["{out}"] = outPath,
                ["{model}"] = modelPath,
                ["{dir}"] = dir.FullName,
                ["{l2}"] = trainOptions.L2.ToString("R", CultureInfo.InvariantCulture),
                ["{max_iterations}"] = trainOptions.MaxIterations.ToString(CultureInfo.InvariantCulture),
                ["{seed}"] = trainOptions.Seed.ToString(CultureInfo.InvariantCulture),
            };
            await RunAsync(values, progress, cancellationToken);
            if (File.Exists(modelPath))
            {
                var bytes = await File.ReadAllBytesAsync(modelPath, cancellationToken);
                try
                {
                    using var model = OnnxRewardModel.Load(bytes, null, Options.Scoring);
                    var margins = model.Score(score, cancellationToken);
                    using var artifact = new MemoryStream();
                    await model.SaveAsync(artifact, cancellationToken);
                    return (margins, artifact.ToArray());
                }
                catch (InvalidDataException ex)
                {
                    throw new ExternalTrainerException($"{{model}}: {ex.Message}", ex);
                }
            }
            if (score.Count == 0)
            {
                return ([], null);
            }
            return (await ReadMarginsAsync(outPath, score.Count, cancellationToken), null);
        }
        finally
        {
            if (!Options.KeepFiles)
            {
                dir.Delete(recursive: true);
            }
        }
    }

    private async Task RunAsync(Dictionary<string, string> values, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Options.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Options.WorkingDirectory ?? "",
        };
        foreach (var argument in Options.Arguments)
        {
            var a = argument;
            foreach (var (key, value) in values)
            {
                a = a.Replace(key, value, StringComparison.Ordinal);
            }
            start.ArgumentList.Add(a);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ExternalTrainerException($"The external trainer '{Options.FileName}' could not be started: {ex.Message}", ex);
        }

        var stderr = new StringBuilder();
        var stderrTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
            {
                stderr.AppendLine(line);
                if (stderr.Length > 2 * StderrTail)
                {
                    stderr.Remove(0, stderr.Length - StderrTail);
                }
            }
        }, CancellationToken.None);
        var stdoutTask = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
            {
                // "progress 0.42" lines report progress; everything else on stdout is ignored.
                if (progress is not null && line.StartsWith("progress ", StringComparison.Ordinal)
                    && double.TryParse(line.AsSpan(9), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1)
                {
                    progress.Report(p);
                }
            }
        }, CancellationToken.None);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAll(stderrTask, stdoutTask);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ExternalTrainerException(
                $"The external trainer '{Options.FileName}' did not finish within {Options.Timeout} and was stopped.{Tail(stderr)}", null, Tail(stderr).Trim());
        }
        await Task.WhenAll(stderrTask, stdoutTask);
        if (process.ExitCode != 0)
        {
            throw new ExternalTrainerException(
                $"The external trainer '{Options.FileName}' exited with code {process.ExitCode}.{Tail(stderr)}", process.ExitCode, Tail(stderr).Trim());
        }
    }

    private static string Tail(StringBuilder stderr)
    {
        var text = stderr.ToString();
        text = text.Length > StderrTail ? text[^StderrTail..] : text;
        return text.Length == 0 ? " It wrote nothing to stderr." : $" Its stderr:\n{text.TrimEnd()}";
    }

    private static async Task WriteAsync(string path, int count, Action<Utf8JsonWriter, int> write, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        // Files, not HTML: keep quotes as \" and non-ASCII text as UTF-8 rather than \uXXXX.
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        for (var i = 0; i < count; i++)
        {
            write(json, i);
            json.Flush();
            file.WriteByte((byte)'\n');
            json.Reset();
            if ((i & 1023) == 1023)
            {
                await file.FlushAsync(cancellationToken);
            }
        }
    }

    // TRL's conversational preference shape: prompt messages, then one assistant message on each side.
    private static void WritePair(Utf8JsonWriter json, int id, PreferencePair pair, Preference label, float? weight)
    {
        json.WriteStartObject();
        json.WriteNumber("id", id);
        if (pair.ExternalId is { } externalId)
        {
            json.WriteString("external_id", externalId);
        }
        json.WriteStartArray("prompt");
        foreach (var turn in pair.Conversation)
        {
            WriteMessage(json, turn.Role, turn.Content);
        }
        json.WriteEndArray();
        var (chosen, rejected) = label == Preference.A ? (pair.ResponseA, pair.ResponseB) : (pair.ResponseB, pair.ResponseA);
        json.WriteStartArray("chosen");
        WriteMessage(json, Turn.Assistant, chosen);
        json.WriteEndArray();
        json.WriteStartArray("rejected");
        WriteMessage(json, Turn.Assistant, rejected);
        json.WriteEndArray();
        if (weight is { } w)
        {
            json.WriteNumber("weight", w);
        }
        json.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }

    private static async Task<float[]> ReadMarginsAsync(string path, int count, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new ExternalTrainerException($"The external trainer exited with code 0 but wrote no margins to {{out}} ({path}).");
        }
        var margins = new float[count];
        var seen = new bool[count];
        var found = 0;
        var lineNumber = 0;
        using var reader = new StreamReader(path, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var (id, margin) = ParseMargin(line, lineNumber, count);
            if (seen[id])
            {
                throw new ExternalTrainerException($"{{out}} line {lineNumber}: id {id} appears twice.");
            }
            seen[id] = true;
            margins[id] = margin;
            found++;
        }
        if (found != count)
        {
            var missing = Array.IndexOf(seen, false);
            throw new ExternalTrainerException($"{{out}} has margins for {found} of the {count} pairs in {{score}}; id {missing} is the first missing.");
        }
        return margins;
    }

    private static (int Id, float Margin) ParseMargin(string line, int lineNumber, int count)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var idElement))
            {
                throw new ExternalTrainerException($"{{out}} line {lineNumber}: expected an object with an \"id\".");
            }
            var id = idElement.ValueKind switch
            {
                JsonValueKind.Number when idElement.TryGetInt32(out var n) => n,
                JsonValueKind.String when int.TryParse(idElement.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                _ => -1,
            };
            if (id < 0 || id >= count)
            {
                throw new ExternalTrainerException($"{{out}} line {lineNumber}: id {idElement.GetRawText()} is not one of the ids 0 to {count - 1} in {{score}}.");
            }
            double margin;
            if (root.TryGetProperty("margin", out var m) && m.ValueKind == JsonValueKind.Number)
            {
                margin = m.GetDouble();
            }
            else if (root.TryGetProperty("score_chosen", out var c) && c.ValueKind == JsonValueKind.Number
                && root.TryGetProperty("score_rejected", out var r) && r.ValueKind == JsonValueKind.Number)
            {
                margin = c.GetDouble() - r.GetDouble();
            }
            else
            {
                throw new ExternalTrainerException($"{{out}} line {lineNumber}: expected a number \"margin\", or numbers \"score_chosen\" and \"score_rejected\".");
            }
            return double.IsFinite(margin) && Math.Abs(margin) < float.MaxValue
                ? (id, (float)margin)
                : throw new ExternalTrainerException($"{{out}} line {lineNumber}: the margin is not a finite number.");
        }
        catch (JsonException ex)
        {
            throw new ExternalTrainerException($"{{out}} line {lineNumber}: not valid JSON ({ex.Message}).", ex);
        }
    }

    private sealed class ExternalRewardModel(ExternalProcessTrainer trainer, TrainingPair[] train, TrainOptions options) : TrainedRewardModel
    {
        public override Task<float[]> ScoreAsync(IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default) =>
            trainer.TrainAndScoreAsync(train, pairs, options, null, cancellationToken);

        /// <summary>With <see cref="ExternalTrainerOptions.ReturnsModel"/>, runs the command on the training pairs alone and saves the ONNX model it writes.</summary>
        public override async Task SaveAsync(Stream stream, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!trainer.Options.ReturnsModel)
            {
                throw new NotSupportedException("An external trainer's model lives in the external trainer; Portal keeps only its margins.");
            }
            var (_, artifact) = await trainer.RunOnceAsync(train, [], options, null, cancellationToken);
            if (artifact is null)
            {
                throw new ExternalTrainerException("The trainer is configured to return a model (ReturnsModel), but it wrote nothing to {model}.");
            }
            if (Provenance is not null)
            {
                var model = await RewardModelArtifact.LoadAsync(new MemoryStream(artifact), trainer.Options.Scoring, cancellationToken);
                model.Provenance = Provenance;
                await model.SaveAsync(stream, cancellationToken);
                (model as IDisposable)?.Dispose();
                return;
            }
            await stream.WriteAsync(artifact, cancellationToken);
        }
    }
}
