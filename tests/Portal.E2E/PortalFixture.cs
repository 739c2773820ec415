namespace Portal.E2E;

/// <summary>One portal process and one browser for a test class.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string DemoPassword = "Demo!Pass2026";

    public PortalProcess Portal { get; } = new();

    public Browser Browser { get; } = new();

    public async Task InitializeAsync()
    {
        await Portal.StartAsync();
        await Browser.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Portal.DisposeAsync();
    }
}
