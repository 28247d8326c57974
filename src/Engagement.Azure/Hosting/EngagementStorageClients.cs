using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Hosting;

/// <summary>
/// The Azure SDK clients for <see cref="EngagementStorageOptions.ConnectionString"/>, shared by every provider in
/// the process (the SDK clients are thread-safe and pool their connections).
/// </summary>
public sealed class EngagementStorageClients
{
    public EngagementStorageClients(IOptions<EngagementStorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        Tables = new TableServiceClient(Options.ConnectionString);
        Queues = new QueueServiceClient(Options.ConnectionString);
    }

    /// <summary>The options the clients were built from.</summary>
    public EngagementStorageOptions Options { get; }

    /// <summary>Table service client.</summary>
    public TableServiceClient Tables { get; }

    /// <summary>Queue service client (plain-text messages).</summary>
    public QueueServiceClient Queues { get; }
}
