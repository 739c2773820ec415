using System.Numerics.Tensors;
using Portal.Core.Pairs;

namespace Portal.Core.Rlthf;

/// <summary>
/// Turns (conversation, response) into a sparse feature vector φ by feature hashing (Weinberger et al., 2009): each feature's
/// name is hashed to an index in [0, 2^HashBits) and a sign, so collisions cancel on average instead of piling up.
/// </summary>
/// <remarks>
/// The n-gram part (word unigrams, bigrams, character n-grams) uses sublinear counts, sign(c)·(1 + ln|c|), and is scaled to unit
/// length per response, so a long response does not outvote a short one by sheer count. Structure and overlap features sit at
/// fixed hashed slots, scaled by 0.1: under the L2 penalty shared with the n-grams they then need strong evidence to matter
/// (at scale 1 they cost 1–2 points of accuracy on HH-RLHF). Not thread-safe: it reuses buffers; create one per thread.
/// </remarks>
public sealed class HashedFeaturizer
{
    private const float NumericScale = 0.1f;
    private const uint UnigramSpace = 0x1111_1111, BigramSpace = 0x2222_2222, CharSpace = 0x3333_3333, NumericSpace = 0x4444_4444;

    private readonly FeatureOptions _options;
    private readonly int _mask;
    private readonly SparseBuilder _builder = new();
    private readonly List<uint> _words = [];
    private readonly List<uint> _types = [];
    private char[] _text = new char[1024];

    public HashedFeaturizer(FeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _mask = (1 << options.HashBits) - 1;
    }

    public FeatureOptions Options => _options;

    /// <summary>The dimension of φ: 2^HashBits.</summary>
    public int Dimension => _mask + 1;

    /// <summary>φ(conversation, A) − φ(conversation, B): the vector whose dot product with the weights is the margin r(A) − r(B).</summary>
    public SparseVector PairDifference(PreferencePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var context = Context.Of(pair.Conversation, _options.PromptOverlap);
        _builder.Clear();
        AddResponse(pair.ResponseA, context, 1f);
        AddResponse(pair.ResponseB, context, -1f);
        return _builder.ToVector();
    }

