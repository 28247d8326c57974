using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Storage;

/// <summary>
/// Options of <see cref="AzureTableGrainStorage"/>, one set per named provider. Validated when the silo starts.
/// The service id that separates deployments sharing one table comes from Orleans' <c>ClusterOptions.ServiceId</c>.
/// </summary>
public sealed class AzureTableGrainStorageOptions
{
    /// <summary>Default for <see cref="TableName"/>.</summary>
    public const string DefaultTableName = "EngagementGrainState";

    /// <summary>Storage connection string; ignored when <see cref="TableServiceClient"/> is set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A ready client (e.g. one built with a token credential); takes precedence over <see cref="ConnectionString"/>.</summary>
    public TableServiceClient? TableServiceClient { get; set; }

    /// <summary>Table that holds the state rows. Default <c>EngagementGrainState</c>; created at silo start if missing.</summary>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>
    /// How state is written: System.Text.Json with web defaults (camelCase) unless replaced, so the rows stay readable
    /// in a table browser.
    /// </summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// When true, <c>ClearStateAsync</c> deletes the row. When false (default) it replaces the row with an empty
    /// "cleared" marker, which keeps the ETag chain: an activation that still holds an ETag from before the clear
    /// cannot write over it.
    /// </summary>
    public bool DeleteStateOnClear { get; set; }

    /// <summary>Silo lifecycle stage at which the table is created. Default <c>ServiceLifecycleStage.ApplicationServices</c>.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    internal TableServiceClient CreateServiceClient() =>
        TableServiceClient ?? new TableServiceClient(ConnectionString);
}

/// <summary>Checks <see cref="AzureTableGrainStorageOptions"/> at startup.</summary>
internal sealed class AzureTableGrainStorageOptionsValidator : IValidateOptions<AzureTableGrainStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureTableGrainStorageOptions options)
    {
        var failures = new List<string>();
        if (options.TableServiceClient is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"Grain storage '{name}': set ConnectionString or TableServiceClient.");
        }

        if (!StorageNaming.IsValidTableName(options.TableName))
        {
            failures.Add($"Grain storage '{name}': TableName '{options.TableName}' is not a valid Azure table name (3-63 letters/digits, starting with a letter).");
        }

        if (options.JsonSerializerOptions is null)
        {
            failures.Add($"Grain storage '{name}': JsonSerializerOptions must not be null.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
