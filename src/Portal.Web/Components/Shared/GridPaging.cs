using MudBlazor;
using Portal.App.Features;

namespace Portal.Web.Components.Shared;

/// <summary>How the pages' server-paged grids ask the services for a page: the grid's page, size and sort, and the search box.</summary>
internal static class GridPaging
{
    /// <summary>The page the grid shows now, with the search text; the sort column is the sorted property's name.</summary>
    public static ListQuery ToQuery<T>(GridState<T> state, string? search)
    {
        ArgumentNullException.ThrowIfNull(state);
        var sort = state.SortDefinitions.FirstOrDefault();
        return new ListQuery(state.Page * state.PageSize, state.PageSize, search, sort?.SortBy, sort?.Descending ?? false);
    }

    /// <summary>Reads the list again from its first page: after a new search, page 3 of the old list means nothing.</summary>
    public static Task SearchAsync<T>(MudDataGrid<T>? grid)
    {
        if (grid is null)
        {
            return Task.CompletedTask;
        }

        if (grid.CurrentPage > 0)
        {
            // Going to another page reads the server data for it.
            grid.NavigateTo(Page.First);
            return Task.CompletedTask;
        }

        return grid.ReloadServerData();
    }
}
