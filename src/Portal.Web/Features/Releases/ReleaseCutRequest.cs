using Portal.App.Features.Releases;

namespace Portal.Web.Features.Releases;

/// <summary>What the cut form sends: the release's name and its filters.</summary>
public sealed record ReleaseCutRequest(string Name, ReleaseFilters Filters);
