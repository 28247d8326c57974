namespace Engagement.EndToEnd.Tests.Scripts;

/// <summary>
/// A test of scripts/azurite's data-directory lock: skipped, not failed, where the script cannot lock (not Linux, or no
/// <c>flock</c> from util-linux on PATH, where the script locks nothing). A test host that ignores SIGINT is no reason
/// to skip: the tests start the script with SIGINT back at its default (<c>env --default-signal=INT</c>).
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

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, name)));
}
