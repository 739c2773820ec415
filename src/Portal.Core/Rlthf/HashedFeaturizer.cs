using System.Runtime.InteropServices;
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
/// (at scale 1 they cost 1–2 points of accuracy on HH-RLHF). Not thread-safe: it sums counts in a dense scratch array of
/// 2^HashBits entries (5 bytes each) that it reuses; create one per thread.
/// </remarks>
public sealed class HashedFeaturizer
{
    /// <summary>The featurizer's name in a model's metadata.</summary>
    public const string Name = "portal-hashed";

    /// <summary>Changes whenever the same options give different features; a model made for another version is refused.</summary>
    public const int Version = 1;

    /// <summary>Phrase groups counted by <see cref="FeatureOptions.Markers"/>, each at its own slot (matched in the lower-cased response, white space collapsed).</summary>
    public static readonly IReadOnlyList<string[]> MarkerGroups =
    [
        ["sorry", "apolog"],
        ["i can't", "i cannot", "i won't", "i will not", "i'm not able", "i am not able", "unable to", "i don't want to", "i'd rather not"],
        ["not sure", "i don't know", "maybe", "might", "perhaps", "i think", "i guess", "probably"],
        ["illegal", "dangerous", "harm", "hurt", "violen", "crime", "criminal", "unsafe", "against the law", "unethical", "wrong"],
        ["what do you mean", "can you explain", "could you explain", "clarify", "why do you", "are you asking", "do you mean", "tell me more"],
        ["instead", "recommend", "suggest", "professional", "therapist", "police", "talk to"],
    ];

    private const uint UnigramSpace = 0x1111_1111, BigramSpace = 0x2222_2222, CharSpace = 0x3333_3333, NumericSpace = 0x4444_4444;

    private readonly FeatureOptions _options;
    private readonly int _mask;
    private readonly SparseBuilder _builder = new();
    private readonly List<uint> _words = [];
    private readonly List<uint> _types = [];
    private readonly List<uint> _lastUser = [], _conversation = [], _previousAssistant = [];
    private readonly List<int> _touched = [];
    private readonly float[] _dense;
    private readonly bool[] _seen;
    private bool _conversationIsLastUser;
    private char[] _text = new char[1024];

    public HashedFeaturizer(FeatureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _mask = (1 << options.HashBits) - 1;
        _dense = new float[_mask + 1];
        _seen = new bool[_mask + 1];
    }

    public FeatureOptions Options => _options;

    /// <summary>The dimension of φ: 2^HashBits.</summary>
    public int Dimension => _mask + 1;

