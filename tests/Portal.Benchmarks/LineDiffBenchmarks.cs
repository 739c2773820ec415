using BenchmarkDotNet.Attributes;
using Portal.Core.Text;

namespace Portal.Benchmarks;

/// <summary>
/// The guideline diff (DiffPlex) between two 5,000-line versions: a share of the lines changed, inserted or removed at
/// random places (seeded), and the worst case under the cap, two versions with no line in common.
/// </summary>
[MemoryDiagnoser]
public class LineDiffBenchmarks
{
    private string _before = null!;
    private string _after = null!;

    /// <summary>Per mille of the lines edited; 1000 means a rewrite with no line in common.</summary>
    [Params(4, 10, 50, 250, 1000)]
    public int EditedPerMille { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var lines = Enumerable.Range(0, 5000)
            .Select(i => random.Next(10) == 0 ? "" : $"{i}. Prefer the response that answers the question asked; note {random.Next(1000)}.")
            .ToList();
        _before = string.Join('\n', lines);
        if (EditedPerMille == 1000)
        {
            _after = string.Join('\n', lines.Select(l => "new " + l));
            return;
        }

        for (var k = 0; k < lines.Count * EditedPerMille / 1000; k++)
        {
            var at = random.Next(lines.Count);
            switch (random.Next(3))
            {
                case 0: lines[at] = "changed " + lines[at]; break;
                case 1: lines.Insert(at, $"inserted {k}"); break;
                default: lines.RemoveAt(at); break;
            }
        }

        _after = string.Join('\n', lines);
    }

    [Benchmark]
    public int Diff() => LineDiff.Compute(_before, _after).Count;
}
