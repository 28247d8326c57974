using System.Runtime.InteropServices;
using Azure.Data.Tables;
using Engagement.Azure.Backup;
using Engagement.Azure.Hosting;
using Serilog;

namespace Engagement.Silo;

/// <summary>
/// The silo's operator commands, run instead of the silo when the first argument names one; they read the same
/// configuration (appsettings, <c>ConnectionStrings__AzureStorage</c> for the tables, <c>ConnectionStrings__BackupStorage</c>
/// for the account that keeps the backups when set, <c>Engagement__Backup__*</c>; see <see cref="BackupStorage"/>), refuse
/// an option they do not know and, outside Development, an unset storage account (<see cref="MaintenanceCommandLine"/>),
/// and log through Serilog in the silo's console format, on standard error:
/// <list type="bullet">
/// <item><c>Engagement.Silo backup</c>: take a backup now, recording as its source the cluster of
/// <c>Engagement:Silo:ServiceId</c>/<c>ClusterId</c> and the data's account (<see cref="BackupSource"/>).</item>
/// <item><c>Engagement.Silo backups</c>: list the backups, newest first: each name (its UTC start) with that start in
/// the programme's zone (<see cref="BackupOptions.TimeZone"/>), to the second, e.g. <c>20261129-180000  2026-11-30 02:00:00 +08:00</c>, and
/// the cluster and account each was taken from (<c>source unknown</c> for one written before manifests recorded it).</item>
/// <item><c>Engagement.Silo restore --backup &lt;name&gt; [--resume]</c>: restore one into an account whose engine tables are
/// empty, or (<c>--resume</c>) go on with a restore of it that broke off (<see cref="RestoreJournal"/>); it prints the
/// cluster and account the backup was taken from (another cluster's may be restored: a drill does).</item>
/// </list>
/// </summary>
public static class BackupCommands
{
    /// <summary>What <c>Engagement.Silo --help</c> prints.</summary>
    public const string Usage = """
        usage: Engagement.Silo [--urls <url>] [Section:Key=value ...]   run the silo (settings as in docs/configuration.md)
               Engagement.Silo backup [Section:Key=value ...]         take a backup now
                 (settings: Section:Key=value, --Section:Key=value or --Section:Key value; environment=NAME;
                  /Section:Key=value, which the silo takes, is refused on purpose)
               Engagement.Silo backups [Section:Key=value ...]        list the backups, newest first (names are UTC starts)
               Engagement.Silo restore --backup <name> [--resume] [Section:Key=value ...]
                                                                      restore one into empty engine tables (silos stopped);
                                                                      --resume goes on with one that broke off
               (the commands: docs/backups.md, "The commands: backup, backups, restore")
        """;

    /// <summary>
    /// Runs the command named by <paramref name="args"/>[0], or returns null when the silo should start: no argument, an
    /// option (<c>--urls</c>) or a setting (<c>Key=value</c>). <c>--help</c> prints <see cref="Usage"/>; any other word is a
    /// mistyped command, refused, since a silo started by mistake beside a running one takes over its address and the
    /// cluster stops the running one.
    /// </summary>
    /// <returns>The process exit code: 0 done, 1 failed, 2 bad usage.</returns>
    public static async Task<int?> TryRunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || (args[0].StartsWith('-') && args[0] is not ("--help" or "-h")) || args[0].StartsWith('/') || args[0].Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        if (args[0] is "--help" or "-h" or "help")
        {
            System.Console.WriteLine(Usage);
            return 0;
        }

        if (args[0] is not ("backup" or "backups" or "restore"))
        {
            System.Console.Error.WriteLine($"unknown command '{args[0]}'\n{Usage}");
            return 2;
        }

        // An option the command does not know is refused, not dropped: `--dryrun` must not run the real thing.
        if (MaintenanceCommandLine.FirstUnknown(args) is { } unknown)
        {
            System.Console.Error.WriteLine($"unknown option '{unknown}' for {args[0]}: it accepts {MaintenanceCommandLine.Accepted(args[0])}\n{Usage}");
            return 2;
        }

