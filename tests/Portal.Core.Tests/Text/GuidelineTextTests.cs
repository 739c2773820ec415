using Portal.Core.Text;

namespace Portal.Core.Tests.Text;

public class GuidelineTextTests
{
    [Fact]
    public void LineDiff_OneLineChangedAndOneAdded_MarksExactlyThose()
    {
        var diff = LineDiff.Compute("# Criteria\nHelpful first.\nThen style.\n", "# Criteria\nAccurate first.\nThen style.\nTies are rare.\n");

        Assert.Equal(
        [
            new DiffLine(DiffKind.Same, "# Criteria"),
            new DiffLine(DiffKind.Removed, "Helpful first."),
            new DiffLine(DiffKind.Added, "Accurate first."),
            new DiffLine(DiffKind.Same, "Then style."),
            new DiffLine(DiffKind.Added, "Ties are rare."),
            new DiffLine(DiffKind.Same, ""),
        ], diff);
    }

    [Fact]
    public void LineDiff_RandomEdits_KeepsALongestCommonSubsequenceAndRebuildsBothTexts()
    {
        var random = new Random(5);
        for (var round = 0; round < 200; round++)
        {
            var a = Enumerable.Range(0, random.Next(0, 12)).Select(_ => ((char)('a' + random.Next(4))).ToString()).ToList();
            var b = Enumerable.Range(0, random.Next(0, 12)).Select(_ => ((char)('a' + random.Next(4))).ToString()).ToList();
            var diff = LineDiff.Compute(string.Join('\n', a), string.Join('\n', b));

            Assert.Equal(string.Join('\n', a), string.Join('\n', diff.Where(l => l.Kind != DiffKind.Added).Select(l => l.Text)));
            Assert.Equal(string.Join('\n', b), string.Join('\n', diff.Where(l => l.Kind != DiffKind.Removed).Select(l => l.Text)));
            Assert.Equal(ReferenceLcs(a, b), diff.Count(l => l.Kind == DiffKind.Same));
        }
    }

    [Fact]
    public void LineDiff_FiveThousandLinesWithScatteredEdits_MarksOnlyTheEditedLines()
    {
        var before = Enumerable.Range(0, 5000).Select(i => $"{i}. Prefer the response that answers the question.").ToArray();
        var after = before.ToArray();
        var edited = Enumerable.Range(0, 250).Select(k => (k * 20) + 7).ToArray();
        foreach (var i in edited)
        {
            after[i] = "changed " + after[i];
        }

        var diff = LineDiff.Compute(string.Join('\n', before), string.Join('\n', after));

        Assert.Equal(5000 - edited.Length, diff.Count(l => l.Kind == DiffKind.Same));
        Assert.Equal(edited.Select(i => before[i]), diff.Where(l => l.Kind == DiffKind.Removed).Select(l => l.Text));
        Assert.Equal(edited.Select(i => after[i]), diff.Where(l => l.Kind == DiffKind.Added).Select(l => l.Text));
    }

    [Fact]
    public void LineDiff_ChangedPartBeyondTheCap_ShowsItWhollyRemovedAndAddedBetweenTheCommonEnds()
    {
        var half = (LineDiff.MaxChangedLines / 2) + 1;
        var before = "# Title\n" + string.Join('\n', Enumerable.Range(0, half).Select(i => $"old {i}")) + "\nThe end.";
        var after = "# Title\n" + string.Join('\n', Enumerable.Range(0, half).Select(i => $"new {i}")) + "\nThe end.";

        var diff = LineDiff.Compute(before, after);

        Assert.Equal(new DiffLine(DiffKind.Same, "# Title"), diff[0]);
        Assert.Equal(new DiffLine(DiffKind.Same, "The end."), diff[^1]);
        Assert.Equal(Enumerable.Repeat(DiffKind.Removed, half).Concat(Enumerable.Repeat(DiffKind.Added, half)), diff.Skip(1).Take(2 * half).Select(l => l.Kind));
        Assert.Equal(2 + (2 * half), diff.Count);
    }

    [Fact]
    public void Split_ExampleLines_BecomeExamplePartsButNotInsideCodeFences()
    {
        var parts = GuidelineMarkup.Split("# Examples\n@example(pair-7)\nText after.\n```\n@example(not-me)\n```\n  @example( pair-8 )  ");

        Assert.Equal(4, parts.Count);
        Assert.Equal("# Examples", parts[0].Markdown);
        Assert.Equal("pair-7", parts[1].ExampleId);
        Assert.Contains("@example(not-me)", parts[2].Markdown, StringComparison.Ordinal);
        Assert.Equal("pair-8", parts[3].ExampleId);
        Assert.Equal(["pair-7", "pair-8"], GuidelineMarkup.ExampleIds("@example(pair-7)\n@example(pair-8)\n@example(pair-7)"));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<iframe src=\"https://evil.test\"></iframe>")]
    [InlineData("[read me](javascript:alert(1))")]
    [InlineData("[read me](JaVaScRiPt:alert(1))")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<a href=\"#\" onclick=\"alert(1)\">x</a>")]
    [InlineData("<svg onload=alert(1)>")]
    public void GuidelineMarkdown_HostileInputAroundAnExample_NothingExecutableSurvives(string hostile)
    {
        var markdown = $"# Rating criteria\n\n{hostile}\n\n@example(item-001)\n\n## Edge cases\n\n{hostile}";

        foreach (var part in GuidelineMarkup.Split(markdown).Where(p => p.Markdown is not null))
        {
            var html = SafeMarkdown.ToHtml(part.Markdown!);
            var result = HtmlSafety.AssertSafe(html);
            Assert.DoesNotContain(result.Elements, e => e.Name is "script" or "iframe" or "img" or "svg");
            Assert.DoesNotContain(result.Elements, e => e.Attributes.Keys.Any(k => k.StartsWith("on", StringComparison.Ordinal)));
            Assert.DoesNotContain(result.Elements, e => e.Attributes.TryGetValue("href", out var href) && href.Contains("javascript", StringComparison.OrdinalIgnoreCase));
        }
    }

    private static int ReferenceLcs(List<string> a, List<string> b)
    {
        var t = new int[a.Count + 1, b.Count + 1];
        for (var i = 1; i <= a.Count; i++)
        {
            for (var j = 1; j <= b.Count; j++)
            {
                t[i, j] = a[i - 1] == b[j - 1] ? t[i - 1, j - 1] + 1 : Math.Max(t[i - 1, j], t[i, j - 1]);
            }
        }

        return t[a.Count, b.Count];
    }
}
