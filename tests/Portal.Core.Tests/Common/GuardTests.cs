using Portal.Core.Common;

namespace Portal.Core.Tests.Common;

public class GuardTests
{
    [Fact]
    public void SameLength_Different_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => Guard.SameLength(2, 3, "units", "values"));
        Assert.Contains("units has 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal("values", ex.ParamName);
    }
}
