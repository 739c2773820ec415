namespace Portal.Core.Export;

/// <summary>A row that cannot be written in the chosen format; the message names the row: <c>row 17 (id 'q-9'): …</c>.</summary>
public sealed class ExportException : Exception
{
    public ExportException(long rowNumber, string? externalId, string problem)
        : base($"row {rowNumber}{(externalId is null ? "" : $" (id '{externalId}')")}: {problem}")
    {
        RowNumber = rowNumber;
        ExternalId = externalId;
        Problem = problem;
    }

    public ExportException()
    {
        Problem = "";
    }

    public ExportException(string message)
        : base(message)
    {
        Problem = message;
    }

    public ExportException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>1-based position of the row in the sequence given to the writer.</summary>
    public long RowNumber { get; }

    /// <summary>The row's external id, when it has one.</summary>
    public string? ExternalId { get; }

    /// <summary>The message without the row prefix.</summary>
    public string Problem { get; }
}
