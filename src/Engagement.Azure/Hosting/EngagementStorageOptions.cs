using Engagement.Azure.Ledger;
using Engagement.Azure.Programme;
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

    /// <summary>Default for <see cref="GrainStateTableName"/>.</summary>
    public const string DefaultGrainStateTableName = "EngagementGrainState";

    /// <summary>Default for <see cref="ReminderTableName"/>.</summary>
    public const string DefaultReminderTableName = "EngagementReminders";

    /// <summary>Default for <see cref="MembershipTableName"/>.</summary>
    public const string DefaultMembershipTableName = "EngagementSilos";

    /// <summary>
    /// Default for <see cref="MaxGrainStateBytes"/>: 480 Ki (491,520) characters of stored JSON, all that one row of the
    /// provider holds (<see cref="ProviderStringCapacity"/>). A member with every per-member collection at its default cap
    /// at once, the ids it keeps as keys at their worst, measures 440,576 (<see cref="Domain.Members.MemberStateSizes.EveryCapAtOnceCharacters"/>,
    /// MemberStateSerializationTests): 89.6% of it, 50,944 left. What can still pass it (caps raised past their defaults,
    /// orders refunded many times each, long ids kept as sent in the kept ledger's entries, in redeemed coupons or as grant
    /// ids, live campaign memberships beyond 100: that class' remarks give the figures) is
    /// refused (<see cref="Storage.GrainStateTooLargeException"/>). In the table a character is 2 bytes: the provider's 15
    /// properties of 32K characters, 960 KiB of Azure's 1 MiB entity, the rest left for the keys, the timestamp and the ETag
    /// (the provider's own split).
    /// </summary>
    public const int DefaultMaxGrainStateBytes = ProviderStringCapacity;

    /// <summary>
    /// What one row of the official table provider holds in string format: 15 properties of 32K UTF-16 characters (it
    /// decodes the serializer's UTF-8 into a string and cuts it there). The provider drops whatever does not fit without an
    /// error, so the bound may not be set above this.
    /// </summary>
    public const int ProviderStringCapacity = Domain.Members.StoredStateText.ProviderCharacterCapacity;

    /// <summary>
    /// Grain state table (official <c>Microsoft.Orleans.Persistence.AzureStorage</c> provider, string format: the
    /// state's System.Text.Json text is readable in a table browser). Default <c>EngagementGrainState</c>.
    /// </summary>
    public string GrainStateTableName { get; set; } = DefaultGrainStateTableName;

    /// <summary>Reminder table (official <c>Microsoft.Orleans.Reminders.AzureStorage</c>). Default <c>EngagementReminders</c>.</summary>
    public string ReminderTableName { get; set; } = DefaultReminderTableName;

    /// <summary>
    /// Cluster membership table (official <c>Microsoft.Orleans.Clustering.AzureStorage</c>): every silo of a cluster
    /// and every client finds the others here. Default <c>EngagementSilos</c>.
    /// </summary>
    public string MembershipTableName { get; set; } = DefaultMembershipTableName;

    /// <summary>
    /// The largest grain state written, measured as the provider's row limits it: UTF-16 characters of the stored JSON
    /// (<see cref="Domain.Members.StoredStateText.Characters"/>; non-ASCII text is stored unescaped, so ASCII counts 1 a byte
    /// and a Chinese character 1 for its 3 UTF-8 bytes; the name keeps "Bytes" for existing configuration); a larger one, or
    /// one over the provider's 983,040 UTF-8 bytes, is refused with <see cref="GrainStateTooLargeException"/> before anything
    /// is written. Default 480 Ki (491,520); at most
    /// <see cref="ProviderStringCapacity"/> (491,520), at least 1,024. Below
    /// <c>Engagement.Domain.Metrics.AlertBookBounds.ResolveMaxBytes</c> (487,424, what the alert book may grow to) a silo
    /// warns at startup: a full alert book's writes would be refused.
    /// </summary>
    public int MaxGrainStateBytes { get; set; } = DefaultMaxGrainStateBytes;

    /// <summary>Ledger archive table. Default <c>EngagementLedger</c>.</summary>
    public string LedgerTableName { get; set; } = AzureTableLedgerArchive.DefaultTableName;

    /// <summary>Programme metric aggregator rows (CONTRACT.md §5). Default <c>EngagementMetrics</c>.</summary>
    public string MetricsTableName { get; set; } = AzureTableAggregatorRowStore.DefaultTableName;

    /// <summary>Touch outbox queue. Default <c>engagement-touches</c>.</summary>
    public string TouchQueueName { get; set; } = AzureQueueTouchOutbox.DefaultQueueName;

    /// <summary>
    /// When true, clearing grain state deletes the row instead of leaving a cleared marker. Default false
    /// (passed to the official provider's <c>AzureTableStorageOptions.DeleteStateOnClear</c>).
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
                     (nameof(options.MetricsTableName), options.MetricsTableName),
                     (nameof(options.MembershipTableName), options.MembershipTableName),
                 })
        {
            if (!StorageNaming.IsValidTableName(table))
            {
                failures.Add($"{EngagementStorageOptions.SectionName}:{key} '{table}' is not a valid Azure table name (3-63 letters/digits, starting with a letter).");
            }
        }

        if (options.MaxGrainStateBytes is < 1024 or > EngagementStorageOptions.ProviderStringCapacity)
        {
            failures.Add($"{EngagementStorageOptions.SectionName}:{nameof(options.MaxGrainStateBytes)} {options.MaxGrainStateBytes} must be between 1024 and {EngagementStorageOptions.ProviderStringCapacity} (what one table row holds).");
        }

        if (!StorageNaming.IsValidQueueName(options.TouchQueueName))
        {
            failures.Add($"{EngagementStorageOptions.SectionName}:{nameof(options.TouchQueueName)} '{options.TouchQueueName}' is not a valid Azure queue name (3-63 lowercase letters, digits and single dashes).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
