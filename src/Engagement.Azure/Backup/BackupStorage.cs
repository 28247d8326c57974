using Azure.Storage.Blobs;
using Engagement.Azure.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Backup;

/// <summary>
/// The storage account that keeps the backups: the one named by <c>ConnectionStrings:BackupStorage</c>
/// (<see cref="ConnectionStringName"/>), or, when that is not set, the data's own account
/// (<c>ConnectionStrings:AzureStorage</c>). Everything of a backup lives there, in <see cref="BackupOptions.Container"/>:
/// the table blobs, the manifest, the schedule's claim and released blobs, and a restore's journal
/// (<see cref="RestoreJournal"/>, named by the account restored into). The tables are always read from and restored into
/// the data's account, so a restore into a new account (the data's account lost) points <c>AzureStorage</c> at the new
/// account and <c>BackupStorage</c> at the backups' one.
/// </summary>
public sealed class BackupStorage
{
    /// <summary>The name under <c>ConnectionStrings</c> of the backup account's connection string.</summary>
    public const string ConnectionStringName = "BackupStorage";

    /// <summary>
    /// Reads both connection strings (no request is made).
    /// </summary>
    /// <param name="dataConnectionString">The data's account (<c>ConnectionStrings:AzureStorage</c>).</param>
    /// <param name="backupConnectionString">The backups' account (<c>ConnectionStrings:BackupStorage</c>); null or blank:
    /// the data's account.</param>
    /// <exception cref="InvalidOperationException">A connection string is not one of a storage account; the message names
    /// the setting, never its value (which holds a key).</exception>
    public BackupStorage(string dataConnectionString, string? backupConnectionString)
    {
        var data = Client(dataConnectionString, $"ConnectionStrings:{EngagementStorageOptions.ConnectionStringName}");
        DataAccountName = data.AccountName;
        _dataBlobEndpoint = data.Uri;
        IsConfigured = !string.IsNullOrWhiteSpace(backupConnectionString);
        Blobs = IsConfigured
            ? Client(backupConnectionString!, $"ConnectionStrings:{ConnectionStringName}")
            : Client(dataConnectionString, $"ConnectionStrings:{EngagementStorageOptions.ConnectionStringName}");
    }

    private readonly Uri _dataBlobEndpoint;

    /// <summary>The blob service of the account that keeps the backups.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>The name of the account that keeps the backups.</summary>
    public string AccountName => Blobs.AccountName;

    /// <summary>The name of the data's account (the tables backed up and restored into).</summary>
    public string DataAccountName { get; }

    /// <summary>True when <c>ConnectionStrings:BackupStorage</c> is set (it may still name the data's account).</summary>
    public bool IsConfigured { get; }

    /// <summary>
    /// True when the backups are kept in the data's own account: <c>ConnectionStrings:BackupStorage</c> is not set, or
    /// its blob endpoint is the data's (host, port and path, ignoring case and the scheme; not the account names, which
    /// are empty for custom-domain endpoints and repeat across clouds). Then an accident to that account (deleted, a
    /// leaked key used to wipe it, a region outage) loses the backups with the data.
    /// </summary>
    public bool SharesDataAccount => SameEndpoint(Blobs.Uri, _dataBlobEndpoint);

    /// <summary>
    /// One line for an operator when <see cref="SharesDataAccount"/>: what it risks and what to set; null otherwise.
    /// </summary>
    public string? SharingWarning => !SharesDataAccount ? null
        : IsConfigured
            ? $"ConnectionStrings:{ConnectionStringName} names {Shown}, the storage account that holds the data: losing that account (deleted, wiped with a leaked key, a region outage) loses the backups with it. Point it at another account (geo-redundant, its own keys)."
            : $"Backups are kept in {Shown}, the storage account that holds the data (ConnectionStrings:{ConnectionStringName} is not set): losing that account (deleted, wiped with a leaked key, a region outage) loses the backups with it. Set ConnectionStrings:{ConnectionStringName} to another account (geo-redundant, its own keys).";

    /// <summary>The backup account's name, or its blob endpoint's host when it has none (a custom domain).</summary>
    private string Shown => string.IsNullOrEmpty(AccountName) ? Blobs.Uri.Host : AccountName;

    private static bool SameEndpoint(Uri a, Uri b) =>
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && (a.Port == b.Port || (a.IsDefaultPort && b.IsDefaultPort))
        && string.Equals(a.AbsolutePath.TrimEnd('/'), b.AbsolutePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The backup storage of <paramref name="configuration"/>: <c>ConnectionStrings:BackupStorage</c>, and
    /// <c>ConnectionStrings:AzureStorage</c> for the data (<see cref="EngagementStorageOptions.DevelopmentConnectionString"/>
    /// when unset), as the silo reads them.
    /// </summary>
    /// <exception cref="InvalidOperationException">A connection string is not one of a storage account.</exception>
    public static BackupStorage FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var data = configuration.GetConnectionString(EngagementStorageOptions.ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : EngagementStorageOptions.DevelopmentConnectionString;
        return new BackupStorage(data, configuration.GetConnectionString(ConnectionStringName));
    }

    /// <summary>A blob service client for <paramref name="connectionString"/>, or a clear error naming <paramref name="setting"/>.</summary>
    /// <exception cref="InvalidOperationException">Not a storage account's connection string.</exception>
    internal static BlobServiceClient Client(string connectionString, string setting)
    {
        try
        {
            return new BlobServiceClient(connectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The value holds the account key: say which setting is wrong, not what it says.
            throw new InvalidOperationException($"{setting} is not a storage account connection string (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net): {ex.Message}", ex);
        }
    }
}

/// <summary>Refuses, at start, a <c>ConnectionStrings:BackupStorage</c> that is not a storage account's connection string.</summary>
internal sealed class BackupStorageValidator(string? backupConnectionString) : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        if (string.IsNullOrWhiteSpace(backupConnectionString))
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            BackupStorage.Client(backupConnectionString, $"ConnectionStrings:{BackupStorage.ConnectionStringName}");
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

/// <summary>
/// Logs once, when the silo starts, that the backups share the data's account (<see cref="BackupStorage.SharingWarning"/>);
/// registered with the backup schedule, so once per silo that takes scheduled backups.
/// </summary>
internal sealed partial class BackupStorageWarning(BackupStorage storage, ILogger<BackupScheduler> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (storage.SharingWarning is { } warning)
        {
            LogShared(logger, warning);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup storage: {Warning}")]
    private static partial void LogShared(ILogger logger, string warning);
}
