namespace Portal.Core.Agreement;

/// <summary>
/// Ratings or options that agreement cannot be computed from, with a one-line message a person can act on:
/// which line of the file, which field, or which option.
/// </summary>
public sealed class AgreementInputException : Exception
{
    public AgreementInputException()
    {
    }

    public AgreementInputException(string message)
        : base(message) => Problem = message;

    public AgreementInputException(string message, Exception innerException)
        : base(message, innerException) => Problem = message;

    /// <summary>A problem on a line of the input; the message is prefixed with "line N: ".</summary>
    public AgreementInputException(int lineNumber, string message)
        : base($"line {lineNumber}: {message}")
    {
        LineNumber = lineNumber;
        Problem = message;
    }

    /// <summary>The 1-based line of the input the problem is on, counting the header as line 1; null when it is not on one line.</summary>
    public int? LineNumber { get; }

    /// <summary>The message without its "line N: " prefix.</summary>
    public string Problem { get; } = "";
}
