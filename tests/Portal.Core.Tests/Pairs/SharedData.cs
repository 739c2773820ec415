namespace Portal.Core.Tests.Pairs;

/// <summary>The read-only data folder <c>shared/data</c> that sits beside the project checkout (see its README).</summary>
internal static class SharedData
{
    public const string HhRlhfHarmless = "hh-rlhf-harmless-test-even.jsonl.gz";

    /// <summary>The file's full path, found by walking up from the test binaries to a folder with a <c>shared/data</c> child; null when absent.</summary>
    public static string? Find(string fileName) => FindAbove(Path.Combine("shared", "data", fileName));

    /// <summary>The first <paramref name="relativePath"/> that exists below a folder on the way up from the test binaries.</summary>
    public static string? FindAbove(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}

/// <summary>A fact that is skipped, saying why, when the shared data file it reads is truly absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string fileName)
    {
        FileName = fileName;
        if (SharedData.Find(fileName) is null)
        {
            Skip = $"shared/data/{fileName} was not found in any folder above {AppContext.BaseDirectory}; it sits beside the checkout (../shared/data).";
        }
    }

    public string FileName { get; }
}
