using System.Collections;
using System.Runtime.CompilerServices;

namespace Portal.Core.Agreement;

/// <summary>
/// Ids (compared ordinally) numbered densely in order of first appearance, their characters kept in one arena: a file of
/// 333,334 units costs a few arrays instead of a string and a dictionary entry each. An id becomes a string only when asked for.
/// </summary>
internal sealed class IdTable : IReadOnlyList<string>
{
    private char[] _chars = new char[4096];
    private int _charCount;

    // For id i: its characters are _chars[_starts[i] .. _starts[i + 1]), its hash _hashes[i], the next id in its bucket _next[i].
    private int[] _starts = new int[257];
    private int[] _hashes = new int[256];
    private int[] _next = new int[256];

    // Each bucket holds its first id plus one, 0 when empty; the count of buckets is a power of two.
    private int[] _buckets = new int[512];

    public int Count { get; private set; }

    public string this[int index] => new(Span(index));

    /// <summary>The characters of id <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<char> Span(int index) => _chars.AsSpan(_starts[index], _starts[index + 1] - _starts[index]);

    /// <summary>The number of <paramref name="id"/>, numbered next when it is new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int IndexOf(ReadOnlySpan<char> id)
    {
        var hash = string.GetHashCode(id);
        for (var at = _buckets[hash & (_buckets.Length - 1)] - 1; at >= 0; at = _next[at])
        {
            if (_hashes[at] == hash && id.SequenceEqual(_chars.AsSpan(_starts[at], _starts[at + 1] - _starts[at])))
            {
                return at;
            }
        }

        return Add(id, hash);
    }

    private int Add(ReadOnlySpan<char> id, int hash)
    {
        var index = Count;
        if (index == _hashes.Length)
        {
            var size = index * 2;
            Array.Resize(ref _hashes, size);
            Array.Resize(ref _next, size);
            Array.Resize(ref _starts, size + 1);
        }

        if (_charCount + id.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + id.Length));
        }

        id.CopyTo(_chars.AsSpan(_charCount));
        _charCount += id.Length;
        _starts[index + 1] = _charCount;
        _hashes[index] = hash;
        Count = index + 1;
        if (Count > _buckets.Length / 2)
        {
            // Every id is rehashed into twice the buckets, in order, so a bucket lists its ids newest first as before.
            _buckets = new int[_buckets.Length * 2];
            for (var i = 0; i < Count; i++)
            {
                Link(i);
            }
        }
        else
        {
            Link(index);
        }

        return index;
    }

    private void Link(int index)
    {
        ref var bucket = ref _buckets[_hashes[index] & (_buckets.Length - 1)];
        _next[index] = bucket - 1;
        bucket = index + 1;
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
