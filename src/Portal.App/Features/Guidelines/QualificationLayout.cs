using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Portal.App.Features.Guidelines;

/// <summary>Where one test item stands in a try: its place (0-based) and, for a pair, whether response A is on the left.</summary>
public readonly record struct QualificationSlot(Guid ItemId, int Position, bool LeftIsA);

/// <summary>
/// How one try presents the qualification test: the items in a shuffled order and each pair's sides swapped or not, so
/// that an annotator cannot learn the test by position or by side. The layout is a pure function of the test, the
/// annotator and the try number, so reloading the page shows the same layout and the service can map answers back.
/// </summary>
public static class QualificationLayout
{
    /// <summary>The layout of try <paramref name="attempt"/> (1, 2, …) of <paramref name="annotatorId"/>.</summary>
    /// <param name="testId">The test's id, never shown to annotators, so that they cannot compute the layout themselves.</param>
    /// <param name="items">The test's items in the admin's order, and whether each is a pair (only pairs have sides to swap).</param>
    public static IReadOnlyList<QualificationSlot> For(Guid testId, Guid annotatorId, int attempt, IEnumerable<(Guid ItemId, bool IsPair)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return [.. items
            .Select(item => (item.ItemId, item.IsPair, Key: Key(testId, annotatorId, attempt, item.ItemId)))
            .OrderBy(x => BinaryPrimitives.ReadUInt64BigEndian(x.Key))
            .ThenBy(x => x.ItemId)
            .Select((x, position) => new QualificationSlot(x.ItemId, position, !x.IsPair || (x.Key[8] & 1) == 0))];
    }

    /// <summary>A hash of the seed (test, annotator, try) and the item: its first 8 bytes order the items, a bit of the 9th picks the side.</summary>
    private static byte[] Key(Guid testId, Guid annotatorId, int attempt, Guid itemId)
    {
        Span<byte> input = stackalloc byte[52];
        testId.TryWriteBytes(input[..16]);
        annotatorId.TryWriteBytes(input[16..32]);
        BinaryPrimitives.WriteInt32BigEndian(input[32..36], attempt);
        itemId.TryWriteBytes(input[36..52]);
        return SHA256.HashData(input);
    }
}
