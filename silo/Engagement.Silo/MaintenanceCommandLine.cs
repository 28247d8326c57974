namespace Engagement.Silo;

/// <summary>
/// What the maintenance commands (<see cref="BackupCommands"/>) accept on their command line: the command's own options
/// (<c>restore</c>: <c>--backup &lt;name&gt;</c> or <c>--backup=&lt;name&gt;</c>, and <c>--resume</c>) and settings written
/// <c>Section:Key=value</c>. Anything else is refused before anything runs (README, "Backups and restore"): a typo such as
/// <c>--dryrun</c> would otherwise be dropped by the configuration reader and the real command run.
/// </summary>
public static class MaintenanceCommandLine
{
    /// <summary>
    /// The first argument after the command (<paramref name="args"/>[0]) that is neither one of that command's options
    /// nor a <c>Key=value</c> setting, or null when every one is.
    /// </summary>
    public static string? FirstUnknown(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var restore = args.Length > 0 && args[0] == "restore";
        for (var i = 1; i < args.Length; i++)
        {
            var argument = args[i];
            if (restore && argument == "--resume")
            {
                continue;
            }

            if (restore && argument == "--backup")
            {
                // Its value is the next argument; a missing one is answered by restore's own usage line.
                if (i + 1 < args.Length && !args[i + 1].StartsWith('-'))
                {
                    i++;
                }

                continue;
            }

            if (restore && argument.StartsWith("--backup=", StringComparison.Ordinal))
            {
                continue;
            }

            if (!argument.StartsWith('-') && !argument.StartsWith('/') && argument.IndexOf('=', StringComparison.Ordinal) > 0)
            {
                continue;
            }

            return argument;
        }

        return null;
    }
}
