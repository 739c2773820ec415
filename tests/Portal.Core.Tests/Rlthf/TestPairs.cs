using Portal.Core.Pairs;
using Portal.Core.Rlthf;
using Portal.Core.Tests.Pairs;

namespace Portal.Core.Tests.Rlthf;

/// <summary>Builders for pair data in tests.</summary>
internal static class TestPairs
{
    /// <summary><paramref name="count"/> synthetic pairs (truth: chosen is A) for the seed.</summary>
    public static List<PreferencePair> Synthetic(int count, int seed)
    {
        using var text = new StringWriter();
        SyntheticPairs.Write(text, count, seed);
        using var reader = new StringReader(text.ToString());
        return [.. PreferencePairReader.Read(reader)];
    }

    public static PreferencePair Pair(string a, string b, string prompt = "Question?", string? id = null) =>
        new(id, [new Turn(Turn.User, prompt)], a, b, null, null);

    /// <summary>The repository file at <paramref name="relativePath"/>, found by walking up from the test binaries.</summary>
    public static string RepositoryFile(string relativePath) =>
        SharedData.FindAbove(relativePath) ?? throw new FileNotFoundException($"{relativePath} was not found above {AppContext.BaseDirectory}.");
}