    /// <summary>
    /// Runs <paramref name="body"/> over [0, count) in chunks on all cores, one featurizer per worker. Chunks are handed out in
    /// order as workers free up; each index is visited once, so per-index results do not depend on the scheduling.
    /// </summary>
    internal static void ForEachChunk(int count, FeatureOptions options, Action<HashedFeaturizer, int, int> body, CancellationToken cancellationToken)
    {
        const int chunk = 2048;
        var workers = Math.Min(Environment.ProcessorCount, (count + chunk - 1) / chunk);
        var next = -chunk;
        Parallel.For(0, workers, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(1, workers) }, _ =>
        {
            var featurizer = new HashedFeaturizer(options);
            int start;
            while ((start = Interlocked.Add(ref next, chunk)) < count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                body(featurizer, start, Math.Min(count, start + chunk));
            }
        });
    }

    /// <summary>φ(conversation, A) − φ(conversation, B): the vector whose dot product with the weights is the margin r(A) − r(B).</summary>
    public SparseVector PairDifference(PreferencePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        SetConversation(pair.Conversation);
        _builder.Clear();
        AddResponse(pair.ResponseA, 1f);
        AddResponse(pair.ResponseB, -1f);
        return _builder.ToVector();
    }

    /// <summary>The margin w·(φ(A) − φ(B)) of a pair, without allocating the difference vector.</summary>
    public float Margin(PreferencePair pair, ReadOnlySpan<float> weights)
    {
        ArgumentNullException.ThrowIfNull(pair);
        if (weights.Length != Dimension)
        {
            throw new ArgumentException($"Expected {Dimension} weights, got {weights.Length}.", nameof(weights));
        }
        SetConversation(pair.Conversation);
        _builder.Clear();
        AddResponse(pair.ResponseA, 1f);
        AddResponse(pair.ResponseB, -1f);
        return _builder.Dot(weights);
    }

    /// <summary>φ(conversation, response).</summary>
    public SparseVector Features(IReadOnlyList<Turn> conversation, string response)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(response);
        SetConversation(conversation);
        _builder.Clear();
        AddResponse(response, 1f);
        return _builder.ToVector();
    }

    private void AddResponse(string response, float sign)
    {
        var length = Normalise(response);
        var text = _text.AsSpan(0, length);
        _words.Clear();
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

        // Counts were summed in _dense; make them sublinear, scale to unit length, move them out and clear.
        var sumOfSquares = 0.0;
        foreach (var index in _touched)
        {
            var v = _dense[index];
            if (v != 0f)
            {
                v = MathF.CopySign(1f + MathF.Log(MathF.Abs(v)), v);
                _dense[index] = v;
                sumOfSquares += v * v;
            }
        }
        var scale = sumOfSquares > 0 ? sign / (float)Math.Sqrt(sumOfSquares) : 0f;
        foreach (var index in _touched)
        {
            if (_dense[index] != 0f)
            {
                _builder.Add(index, _dense[index] * scale);
            }
            _dense[index] = 0f;
            _seen[index] = false;
        }
        _touched.Clear();

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
        if (_options.Markers)
        {
            for (var g = 0; g < MarkerGroups.Count; g++)
            {
                var count = 0;
                foreach (var phrase in MarkerGroups[g])
                {
                    count += Occurrences(text, phrase);
                }
                AddNumeric(30 + (uint)g, sign * MathF.Log(1 + count));
            }
        }
        if (_options.PromptOverlap)
        {
            var types = CollectionsMarshal.AsSpan(_types)[..typeCount];
            var lastUser = CollectionsMarshal.AsSpan(_lastUser);
            var shared = Shared(types, lastUser);
            AddNumeric(20, sign * Ratio(shared, types.Length));
            AddNumeric(21, sign * Ratio(shared, lastUser.Length));
            AddNumeric(22, sign * Ratio(_conversationIsLastUser ? shared : Shared(types, CollectionsMarshal.AsSpan(_conversation)), types.Length));
            AddNumeric(23, sign * Ratio(Shared(types, CollectionsMarshal.AsSpan(_previousAssistant)), types.Length));
        }
    }

    private void AddHashed(uint hash)
    {
        var index = (int)(hash & (uint)_mask);
        if (!_seen[index])
        {
            _seen[index] = true;
            _touched.Add(index);
        }
        _dense[index] += (hash & 0x8000_0000u) == 0 ? 1f : -1f;
    }

    private void AddNumeric(uint slot, float value)
    {
        value *= _options.NumericScale;
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

    /// <summary>Appends the hashes of the lower-cased words (runs of letters, digits and apostrophes) of the text.</summary>
    private static void Words(ReadOnlySpan<char> text, List<uint> into)
    {
        var inWord = false;
        var h = FnvBasis;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '\'' or '’')
            {
                h = (h ^ char.ToLowerInvariant(c)) * FnvPrime;
                inWord = true;
            }
            else if (inWord)
            {
                into.Add(h);
                h = FnvBasis;
                inWord = false;
            }
        }
        if (inWord)
        {
            into.Add(h);
        }
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

    private static int Occurrences(ReadOnlySpan<char> text, string phrase)
    {
        var count = 0;
        int at;
        while ((at = text.IndexOf(phrase, StringComparison.Ordinal)) >= 0)
        {
            count++;
            text = text[(at + phrase.Length)..];
        }
        return count;
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
    private const uint FnvBasis = 2166136261u, FnvPrime = 16777619u;

    private static uint Fnv(ReadOnlySpan<char> s)
    {
        var h = FnvBasis;
        foreach (var c in s)
        {
            h = (h ^ c) * FnvPrime;
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

    // Sorted distinct word hashes of the last user turn, the whole conversation and the previous assistant turn.
    private void SetConversation(IReadOnlyList<Turn> conversation)
    {
        _lastUser.Clear();
        _conversation.Clear();
        _previousAssistant.Clear();
        _conversationIsLastUser = false;
        if (!_options.PromptOverlap || conversation.Count == 0)
        {
            return;
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
        SortedTypes(lastUser, _lastUser);
        SortedTypes(previousAssistant, _previousAssistant);
        if (conversation.Count == 1 && conversation[0].Content == lastUser)
        {
            _conversationIsLastUser = true;
            return;
        }
        foreach (var turn in conversation)
        {
            Words(turn.Content, _conversation);
        }
        SortDistinct(_conversation);
    }

    private static void SortedTypes(string text, List<uint> into)
    {
        Words(text, into);
        SortDistinct(into);
    }

    private static void SortDistinct(List<uint> list)
    {
        list.Sort();
        var distinct = Dedupe(list);
        list.RemoveRange(distinct, list.Count - distinct);
    }
}
