using System.Diagnostics;
using System.Globalization;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// CPU time of this process and, when <c>AZURITE_PID</c> names it, of the Azurite process (from /proc), plus GC
/// counts and the JIT's work (methods compiled, compile time; tiered compilation recompiles hot methods in the background):
/// the in-process profile that says whether the engine or the storage emulator is the bottleneck, and whether a run was warm.
/// </summary>
internal readonly record struct CpuSample(TimeSpan Wall, TimeSpan Process, TimeSpan? Azurite, int Gen0, int Gen1, int Gen2, long Allocated, long JitMethods, TimeSpan JitTime)
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static CpuSample Take()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new CpuSample(
            Clock.Elapsed,
            process.TotalProcessorTime,
            AzuriteCpu(),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            GC.GetTotalAllocatedBytes(),
            System.Runtime.JitInfo.GetCompiledMethodCount(),
            System.Runtime.JitInfo.GetCompilationTime());
    }

    public static CpuDelta operator -(CpuSample after, CpuSample before) => new(
        after.Wall - before.Wall,
        after.Process - before.Process,
        after.Azurite is { } a && before.Azurite is { } b ? a - b : null,
        after.Gen0 - before.Gen0,
        after.Gen1 - before.Gen1,
        after.Gen2 - before.Gen2,
        after.Allocated - before.Allocated,
        after.JitMethods - before.JitMethods,
        after.JitTime - before.JitTime);

    public static CpuDelta Subtract(CpuSample after, CpuSample before) => after - before;

    /// <summary>utime + stime of the Azurite process, if AZURITE_PID is set and readable.</summary>
    private static TimeSpan? AzuriteCpu()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_PID") is not { Length: > 0 } pid)
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
        }
        catch (IOException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>What happened between two samples.</summary>
internal readonly record struct CpuDelta(TimeSpan Wall, TimeSpan Process, TimeSpan? Azurite, int Gen0, int Gen1, int Gen2, long Allocated, long JitMethods, TimeSpan JitTime)
{
    /// <summary>Cores this process kept busy on average.</summary>
    public double ProcessCores => Process.TotalSeconds / Math.Max(Wall.TotalSeconds, 1e-6);

    public double? AzuriteCores => Azurite is { } a ? a.TotalSeconds / Math.Max(Wall.TotalSeconds, 1e-6) : null;

    public void AddTo(Reporting.ScenarioResult result, string prefix, long events)
    {
        result.Details[prefix + ".wall_s"] = Wall.TotalSeconds;
        result.Details[prefix + ".process_cpu_s"] = Process.TotalSeconds;
        result.Details[prefix + ".process_cores_busy"] = ProcessCores;
        if (events > 0)
        {
            result.Details[prefix + ".process_cpu_us_per_event"] = Process.TotalMicroseconds / events;
            result.Details[prefix + ".allocated_bytes_per_event"] = (double)Allocated / events;
        }

        if (Azurite is { } azurite)
        {
            result.Details[prefix + ".azurite_cpu_s"] = azurite.TotalSeconds;
            result.Details[prefix + ".azurite_cores_busy"] = AzuriteCores ?? 0;
            if (events > 0)
            {
                result.Details[prefix + ".azurite_cpu_us_per_event"] = azurite.TotalMicroseconds / events;
            }
        }

        result.Details[prefix + ".gc_gen0"] = Gen0;
        result.Details[prefix + ".gc_gen1"] = Gen1;
        result.Details[prefix + ".gc_gen2"] = Gen2;
        result.Details[prefix + ".jit_methods"] = JitMethods;
        result.Details[prefix + ".jit_ms"] = JitTime.TotalMilliseconds;
    }
}
