using Engagement.Azure.Hosting;
using Serilog;
using Serilog.Events;

namespace Engagement.Silo;

/// <summary>
/// What the maintenance commands (<see cref="BackupCommands"/>) accept on their command line: the command's own options
/// (<c>restore</c>: <c>--backup &lt;name&gt;</c> or <c>--backup=&lt;name&gt;</c>, and <c>--resume</c>) and settings in the
/// forms the .NET configuration reader takes from the silo's own command line: <c>Section:Key=value</c>,
/// <c>--Section:Key=value</c> and <c>--Section:Key value</c>, the key a configuration path (with ':') or one of
/// <see cref="HostSettings"/>. The silo's <c>/Section:Key=value</c> is refused on purpose (one spelling of a dashed
/// setting; a word starting with '/' reads like a path, and the refusal says to write <c>--Section:Key=value</c>).
/// Anything else is refused before anything runs (docs/backups.md, "The commands: backup, backups, restore"): a typo
/// such as <c>--dryrun</c> would otherwise be dropped by the configuration reader, and a <c>dryrun=1</c> read as a
/// setting nothing reads, and the real command run.
/// </summary>
public static class MaintenanceCommandLine
{
    /// <summary>The settings accepted under a name without ':': the host's own (<c>environment</c>, case ignored).</summary>
    public static readonly IReadOnlyList<string> HostSettings = ["environment"];

    /// <summary>What a command accepts, for its refusal of anything else (<paramref name="command"/>: its word).</summary>
    public static string Accepted(string command) =>
        (command == "restore" ? "its options --backup <name>, --backup=<name> and --resume, and " : "")
        + "settings written Section:Key=value, --Section:Key=value or --Section:Key value (a configuration path with ':', "
        + "e.g. Engagement:Backup:Container=backups, or " + string.Join(", ", HostSettings.Select(h => h + "=NAME")) + "); "
        + "/Section:Key=value, which the silo also takes, is refused on purpose: write --Section:Key=value";

    /// <summary>
    /// The first argument after the command (<paramref name="args"/>[0]) that is neither one of that command's options
    /// nor a setting in an accepted form (<see cref="MaintenanceCommandLine"/>), or null when every one is. A
    /// <c>--Section:Key</c> without <c>=</c> takes the next argument as its value, as the configuration reader does; it
    /// is refused when there is none or when that argument starts with <c>--</c>,, and so is restore's <c>--backup</c>
    /// followed by one.
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
                // Its value is the next argument; a missing one is answered by restore's own usage line. A next argument
                // with "--" is refused: the configuration reader would take it as the backup's name (and a --resume
                // there would be taken out as the flag first, so the check and the run would disagree).
                if (i + 1 < args.Length && args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return argument;
                }

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

            var dashed = argument.StartsWith("--", StringComparison.Ordinal);
            var body = dashed ? argument[2..] : argument;
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            if (!IsSettingKey(equals >= 0 ? body[..equals] : body))
            {
                return argument;
            }

            if (equals >= 0)
            {
                continue;
            }

            // --Section:Key value: the configuration reader takes the next argument as the value, whatever it is; one with
            // "--" is refused, as it is surely an option or setting whose value is missing (and a --resume there would be
            // taken out as restore's flag before the configuration is read, so the check and the run would disagree).
            if (!dashed || i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                return argument;
            }

