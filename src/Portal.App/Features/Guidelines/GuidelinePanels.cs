using Microsoft.Extensions.Caching.Memory;

namespace Portal.App.Features.Guidelines;

/// <summary>The guidelines beside a task: the version and its rendered parts, without the Markdown they came from.</summary>
public sealed record GuidelinePanel(int Version, IReadOnlyList<GuidelineDocumentPart> Parts);

/// <summary>
/// The current guidelines of a project for the task page's side panel. A published version never changes, so one rendered
/// copy serves every annotator's open page instead of one copy per circuit; versions with example items are not shared,
/// since an example shows its item's gold answer as it is now.
/// </summary>
public sealed class GuidelinePanels(GuidelineService guidelines, GuidelinePanels.Cache cache)
{
    public async Task<GuidelinePanel?> CurrentAsync(Guid orgId, Guid projectId, CancellationToken ct = default)
    {
        // The version is read through the tenant's filter every time: a cached panel is only ever one this tenant may read.
        if (await guidelines.CurrentVersionAsync(orgId, projectId, ct) is not { } version)
        {
            return null;
        }

        var key = (orgId, projectId, version);
        if (cache.Panels.TryGetValue(key, out GuidelinePanel? shared) && shared is not null)
        {
            return shared;
        }

        if (await guidelines.DocumentAsync(orgId, projectId, version, ct) is not { } document)
        {
            return null;
        }

        var panel = new GuidelinePanel(document.Version.Version, document.Parts);
        if (panel.Parts.All(p => p.Example is null))
        {
            cache.Panels.Set(key, panel, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
        }

        return panel;
    }

    /// <summary>The shared panels, at most <see cref="Limit"/> of them (one per project with guidelines being worked on).</summary>
    public sealed class Cache : IDisposable
    {
        public const int Limit = 512;

        public MemoryCache Panels { get; } = new(new MemoryCacheOptions { SizeLimit = Limit });

        public void Dispose() => Panels.Dispose();
    }
}
