using Portal.Core.Agreement;

namespace Portal.Core.Tests.Agreement;

public class RatingTableTests
{
    [Fact]
    public void Build_IdsInAnyOrder_NumbersThemByFirstAppearanceAndGroupsByUnit()
    {
        var builder = new RatingTableBuilder();
        builder.Add("item-9", "bob", 2);
        builder.Add("item-3", "ann", 5);
        builder.Add("item-9", "ann", 4);

        var table = builder.Build();

        Assert.Equal(3, table.Count);
        Assert.Equal(2, table.UnitCount);
        Assert.Equal(2, table.RaterCount);
        Assert.Equal("item-9", table.UnitId(0));
        Assert.Equal("ann", table.RaterId(1));
        Assert.Equal([0, 0, 1], table.Units.ToArray());
        Assert.Equal([0, 1, 1], table.Raters.ToArray());
        Assert.Equal([2.0, 4, 5], table.Values.ToArray());
        Assert.Equal([0, 2, 3], table.UnitStarts.ToArray());
        Assert.Equal(2, table.RatingsOf(0));
    }

    [Fact]
    public void Build_SameRaterRatesUnitTwice_ThrowsNamingBoth()
    {
        var builder = new RatingTableBuilder();
        builder.Add("u1", "ann", 1);
        builder.Add("u2", "ann", 1);
        builder.Add("u1", "ann", 2);

        var ex = Assert.Throws<ArgumentException>(builder.Build);

        Assert.Contains("'ann' rates unit 'u1' twice (ratings 1 and 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_NaN_Throws()
    {
        var builder = new RatingTableBuilder();

        Assert.Throws<ArgumentException>(() => builder.Add("u1", "ann", double.NaN));
        Assert.Throws<ArgumentException>(() => builder.Add("", "ann", 1));
    }

    [Fact]
    public void FromIndices_UnratedUnitIndex_HasNoRatings()
    {
        var table = RatingTable.FromIndices([2, 0], [0, 1], [1.0, 2.0]);

        Assert.Equal(3, table.UnitCount);
        Assert.Equal(0, table.RatingsOf(1));
        Assert.Equal("2", table.UnitId(2));
    }

    [Fact]
    public void FromIndices_Duplicate_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => RatingTable.FromIndices([0, 0], [1, 1], [1.0, 2.0]));

        Assert.Contains("twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromIndices_DifferentLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => RatingTable.FromIndices([0, 1], [1], [1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => RatingTable.FromIndices([-1], [1], [1.0]));
    }

    [Fact]
    public void FromIndices_Empty_HasNoUnits()
    {
        var table = RatingTable.FromIndices([], [], []);

        Assert.Equal(0, table.UnitCount);
        Assert.True(double.IsNaN(AgreementMetrics.KrippendorffAlpha(table, MeasurementLevel.Nominal)));
    }
}
