using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Portal.Cli.Commands;

/// <summary>
/// What a run of <c>portal bench tasks</c> cost per stored answer, in figures that do not depend on how loaded the machine
/// is: CPU time of this process (the simulated annotators and the engine), bytes it allocated, and, when the PostgreSQL
/// server runs on this machine, the CPU time of that server's processes.
/// </summary>
/// <param name="ClientCpuMs">This process's user + system CPU per answer (every annotator's engine work, EF, Npgsql, the GC).</param>
/// <param name="ClientAllocatedKb">Managed bytes allocated per answer, in KiB.</param>
/// <param name="ServerCpuMs">
/// The PostgreSQL server's user + system CPU per answer: its postmaster's children alive at the end plus those that exited
/// during the run (the postmaster's reaped children); null on SQLite, SQL Server, or a server on another machine.
/// </param>
/// <param name="Gen2Collections">Full garbage collections during the run.</param>
/// <param name="JitCompiledMethods">
/// Methods the JIT compiled during the run (tiered re-compilation included): near zero in a warmed-up process; in a cold one
/// it is a large share of the CPU above.
/// </param>
public sealed record CostPerAnswer(double ClientCpuMs, double ClientAllocatedKb, double? ServerCpuMs, int Gen2Collections, long JitCompiledMethods);

/// <summary>Takes the readings before a run and turns the differences after it into <see cref="CostPerAnswer"/>.</summary>
internal sealed class CostMeter
{
    private readonly int? _postmaster;
    private readonly TimeSpan _cpu;
    private readonly long _allocated;
    private readonly double? _serverMs;
    private readonly int _gen2;
    private readonly long _jit;

    private CostMeter(int? postmaster)
    {
        _postmaster = postmaster;
        _serverMs = ServerCpuMs(postmaster);
        _gen2 = GC.CollectionCount(2);
        _jit = System.Runtime.JitInfo.GetCompiledMethodCount();
        _allocated = GC.GetTotalAllocatedBytes(precise: true);
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    }

    /// <summary>Starts measuring; <paramref name="postgres"/> is the bench database's connection string when it is PostgreSQL.</summary>
    public static async Task<CostMeter> StartAsync(string? postgres, CancellationToken ct) =>
        new(postgres is null ? null : await PostmasterAsync(postgres, ct));

    public CostPerAnswer Stop(int answers)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocated;
        var server = ServerCpuMs(_postmaster) - _serverMs;
        var per = Math.Max(answers, 1);
        return new CostPerAnswer(
            Math.Round(cpu.TotalMilliseconds / per, 3),
            Math.Round(allocated / 1024.0 / per, 1),
            server is { } s ? Math.Round(s / per, 3) : null,
            GC.CollectionCount(2) - _gen2,
            System.Runtime.JitInfo.GetCompiledMethodCount() - _jit);
    }

    /// <summary>
    /// The postmaster of the server behind <paramref name="connectionString"/>, when it runs on this machine: the parent of the
    /// backend serving a fresh connection, if that process is a local PostgreSQL process.
    /// </summary>
    private static async Task<int?> PostmasterAsync(string connectionString, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        if (builder.Host is not ("127.0.0.1" or "localhost" or "::1") && builder.Host?.StartsWith('/') != true)
        {
            return null;
        }

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await command.ExecuteScalarAsync(ct))!;
        var stat = Stat(backend);
        return stat is not null && Comm(backend) == "postgres" ? int.Parse(stat[1], CultureInfo.InvariantCulture) : null;
    }

    /// <summary>CPU ms of the postmaster, its reaped children and its live children; null when unknown.</summary>
    private static double? ServerCpuMs(int? postmaster)
    {
        if (postmaster is not { } pm || Stat(pm) is not { } own)
        {
            return null;
        }

        // Fields after the command: [0] state, [1] ppid, …, [11] utime, [12] stime, [13] cutime, [14] cstime (clock ticks).
        long ticks = Ticks(own, 11) + Ticks(own, 12) + Ticks(own, 13) + Ticks(own, 14);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == pm || Stat(pid) is not { } child || child[1] != pm.ToString(CultureInfo.InvariantCulture))
            {
                continue;
            }

            ticks += Ticks(child, 11) + Ticks(child, 12);
        }

        return ticks * 1000.0 / ClockTicksPerSecond;
    }

    /// <summary>USER_HZ: 100 on every Linux this runs on (the kernel's ABI value, not the scheduler's HZ).</summary>
    private const double ClockTicksPerSecond = 100;

    private static long Ticks(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);

    /// <summary>The fields of /proc/PID/stat after "(comm)", or null when the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
