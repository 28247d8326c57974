using Engagement.Azure.Ledger;
using Engagement.Azure.Reminders;
using Engagement.Azure.Storage;
using Engagement.Azure.Touches;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Hosting;

/// <summary>
/// One storage account for everything the engine persists. Bound from configuration section
/// <c>Engagement:Storage</c>, with the connection string from <c>ConnectionStrings:AzureStorage</c>;
/// validated when the host starts.
/// </summary>
public sealed class EngagementStorageOptions
{
    /// <summary>Configuration section for the names below.</summary>
    public const string SectionName = "Engagement:Storage";

    /// <summary>Name under <c>ConnectionStrings</c>.</summary>
    public const string ConnectionStringName = "AzureStorage";

    /// <summary>The Azurite development account on loopback.</summary>
    public const string DevelopmentConnectionString = "UseDevelopmentStorage=true";

    /// <summary>Storage account connection string. Default <c>UseDevelopmentStorage=true</c> (Azurite on 127.0.0.1).</summary>
    public string ConnectionString { get; set; } = DevelopmentConnectionString;

    /// <summary>Grain state table. Default <c>EngagementGrainState</c>.</summary>
    public string GrainStateTableName { get; set; } = AzureTableGrainStorageOptions.DefaultTableName;

    /// <summary>Reminder table. Default <c>EngagementReminders</c>.</summary>
    public string ReminderTableName { get; set; } = AzureTableReminderTableOptions.DefaultTableName;

    /// <summary>Ledger archive table. Default <c>EngagementLedger</c>.</summary>
    public string LedgerTableName { get; set; } = AzureTableLedgerArchive.DefaultTableName;

    /// <summary>Touch outbox queue. Default <c>engagement-touches</c>.</summary>
    public string TouchQueueName { get; set; } = AzureQueueTouchOutbox.DefaultQueueName;

    /// <summary>
    /// When true, clearing grain state deletes the row instead of leaving a cleared marker. Default false
    /// (see <see cref="AzureTableGrainStorageOptions.DeleteStateOnClear"/>).
    /// </summary>
    public bool DeleteStateOnClear { get; set; }
}

/// <summary>Checks <see cref="EngagementStorageOptions"/> at startup.</summary>
internal sealed class EngagementStorageOptionsValidator : IValidateOptions<EngagementStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, EngagementStorageOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"ConnectionStrings:{EngagementStorageOptions.ConnectionStringName} must not be empty.");
        }

        foreach (var (key, table) in new[]
                 {
                     (nameof(options.GrainStateTableName), options.GrainStateTableName),
                     (nameof(options.ReminderTableName), options.ReminderTableName),
                     (nameof(options.LedgerTableName), options.LedgerTableName),
                 })
        {
            if (!StorageNaming.IsValidTableName(table))
            {
                failures.Add($"{EngagementStorageOptions.SectionName}:{key} '{table}' is not a valid Azure table name (3-63 letters/digits, starting with a letter).");
            }
        }

        if (!StorageNaming.IsValidQueueName(options.TouchQueueName))
        {
            failures.Add($"{EngagementStorageOptions.SectionName}:{nameof(options.TouchQueueName)} '{options.TouchQueueName}' is not a valid Azure queue name (3-63 lowercase letters, digits and single dashes).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
