using Microsoft.AspNetCore.Http.HttpResults;
using Portal.App.Features;
using Portal.App.Features.Organisations;

namespace Portal.Web.Api;

/// <summary>
/// The <c>page</c>, <c>pageSize</c> and <c>search</c> query parameters of the API's lists. The answer stays the JSON array
/// it always was; its header <see cref="TotalHeader"/> says how many rows the whole list (after the search) has.
/// </summary>
internal static class ApiPaging
{
    public const string TotalHeader = "X-Total-Count";

    public const int DefaultPageSize = 50;

    /// <summary>
    /// The page asked for, or null when none of the three parameters was given (the list's unpaged answer). Page 1 of
    /// <see cref="DefaultPageSize"/> rows when only some are given.
    /// </summary>
    /// <exception cref="PortalValidationException">A page below 1, or a page size outside 1 to <see cref="ListQuery.MaxTake"/>.</exception>
    public static ListQuery? Read(int? page, int? pageSize, string? search)
    {
        if (page is null && pageSize is null && search is null)
        {
            return null;
        }

        if (page is < 1)
        {
            throw new PortalValidationException("page", "page counts from 1.");
        }

        if (pageSize is < 1 or > ListQuery.MaxTake)
        {
            throw new PortalValidationException("pageSize", $"pageSize must be from 1 to {ListQuery.MaxTake}.");
        }

        var size = pageSize ?? DefaultPageSize;
        return new ListQuery(((page ?? 1) - 1) * size, size, search);
    }

    /// <summary>The page's rows as the answer, with the list's total in <see cref="TotalHeader"/>.</summary>
    public static Ok<IReadOnlyList<T>> Answer<T>(HttpResponse response, ListPage<T> page)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(page);
        response.Headers[TotalHeader] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Ok(page.Items);
    }
}
