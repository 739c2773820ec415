namespace Portal.Core.Pairs;

/// <summary>A line of a pair file that cannot be read; the message names the line and the field: <c>line 17: field 'chosen' is missing</c>.</summary>
public sealed class PairFormatException : FormatException
{
    public PairFormatException(long lineNumber, string? field, string problem, Exception? inner = null)
        : base($"line {lineNumber}: {(field is null ? "" : $"field '{field}' ")}{problem}", inner)
    {
        LineNumber = lineNumber;
        Field = field;
        Problem = problem;
    }

    /// <summary>A record that is not a line (a Parquet row): <paramref name="location"/> says where it is, <c>row 17 (row group 2)</c>.</summary>
    public PairFormatException(long lineNumber, string? field, string problem, string location)
        : base($"{location}: {(field is null ? "" : $"field '{field}' ")}{problem}")
    {
        LineNumber = lineNumber;
        Field = field;
        Problem = problem;
    }

    public PairFormatException()
    {
        Problem = "";
    }

    public PairFormatException(string message)
        : base(message)
    {
        Problem = message;
    }

    public PairFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>1-based line number in the file.</summary>
    public long LineNumber { get; }

    /// <summary>The JSON field at fault (<c>chosen</c>, <c>prompt[2].role</c>), or null when the line as a whole is (not JSON, not an object).</summary>
    public string? Field { get; }

    /// <summary>The message without the line and field prefix.</summary>
    public string Problem { get; }
}
