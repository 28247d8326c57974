using System.Globalization;

namespace Engagement.EndToEnd.Tests.Scripts;

/// <summary>
/// A test of scripts/azurite's data-directory lock: skipped, not failed, where the script cannot lock (not Linux, or no
/// <c>flock</c> from util-linux on PATH, where the script locks nothing), and, with <see cref="NeedsSigint"/>, where this
/// test host ignores SIGINT (a non-interactive bash started from it cannot trap an ignored signal, so Ctrl+C cannot be
/// shown).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LockingScriptFactAttribute : FactAttribute
{
    /// <summary>Skips the test unless the script can lock here.</summary>
    public LockingScriptFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "scripts/azurite's lock needs Linux";
        }
        else if (!OnPath("flock"))
        {
            Skip = "no flock on PATH (util-linux): scripts/azurite locks nothing here";
        }
    }

    private readonly bool _needsSigint;

    /// <summary>Also skips the test when this process ignores SIGINT (SigIgn in /proc/self/status).</summary>
    public bool NeedsSigint
    {
        get => _needsSigint;
        init
        {
            _needsSigint = value;
            if (value && Skip is null && SigintIgnored())
            {
                Skip = "this test host ignores SIGINT, so the script it starts cannot trap Ctrl+C";
            }
        }
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, name)));

    private static bool SigintIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            && (mask & (1UL << 1)) != 0; // SIGINT is signal 2: bit 1
    }
}
