using Engagement.Azure.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Engagement.Azure.Backup;

/// <summary>
/// Registers backups (<see cref="BackupOptions"/>, section <c>Engagement:Backup</c>) of the engine's tables, kept in the
/// account of <c>ConnectionStrings:BackupStorage</c>, else in the engine's own account (<see cref="BackupStorage"/>).
/// </summary>
public static class BackupHostingExtensions
{
    /// <summary>
    /// Adds <see cref="TableBackup"/>, <see cref="TableRestore"/>, the default <see cref="IBackupFailureListener"/>
    /// (<see cref="LoggingBackupFailureListener"/>; add more, e.g. the <c>data.anomaly</c> alert, with
    /// <c>services.AddSingleton&lt;IBackupFailureListener, …&gt;()</c>) and, when <see cref="BackupOptions.Enabled"/>, the
    /// <see cref="BackupScheduler"/> with the <see cref="BackupFreshness"/> gauge. Manifests record this silo's
    /// <see cref="BackupSource"/> (Orleans <see cref="ClusterOptions"/> and the data's account name). Needs the storage registration (<c>AddEngagementAzureStorage</c>) for the data's
    /// account. The backups (table blobs, manifests, claims, restore journals) go to the <see cref="BackupStorage"/> of
    /// <c>ConnectionStrings:BackupStorage</c> (refused at start when it is not a connection string), or, unset, to the
    /// data's account: the schedule then logs one warning when the silo starts
    /// (<see cref="BackupStorage.SharingWarning"/>). Backups run on the wall clock (<see cref="TimeProvider.System"/>),
    /// never on the engine's clock, which tests may speed up.
    /// </summary>
    public static IServiceCollection AddEngagementBackups(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BackupOptions>()
            .Bind(configuration.GetSection(BackupOptions.SectionName))
            .PostConfigure(options => ApplyEngineConfiguration(options, configuration))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackupOptions>, BackupOptionsValidator>());
        services.TryAddSingleton<EngagementStorageClients>();
        var backupConnectionString = configuration.GetConnectionString(BackupStorage.ConnectionStringName);
        services.AddSingleton<IValidateOptions<BackupOptions>>(new BackupStorageValidator(backupConnectionString));
        services.TryAddSingleton(sp => new BackupStorage(sp.GetRequiredService<EngagementStorageClients>().Options.ConnectionString, backupConnectionString));
        services.TryAddSingleton(sp => new TableBackup(
            sp.GetRequiredService<EngagementStorageClients>().Tables,
            sp.GetRequiredService<BackupStorage>().Blobs,
            sp.GetRequiredService<IOptions<BackupOptions>>().Value,
            TimeProvider.System,
            sp.GetRequiredService<ILogger<TableBackup>>(),
            sp.GetServices<IBackupFailureListener>(),
            SourceOf(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBackupFailureListener, LoggingBackupFailureListener>());
        services.TryAddSingleton(sp => new TableRestore(
            sp.GetRequiredService<EngagementStorageClients>().Tables,
            sp.GetRequiredService<BackupStorage>().Blobs,
            sp.GetRequiredService<IOptions<BackupOptions>>().Value,
            sp.GetRequiredService<EngagementStorageClients>().Options.LedgerTableName,
            sp.GetRequiredService<ILogger<TableRestore>>()));
        if (configuration.GetSection(BackupOptions.SectionName).Get<BackupOptions>() is not { Enabled: false })
        {
            services.AddHostedService(sp => new BackupScheduler(
                sp.GetRequiredService<TableBackup>(),
                sp.GetRequiredService<BackupStorage>().Blobs,
                sp.GetRequiredService<IOptions<BackupOptions>>(),
                TimeProvider.System,
                sp.GetRequiredService<ILogger<BackupScheduler>>(),
                SourceOf(sp)));
            services.TryAddSingleton(sp => new BackupFreshness(
                sp.GetRequiredService<BackupStorage>().Blobs,
                sp.GetRequiredService<IOptions<BackupOptions>>().Value,
                TimeProvider.System,
                sp.GetRequiredService<ILogger<BackupFreshness>>(),
                SourceOf(sp)));
            services.AddHostedService(sp => sp.GetRequiredService<BackupFreshness>());
            services.AddHostedService(sp => new BackupStorageWarning(sp.GetRequiredService<BackupStorage>(), sp.GetRequiredService<ILogger<BackupScheduler>>()));
        }

        return services;
    }

    /// <summary>
    /// This silo's <see cref="BackupSource"/>: Orleans' <see cref="ClusterOptions"/> (service id, cluster id) and the data's
    /// account name; recorded in the manifests and claims it writes, and the backups its <see cref="BackupFreshness"/> counts.
    /// </summary>
    private static BackupSource SourceOf(IServiceProvider sp)
    {
        var cluster = sp.GetRequiredService<IOptions<ClusterOptions>>().Value;
        return new BackupSource(cluster.ServiceId, cluster.ClusterId, sp.GetRequiredService<EngagementStorageClients>().Tables.AccountName);
    }

    /// <summary>
    /// Reads <see cref="BackupOptions"/> from <c>Engagement:Backup</c> as the silo does, with the engine's own
    /// configuration applied (<see cref="ApplyEngineConfiguration"/>); for commands that run without the silo's services.
    /// </summary>
    public static BackupOptions ReadBackupOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(BackupOptions.SectionName).Get<BackupOptions>() ?? new BackupOptions();
        ApplyEngineConfiguration(options, configuration);
        return options;
    }

    /// <summary>
    /// Fills what <c>Engagement:Backup</c> leaves to the rest of the configuration: every engine table as configured
    /// (<c>Engagement:Storage:*TableName</c>, <c>Engagement:Campaigns:MemberIndexTableName</c>) joins
    /// <see cref="BackupOptions.Tables"/>, the configured grain state table is copied first and the configured
    /// membership table left out (unless <see cref="BackupOptions.FirstTables"/> / <see cref="BackupOptions.ExcludedTables"/>
    /// are set), and without <c>Engagement:Backup:TimeZone</c> the schedule runs in the programme's zone
    /// (<c>Engagement:Metrics:TimeZone</c>).
    /// </summary>
    public static void ApplyEngineConfiguration(BackupOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = configuration.GetSection(EngagementStorageOptions.SectionName).Get<EngagementStorageOptions>() ?? new EngagementStorageOptions();
        var memberIndex = configuration[$"{Grains.Campaigns.CampaignOptions.SectionName}:{nameof(Grains.Campaigns.CampaignOptions.MemberIndexTableName)}"] is { Length: > 0 } index
            ? index
            : new Grains.Campaigns.CampaignOptions().MemberIndexTableName;
        foreach (var table in new[] { storage.GrainStateTableName, storage.ReminderTableName, storage.LedgerTableName, storage.MetricsTableName, memberIndex })
        {
            if (!options.Tables.Contains(table, StringComparer.OrdinalIgnoreCase))
            {
                options.Tables.Add(table);
            }
        }

        if (options.FirstTables.Count == 0)
        {
            options.FirstTables.Add(storage.GrainStateTableName);
        }

        if (options.ExcludedTables.Count == 0)
        {
            options.ExcludedTables.Add(storage.MembershipTableName);
        }

        if (string.IsNullOrEmpty(configuration[$"{BackupOptions.SectionName}:{nameof(BackupOptions.TimeZone)}"])
            && configuration[$"{Domain.Metrics.MetricsOptions.SectionName}:{nameof(Domain.Metrics.MetricsOptions.TimeZone)}"] is { Length: > 0 } programmeZone)
        {
            options.TimeZone = programmeZone;
        }
    }
}
