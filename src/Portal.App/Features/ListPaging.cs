namespace Portal.App.Features;

/// <summary>One page of a list read in the database, and how many rows the whole list (after the search) has.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, int Total);

/// <summary>
/// Which page of a list to read: rows to skip and take, a search text and a sort column (a name the list's service
/// knows; anything else sorts by the list's default order).
/// </summary>
public sealed record ListQuery(int Skip = 0, int Take = ListQuery.DefaultTake, string? Search = null, string? SortBy = null, bool Descending = false)
{
    public const int DefaultTake = 25;

    /// <summary>The most rows one page may hold.</summary>
    public const int MaxTake = 200;

    public int SafeSkip => Math.Max(0, Skip);

    public int SafeTake => Math.Clamp(Take, 1, MaxTake);

    /// <summary>The search text trimmed, or null when there is nothing to search for.</summary>
    public string? SearchText => string.IsNullOrWhiteSpace(Search) ? null : Search.Trim();
}
