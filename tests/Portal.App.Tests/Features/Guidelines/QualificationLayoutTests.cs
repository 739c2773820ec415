using Portal.App.Features.Guidelines;

namespace Portal.App.Tests.Features.Guidelines;

public class QualificationLayoutTests
{
    private static readonly Guid Test = Guid.Parse("0193a6b2-7c4e-7d1a-9f00-5b1d2c3e4f50");

    private static readonly Guid[] Items = [.. Enumerable.Range(1, 8).Select(i => Guid.Parse($"0193a6b2-0000-7000-8000-{i:D12}"))];

    private static readonly Guid[] Annotators = [.. Enumerable.Range(1, 10).Select(i => Guid.Parse($"0193a6b3-1111-7000-8000-{i:D12}"))];

    private static IReadOnlyList<QualificationSlot> Layout(Guid annotator, int attempt, bool pairs = true, Guid? test = null) =>
        QualificationLayout.For(test ?? Test, annotator, attempt, Items.Select(id => (id, pairs)));

    private static string Key(IReadOnlyList<QualificationSlot> layout) =>
        string.Join(",", layout.Select(s => $"{Array.IndexOf(Items, s.ItemId)}{(s.LeftIsA ? "" : "*")}"));

    [Fact]
    public void For_SameAnnotatorAndTry_GivesTheSameLayoutEveryTime()
    {
        var first = Layout(Annotators[0], 1);
        var again = Layout(Annotators[0], 1);

        Assert.Equal(first, again);
        Assert.Equal(Items.Order(), first.Select(s => s.ItemId).Order());
        Assert.Equal(Enumerable.Range(0, Items.Length), first.Select(s => s.Position));
    }

    [Fact]
    public void For_OtherAnnotatorsTriesOrTests_ShuffleOrderAndSidesDifferently()
    {
        var layouts = Annotators.SelectMany(a => Enumerable.Range(1, 3).Select(t => Layout(a, t))).ToList();

        // 30 layouts of 8 pairs: 8! orders × 2^8 sides; distinct seeds give distinct layouts, not the admin's order.
        Assert.Equal(30, layouts.Select(Key).Distinct().Count());
        Assert.True(layouts.Select(l => string.Join(",", l.Select(s => s.ItemId))).Distinct().Count() >= 28);
        Assert.DoesNotContain(layouts, l => l.Select(s => s.ItemId).SequenceEqual(Items) && l.All(s => s.LeftIsA));
        Assert.NotEqual(Key(Layout(Annotators[0], 1)), Key(Layout(Annotators[0], 2)));
        Assert.NotEqual(Key(Layout(Annotators[0], 1)), Key(Layout(Annotators[1], 1)));
        Assert.NotEqual(Key(Layout(Annotators[0], 1)), Key(Layout(Annotators[0], 1, test: Guid.Parse("0193a6b2-7c4e-7d1a-9f00-5b1d2c3e4f51"))));

        // Sides are swapped about half the time (240 coin flips), and each item is first about as often as any other.
        var swapped = layouts.Sum(l => l.Count(s => !s.LeftIsA));
        Assert.InRange(swapped, 90, 150);
        Assert.True(layouts.Select(l => l[0].ItemId).Distinct().Count() >= 6);
    }

    [Fact]
    public void For_SingleResponses_ShufflesOrderButNeverSwapsSides()
    {
        var layouts = Annotators.Select(a => Layout(a, 1, pairs: false)).ToList();

        Assert.All(layouts, l => Assert.All(l, s => Assert.True(s.LeftIsA)));
        Assert.True(layouts.Select(l => string.Join(",", l.Select(s => s.ItemId))).Distinct().Count() > 1);
    }
}
