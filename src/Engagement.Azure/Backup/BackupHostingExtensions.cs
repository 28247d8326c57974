using Azure.Storage.Blobs;
using Engagement.Azure.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Backup;

/// <summary>Registers backups (<see cref="BackupOptions"/>, section <c>Engagement:Backup</c>) on the engine's storage account.</summary>
public static class BackupHostingExtensions
{
    /// <summary>
    /// Adds <see cref="TableBackup"/>, <see cref="TableRestore"/>, the default <see cref="IBackupFailureListener"/>
    /// (<see cref="LoggingBackupFailureListener"/>; add more, e.g. the <c>data.anomaly</c> alert, with
    /// <c>services.AddSingleton&lt;IBackupFailureListener, …&gt;()</c>) and, when <see cref="BackupOptions.Enabled"/>, the
    /// <see cref="BackupScheduler"/>. Needs the storage registration (<c>AddEngagementAzureStorage</c>) for the account.
    /// Backups run on the wall clock (<see cref="TimeProvider.System"/>), never on the engine's clock, which tests may
    /// speed up.
    /// </summary>
    public static IServiceCollection AddEngagementBackups(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BackupOptions>().Bind(configuration.GetSection(BackupOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackupOptions>, BackupOptionsValidator>());
        services.TryAddSingleton<EngagementStorageClients>();
        services.TryAddSingleton(sp => new BlobServiceClient(sp.GetRequiredService<EngagementStorageClients>().Options.ConnectionString));
        services.TryAddSingleton(sp => new TableBackup(
            sp.GetRequiredService<EngagementStorageClients>().Tables,
            sp.GetRequiredService<BlobServiceClient>(),
            sp.GetRequiredService<IOptions<BackupOptions>>().Value,
            TimeProvider.System,
            sp.GetRequiredService<ILogger<TableBackup>>(),
            sp.GetServices<IBackupFailureListener>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBackupFailureListener, LoggingBackupFailureListener>());
        services.TryAddSingleton(sp => new TableRestore(
            sp.GetRequiredService<EngagementStorageClients>().Tables,
            sp.GetRequiredService<BlobServiceClient>(),
            sp.GetRequiredService<IOptions<BackupOptions>>().Value,
            sp.GetRequiredService<EngagementStorageClients>().Options.LedgerTableName));
        if (configuration.GetSection(BackupOptions.SectionName).Get<BackupOptions>() is not { Enabled: false })
        {
            services.AddHostedService(sp => new BackupScheduler(
                sp.GetRequiredService<TableBackup>(),
                sp.GetRequiredService<BlobServiceClient>(),
                sp.GetRequiredService<IOptions<BackupOptions>>(),
                TimeProvider.System,
                sp.GetRequiredService<ILogger<BackupScheduler>>()));
        }

        return services;
    }
}
