namespace Portal.Core.Export;

/// <summary>Encodes rows one at a time into a <see cref="RowBuffer"/> and drains it to the stream chunk by chunk.</summary>
internal static class RowPump
{
    /// <param name="encode">Encodes the row (1-based number given for error messages) into the buffer.</param>
    public static void Write<T>(Stream destination, IEnumerable<T> rows, RowBuffer buffer, Action<T, long> encode)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(rows);
        long number = 0;
        foreach (var row in rows)
        {
            encode(row, ++number);
            if (buffer.IsFull)
            {
                buffer.Drain(destination);
            }
        }
        buffer.Drain(destination);
        destination.Flush();
    }

    public static async Task WriteAsync<T>(Stream destination, IAsyncEnumerable<T> rows, RowBuffer buffer, Action<T, long> encode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(rows);
        long number = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            encode(row, ++number);
            if (buffer.IsFull)
            {
                await buffer.DrainAsync(destination, cancellationToken);
            }
        }
        await buffer.DrainAsync(destination, cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }
}
