using System.Diagnostics;
using System.Runtime;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Portal.Web.Features.Platform;

/// <summary>The server's memory and its open Blazor circuits, for the circuit benchmark (<c>scripts/bench-circuits.sh</c>).</summary>
/// <param name="OpenCircuits">Circuits whose browser is connected now.</param>
/// <param name="Circuits">Circuits the server holds, connected or waiting for their browser to come back.</param>
/// <param name="HeapBytes">Managed heap after a forced, compacting full collection: what the live objects take.</param>
/// <param name="CommittedBytes">Memory the GC has committed for its heaps after that collection.</param>
/// <param name="WorkingSetBytes">The process's resident memory.</param>
/// <param name="PrivateBytes">The process's private memory.</param>
internal sealed record MemoryReport(
    int OpenCircuits,
    int Circuits,
    long HeapBytes,
    long CommittedBytes,
    long WorkingSetBytes,
    long PrivateBytes,
    bool ServerGc);

/// <summary>Counts the circuits the server holds; registered only when the memory endpoint is switched on.</summary>
internal sealed class CircuitCounter : CircuitHandler
{
    private int _open;
    private int _held;

    public int Open => Volatile.Read(ref _open);

    public int Held => Volatile.Read(ref _held);

    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _held);
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _open);
        return Task.CompletedTask;
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref _open);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref _held);
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>GET /api/v1/platform/diagnostics/memory</c>: forces a full garbage collection and reports the heap, the process's
/// memory and the open circuits. Off unless <c>Diagnostics:MemoryEndpoint</c> is true, and for platform admins only.
/// </summary>
/// <remarks>
/// A forced compacting collection stops every request for as long as it takes, so it is never on in production: an
/// endpoint that anyone could call in a loop would be a denial of service.
/// </remarks>
internal static class MemoryDiagnostics
{
    public const string Setting = "Diagnostics:MemoryEndpoint";

    public static IServiceCollection AddMemoryDiagnostics(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue(Setting, false))
        {
            services.AddSingleton<CircuitCounter>();
            services.AddSingleton<CircuitHandler>(sp => sp.GetRequiredService<CircuitCounter>());
        }

        return services;
    }

    /// <summary>Maps the endpoint on the platform group (which requires a platform admin) when it is switched on.</summary>
    public static RouteGroupBuilder MapMemoryDiagnostics(this RouteGroupBuilder platform)
    {
        var configuration = ((IEndpointRouteBuilder)platform).ServiceProvider.GetRequiredService<IConfiguration>();
        if (configuration.GetValue(Setting, false))
        {
            platform.MapGet("/diagnostics/memory", (CircuitCounter circuits) => TypedResults.Ok(Measure(circuits)))
                .WithName("Diagnostics_Memory")
                .WithSummary("Forces a full GC and reports the heap, the process's memory and open circuits (benchmarks only).");
        }

        return platform;
    }

    private static MemoryReport Measure(CircuitCounter circuits)
    {
        // Twice, with finalizers run between: objects freed by a finalizer go in the second pass.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        using var process = Process.GetCurrentProcess();
        return new MemoryReport(
            circuits.Open,
            circuits.Held,
            GC.GetTotalMemory(forceFullCollection: false),
            info.TotalCommittedBytes,
            process.WorkingSet64,
            process.PrivateMemorySize64,
            GCSettings.IsServerGC);
    }
}