    /// <summary>φ(conversation, response).</summary>
    public SparseVector Features(IReadOnlyList<Turn> conversation, string response)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(response);
        _builder.Clear();
        AddResponse(response, Context.Of(conversation, _options.PromptOverlap), 1f);
        return _builder.ToVector();
    }

    private void AddResponse(string response, Context context, float sign)
    {
        var start = _builder.Count;
        var length = Normalise(response);
        var text = _text.AsSpan(0, length);
        Words(text, _words);

        if (_options.WordUnigrams)
        {
            foreach (var w in _words)
            {
                AddHashed(Mix(w ^ UnigramSpace));
            }
        }
        if (_options.WordBigrams)
        {
            for (var k = 1; k < _words.Count; k++)
            {
                AddHashed(Mix((_words[k - 1] * 0x9E37_79B1u) ^ _words[k] ^ BigramSpace));
            }
        }
        if (_options.CharNgramMin > 0)
        {
            for (var n = _options.CharNgramMin; n <= _options.CharNgramMax; n++)
            {
                for (var i = 0; i + n <= text.Length; i++)
                {
                    AddHashed(Mix(Fnv(text.Slice(i, n)) ^ CharSpace ^ (uint)n));
                }
            }
        }

        _builder.Merge(start);
        var values = _builder.Values(start);
        for (var k = 0; k < values.Length; k++)
        {
            var v = values[k];
            values[k] = v == 0f ? 0f : MathF.CopySign(1f + MathF.Log(MathF.Abs(v)), v);
        }
        var norm = TensorPrimitives.Norm(values);
        if (norm > 0f)
        {
            TensorPrimitives.Multiply(values, sign / norm, values);
        }

        _types.Clear();
        _types.AddRange(_words);
        _types.Sort();
        var typeCount = Dedupe(_types);

        if (_options.Structure)
        {
            var newlines = response.AsSpan().Count('\n');
            AddNumeric(1, sign * MathF.Log(1 + response.Length));
            AddNumeric(2, sign * MathF.Log(1 + _words.Count));
            AddNumeric(3, sign * MathF.Log(1 + newlines));
            AddNumeric(4, sign * MathF.Log(1 + response.AsSpan().Count('?')));
            AddNumeric(5, sign * MathF.Log(1 + response.AsSpan().Count('!')));
            AddNumeric(6, sign * MathF.Log(1 + CountDigits(response)));
            AddNumeric(7, sign * MathF.Log(1 + ListLines(response)));
            AddNumeric(8, sign * (_words.Count == 0 ? 0f : 1f - ((float)typeCount / _words.Count)));
            AddNumeric(9, sign * (response.AsSpan().TrimEnd().EndsWith('?') ? 1f : 0f));
            AddNumeric(10, sign * (_words.Count == 0 ? 1f : 0f));
        }
        if (_options.PromptOverlap)
        {
            var types = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_types)[..typeCount];
            var lastUser = Shared(types, context.LastUser);
            AddNumeric(20, sign * Ratio(lastUser, types.Length));
            AddNumeric(21, sign * Ratio(lastUser, context.LastUser.Length));
            AddNumeric(22, sign * Ratio(Shared(types, context.All), types.Length));
            AddNumeric(23, sign * Ratio(Shared(types, context.PreviousAssistant), types.Length));
        }
    }

    private void AddHashed(uint hash) => _builder.Add((int)(hash & (uint)_mask), (hash & 0x8000_0000u) == 0 ? 1f : -1f);

    private void AddNumeric(uint slot, float value)
    {
        value *= NumericScale;
        if (value != 0f)
        {
            _builder.Add((int)(Mix(slot ^ NumericSpace) & (uint)_mask), value);
        }
    }

    // Lower-cases and collapses runs of white space into one space, into _text.
    private int Normalise(string response)
    {
        if (_text.Length < response.Length)
        {
            _text = new char[Math.Max(response.Length, _text.Length * 2)];
        }
        var n = 0;
        var space = true;
        foreach (var c in response)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!space)
                {
                    _text[n++] = ' ';
                    space = true;
                }
            }
            else
            {
                _text[n++] = char.ToLowerInvariant(c);
                space = false;
            }
        }
        if (n > 0 && _text[n - 1] == ' ')
        {
            n--;
        }
        return n;
    }

    /// <summary>Hashes of the words (runs of letters, digits and apostrophes) of already lower-cased text.</summary>
    internal static void Words(ReadOnlySpan<char> lowered, List<uint> into)
    {
        into.Clear();
        var start = -1;
        for (var i = 0; i <= lowered.Length; i++)
        {
            var inWord = i < lowered.Length && (char.IsLetterOrDigit(lowered[i]) || lowered[i] is '\'' or '’');
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                into.Add(Fnv(lowered[start..i]));
                start = -1;
            }
        }
    }

    private static uint[] SortedWordTypes(string text)
    {
        var words = new List<uint>();
        Words(text.ToLowerInvariant(), words);
        words.Sort();
        var n = Dedupe(words);
        return words.GetRange(0, n).ToArray();
    }

    private static int Dedupe(List<uint> sorted)
    {
        var n = 0;
        for (var k = 0; k < sorted.Count; k++)
        {
            if (n == 0 || sorted[n - 1] != sorted[k])
            {
                sorted[n++] = sorted[k];
            }
        }
        return n;
    }

    private static int Shared(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        int i = 0, j = 0, shared = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                shared++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return shared;
    }

    private static float Ratio(int part, int whole) => whole == 0 ? 0f : (float)part / whole;

    private static int CountDigits(string s)
    {
        var n = 0;
        foreach (var c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                n++;
            }
        }
        return n;
    }

    private static int ListLines(string s)
    {
        var n = 0;
        foreach (var line in s.AsSpan().EnumerateLines())
        {
            var t = line.TrimStart();
            if (t.StartsWith("- ") || t.StartsWith("* ") || (t.Length > 1 && char.IsAsciiDigit(t[0]) && (t[1] == '.' || t[1] == ')')))
            {
                n++;
            }
        }
        return n;
    }

    // FNV-1a over UTF-16 code units.
    private static uint Fnv(ReadOnlySpan<char> s)
    {
        var h = 2166136261u;
        foreach (var c in s)
        {
            h = (h ^ c) * 16777619u;
        }
        return h;
    }

    // MurmurHash3's finaliser: spreads every input bit over the output.
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EB_CA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2_AE35u;
        h ^= h >> 16;
        return h;
    }

    private sealed record Context(uint[] LastUser, uint[] All, uint[] PreviousAssistant)
    {
        private static readonly Context Empty = new([], [], []);

        public static Context Of(IReadOnlyList<Turn> conversation, bool needed)
        {
            if (!needed || conversation.Count == 0)
            {
                return Empty;
            }
            string lastUser = "", previousAssistant = "";
            for (var i = conversation.Count - 1; i >= 0; i--)
            {
                if (lastUser.Length == 0 && conversation[i].Role == Turn.User)
                {
                    lastUser = conversation[i].Content;
                }
                if (previousAssistant.Length == 0 && conversation[i].Role == Turn.Assistant)
                {
                    previousAssistant = conversation[i].Content;
                }
            }
            var all = conversation.Count == 1 ? conversation[0].Content : string.Join('\n', conversation.Select(t => t.Content));
            return new Context(SortedWordTypes(lastUser), SortedWordTypes(all), SortedWordTypes(previousAssistant));
        }
    }
}
