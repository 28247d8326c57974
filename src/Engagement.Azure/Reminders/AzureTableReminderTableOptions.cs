using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Reminders;

/// <summary>Options of <see cref="AzureTableReminderTable"/>. Validated when the silo starts.</summary>
public sealed class AzureTableReminderTableOptions
{
    /// <summary>Default for <see cref="TableName"/>.</summary>
    public const string DefaultTableName = "EngagementReminders";

    /// <summary>Storage connection string; ignored when <see cref="TableServiceClient"/> is set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A ready client; takes precedence over <see cref="ConnectionString"/>.</summary>
    public TableServiceClient? TableServiceClient { get; set; }

    /// <summary>Table that holds the reminders. Default <c>EngagementReminders</c>; created at start if missing.</summary>
    public string TableName { get; set; } = DefaultTableName;

    internal TableServiceClient CreateServiceClient() =>
        TableServiceClient ?? new TableServiceClient(ConnectionString);
}

/// <summary>Checks <see cref="AzureTableReminderTableOptions"/> at startup.</summary>
internal sealed class AzureTableReminderTableOptionsValidator : IValidateOptions<AzureTableReminderTableOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureTableReminderTableOptions options)
    {
        var failures = new List<string>();
        if (options.TableServiceClient is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Reminder table: set ConnectionString or TableServiceClient.");
        }

        if (!StorageNaming.IsValidTableName(options.TableName))
        {
            failures.Add($"Reminder table: TableName '{options.TableName}' is not a valid Azure table name.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
