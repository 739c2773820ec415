using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class IdTableTests
{
    [Fact]
    public void IndexOf_NumbersIdsInOrderOfFirstAppearanceThroughGrowth()
    {
        var table = new IdTable();
        var ids = Enumerable.Range(0, 5_000).Select(i => $"id-{i * 7919 % 5_000}").ToList();

        var first = ids.Select(id => table.IndexOf(id)).ToList();
        var again = ids.Select(id => table.IndexOf(id.AsSpan())).ToList();

        Assert.Equal(Enumerable.Range(0, 5_000), first);
        Assert.Equal(first, again);
        Assert.Equal(5_000, table.Count);
        Assert.Equal(ids, table);
        Assert.Equal("id-0", table[0]);
        Assert.Equal(ids[4_999], table.Span(4_999).ToString());
    }

    [Fact]
    public void IndexOf_ComparesOrdinally()
    {
        var table = new IdTable();

        Assert.Equal(0, table.IndexOf("a"));
        Assert.Equal(1, table.IndexOf("A"));
        Assert.Equal(2, table.IndexOf("a "));
        Assert.Equal(3, table.IndexOf("é"));
        Assert.Equal(4, table.IndexOf("e\u0301"));
        Assert.Equal(0, table.IndexOf("a"));
        Assert.Equal(5, table.Count);
    }
}