            i++;
        }

        return null;
    }

    private static bool IsSettingKey(string key) =>
        key.Length > 0 && !key.StartsWith('-') && !key.StartsWith('/')
        && (key.Contains(':', StringComparison.Ordinal) || HostSettings.Contains(key, StringComparer.OrdinalIgnoreCase));

    /// <summary>The configuration key of the engine's storage account (the tables; <c>ConnectionStrings__AzureStorage</c> as an environment variable).</summary>
    public const string StorageSetting = "ConnectionStrings:" + EngagementStorageOptions.ConnectionStringName;

    /// <summary>
    /// The storage account the command works on: <see cref="StorageSetting"/>. When it is unset, empty or
    /// <c>UseDevelopmentStorage=true</c> (the shipped <c>appsettings.json</c>'s value) that is the local development
    /// emulator, which a maintenance command uses only in the Development environment (<c>DOTNET_ENVIRONMENT</c>,
    /// <c>environment=Development</c> on its command line, or else <c>ASPNETCORE_ENVIRONMENT</c>: <see cref="AspNetCoreEnvironmentFallback"/>), with a Warning naming the setting; in any other
    /// environment it returns null and <paramref name="refusal"/> says why, and the command does nothing (exit 1): a
    /// backup or restore run on an operator's host without the setting would silently work on an emulator, or on
    /// nothing, instead of production's account.
    /// </summary>
    public static string? StorageConnection(IConfiguration configuration, IHostEnvironment environment, Microsoft.Extensions.Logging.ILogger logger, string command, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(logger);
        refusal = null;
        var configured = configuration[StorageSetting];
        if (configured is { Length: > 0 } && !IsDevelopmentStorage(configured))
        {
            return configured;
        }

        if (!environment.IsDevelopment())
        {
            refusal = $"{command} refused: {StorageSetting} (environment variable ConnectionStrings__AzureStorage) "
                + (configured is { Length: > 0 } ? "names the development storage emulator" : "is not set")
                + $" and the environment is {environment.EnvironmentName}; set it to the storage account's connection string "
                + "(the silo's), or run with DOTNET_ENVIRONMENT=Development to use the local emulator";
            return null;
        }

        logger.LogWarning(
            "{Setting} is {State}: {Command} uses the development storage emulator ({ConnectionString}), as the {Environment} environment allows; set it (ConnectionStrings__AzureStorage) to reach a storage account",
            StorageSetting,
            configured is { Length: > 0 } ? "the emulator's" : "not set",
            command,
            EngagementStorageOptions.DevelopmentConnectionString,
            environment.EnvironmentName);
        return EngagementStorageOptions.DevelopmentConnectionString;
    }

    /// <summary>
    /// The maintenance commands' Serilog logger: the silo's console line (<see cref="LogFormatProvider.ConsoleOutputTemplate"/>,
    /// ISO-8601 timestamps, <see cref="LogFormatProvider"/>), Warning and above, on standard error so that standard
    /// output carries only the command's own lines (a listing can be piped).
    /// </summary>
    public static Serilog.ILogger CreateLogger() =>
        new LoggerConfiguration()
            .MinimumLevel.Warning()
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: LogFormatProvider.ConsoleOutputTemplate,
                formatProvider: LogFormatProvider.Instance,
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();

    private static bool IsDevelopmentStorage(string connectionString) =>
        connectionString.Replace(" ", "", StringComparison.Ordinal).StartsWith(EngagementStorageOptions.DevelopmentConnectionString, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The environment a maintenance command runs in when neither <c>DOTNET_ENVIRONMENT</c> nor an <c>environment=</c>
    /// setting on its command line names one: <c>ASPNETCORE_ENVIRONMENT</c>, which the silo itself honours, so an operator
    /// who set only that one gets the same environment (and <c>appsettings.{environment}.json</c>) for the silo and its
    /// commands. <see langword="null"/> (the host's own default, Production) when none of the three is set, or when one of
    /// the first two is.
    /// </summary>
    /// <param name="settings">The command's settings (<c>Section:Key=value</c>, <c>--Section:Key=value</c>, <c>--Section:Key value</c>), without the command word.</param>
    /// <param name="variable">Reads an environment variable; the process's own when <see langword="null"/>.</param>
    public static string? AspNetCoreEnvironmentFallback(IReadOnlyList<string> settings, Func<string, string?>? variable = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        variable ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrWhiteSpace(variable("DOTNET_ENVIRONMENT"))
            || settings.Any(s => s.TrimStart('-').StartsWith("environment=", StringComparison.OrdinalIgnoreCase)
                || s.Equals("--environment", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var aspNetCore = variable("ASPNETCORE_ENVIRONMENT");
        return string.IsNullOrWhiteSpace(aspNetCore) ? null : aspNetCore;
    }
}
