using System.Globalization;
using System.Runtime.InteropServices;

namespace Engagement.Bench.Reporting;

/// <summary>The machine a run happened on, and how busy it was (load average at start and end).</summary>
internal sealed class MachineInfo
{
    public required int Cores { get; init; }

    public required long MemoryBytes { get; init; }

    public required string Os { get; init; }

    public required string Cpu { get; init; }

    public required string Dotnet { get; init; }

    public required string Orleans { get; init; }

    public required string Gc { get; init; }

    public required string LoadAverageAtStart { get; init; }

    public string LoadAverageAtEnd { get; set; } = "";

    public static MachineInfo Capture() => new()
    {
        Cores = Environment.ProcessorCount,
        MemoryBytes = ReadMemTotal() ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        Os = RuntimeInformation.OSDescription,
        Cpu = ReadCpuModel() ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Dotnet = RuntimeInformation.FrameworkDescription,
        Orleans = typeof(Orleans.Runtime.SiloAddress).Assembly.GetName().Version?.ToString() ?? "?",
        Gc = System.Runtime.GCSettings.IsServerGC ? "server" : "workstation" + (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? " (non-concurrent)" : " (concurrent)"),
        LoadAverageAtStart = LoadAverage(),
    };

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, or empty off Linux.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', parts.Take(3));
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static long? ReadMemTotal()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is null ? null : long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
