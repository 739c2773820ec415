namespace Portal.Core.Rlthf;

/// <summary>A sparse vector: strictly increasing <see cref="Indices"/> and their <see cref="Values"/>.</summary>
public readonly record struct SparseVector(int[] Indices, float[] Values)
{
    public int Count => Indices.Length;

    /// <summary>Σ values[k]·dense[indices[k]].</summary>
    public float Dot(ReadOnlySpan<float> dense)
    {
        var sum = 0f;
        var indices = Indices;
        var values = Values;
        for (var k = 0; k < indices.Length; k++)
        {
            sum += values[k] * dense[indices[k]];
        }
        return sum;
    }
}

/// <summary>Collects (index, value) entries and merges duplicates; reused across vectors to avoid allocations.</summary>
internal sealed class SparseBuilder
{
    private int[] _indices = new int[256];
    private float[] _values = new float[256];

    public int Count { get; private set; }

    public void Clear() => Count = 0;

    public void Add(int index, float value)
    {
        if (Count == _indices.Length)
        {
            Array.Resize(ref _indices, Count * 2);
            Array.Resize(ref _values, Count * 2);
        }
        _indices[Count] = index;
        _values[Count] = value;
        Count++;
    }

    /// <summary>Sorts the entries by index and sums duplicates in place.</summary>
    private void Merge()
    {
        Array.Sort(_indices, _values, 0, Count);
        var write = 0;
        for (var read = 0; read < Count; read++)
        {
            if (write > 0 && _indices[write - 1] == _indices[read])
            {
                _values[write - 1] += _values[read];
            }
            else
            {
                _indices[write] = _indices[read];
                _values[write] = _values[read];
                write++;
            }
        }
        Count = write;
    }

    /// <summary>Σ value·dense[index] over the entries (duplicates need not be merged).</summary>
    public float Dot(ReadOnlySpan<float> dense)
    {
        var sum = 0f;
        for (var k = 0; k < Count; k++)
        {
            sum += _values[k] * dense[_indices[k]];
        }
        return sum;
    }

    /// <summary>Merges everything and copies out the non-zero entries.</summary>
    public SparseVector ToVector()
    {
        Merge();
        var nonZero = 0;
        for (var k = 0; k < Count; k++)
        {
            if (_values[k] != 0f)
            {
                nonZero++;
            }
        }
        var indices = new int[nonZero];
        var values = new float[nonZero];
        var w = 0;
        for (var k = 0; k < Count; k++)
        {
            if (_values[k] != 0f)
            {
                indices[w] = _indices[k];
                values[w] = _values[k];
                w++;
            }
        }
        return new SparseVector(indices, values);
    }
}