        // --resume is a flag (no value): taken out before the rest is read as configuration.
        var resume = args[0] == "restore" && args.Contains("--resume", StringComparer.Ordinal);
        var settings = args[1..].Where(a => a != "--resume").ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = settings,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = MaintenanceCommandLine.AspNetCoreEnvironmentFallback(settings),
        });
        builder.Services.AddSerilog(MaintenanceCommandLine.CreateLogger(), dispose: true);
        builder.Services.AddSingleton(TimeProvider.System);
        using var host = builder.Build();
        var configuration = builder.Configuration;
        var connection = MaintenanceCommandLine.StorageConnection(configuration, builder.Environment, host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BackupCommands).FullName!), args[0], out var refusal);
        if (connection is null)
        {
            System.Console.Error.WriteLine(refusal);
            return 1;
        }

        var options = BackupHostingExtensions.ReadBackupOptions(configuration);
        try
        {
            // The tables are the data's account's; the backups are kept in ConnectionStrings:BackupStorage's when set.
            var storage = BackupStorage.FromConfiguration(configuration);
            var tables = new TableServiceClient(connection);
            var blobs = storage.Blobs;
            if (args[0] == "backup" && storage.SharingWarning is { } warning)
            {
                System.Console.Error.WriteLine("warning: " + warning);
            }

            switch (args[0])
            {
                case "backup":
                    // Recorded in the manifest: the cluster the silos of this configuration form, and the data's account.
                    var silo = configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
                    var source = new BackupSource(silo.ServiceId, silo.ClusterId, tables.AccountName);
                    return await RunBackupAsync(new TableBackup(tables, blobs, options, TimeProvider.System, host.Services.GetRequiredService<ILogger<TableBackup>>(), source: source), options.Container, storage.AccountName);
                case "backups":
                    // Names are UTC starts; each line shows the start in the programme's zone (the schedule's) too.
                    var list = new TableBackup(tables, blobs, options, TimeProvider.System, host.Services.GetRequiredService<ILogger<TableBackup>>());
                    var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
                    System.Console.WriteLine($"name (UTC start)  start in {options.TimeZone}");
                    var backups = await list.ListAsync();
                    foreach (var (listed, m) in backups)
                    {
                        System.Console.WriteLine(BackupListing.Line(listed, m, zone));
                    }

                    if (backups.Count == 0)
                    {
                        // A bare header read as "the listing broke"; say where we looked instead.
                        System.Console.WriteLine($"(no backups in container {options.Container} of account {storage.AccountName})");
                    }

                    return 0;
                default:
                    var name = configuration["backup"];
                    if (string.IsNullOrEmpty(name))
                    {
                        System.Console.Error.WriteLine("usage: Engagement.Silo restore --backup <name> [--resume]   (names: Engagement.Silo backups)");
                        return 2;
                    }

                    System.Console.WriteLine($"{(resume ? "resuming the restore of" : "restoring")} backup {name} from container {options.Container} of account {storage.AccountName} into account {tables.AccountName}");
                    var ledgerTable = configuration[$"{EngagementStorageOptions.SectionName}:{nameof(EngagementStorageOptions.LedgerTableName)}"];
                    var restored = await new TableRestore(tables, blobs, options, ledgerTable, host.Services.GetRequiredService<ILogger<TableRestore>>()).RunAsync(name, resume, new SyncProgress());
                    System.Console.WriteLine($"restored {restored.Count} tables, {restored.Values.Sum():N0} rows");
                    return 0;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or global::Azure.RequestFailedException or IOException or AggregateException)
        {
            System.Console.Error.WriteLine($"{args[0]} failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Takes a backup now; Ctrl-C (SIGINT) or SIGTERM stops it: the copy is cancelled, its claim deleted (abandoned, not
    /// failed: no silo watching the name reports it stalled later), and a line says so (exit 1).
    /// </summary>
    private static async Task<int> RunBackupAsync(TableBackup backup, string container, string account)
    {
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            // The first signal keeps the process up until the copy has ended and its claim is released; a second ends it.
            context.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            var manifest = await backup.RunAsync(progress: new SyncProgress(), cancellationToken: stop.Token);
            System.Console.WriteLine($"backup {manifest.Name}: {manifest.Tables.Count} tables, {manifest.Tables.Sum(t => t.Rows):N0} rows, in container {container} of account {account}");
            return 0;
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            System.Console.Error.WriteLine("backup stopped: nothing recorded, its claim released (abandoned, not failed)");
            return 1;
        }
    }

    /// <summary>Prints progress lines as they come, in order (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class SyncProgress : IProgress<string>
    {
        public void Report(string value) => System.Console.WriteLine("  " + value);
    }
}
