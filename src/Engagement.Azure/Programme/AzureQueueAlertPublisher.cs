using System.Text.Json;
using Azure.Storage.Queues;
using Engagement.Azure.Storage;
using Engagement.Contracts.Programme;
using Engagement.Grains.Programme;

namespace Engagement.Azure.Programme;

/// <summary>
/// Publishes alert state changes to the Azure Storage queue <c>engagement-alerts</c> (created if missing), one
/// plain-text JSON message per change in the CONTRACT.md §5 form
/// <c>{"alertId","rule","regionId","state","value","threshold","raisedAt","resolvedAt","message","messageId"}</c>.
/// At-least-once from the alert grain's outbox; <c>messageId</c> lets a consumer drop a repeat.
/// </summary>
public sealed class AzureQueueAlertPublisher : IAlertPublisher
{
    /// <summary>Default queue name (CONTRACT.md §5).</summary>
    public const string DefaultQueueName = "engagement-alerts";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly QueueClient _queue;
    private readonly AsyncOnce _create;

    public AzureQueueAlertPublisher(QueueServiceClient serviceClient, string queueName = DefaultQueueName)
    {
        ArgumentNullException.ThrowIfNull(serviceClient);
        if (!StorageNaming.IsValidQueueName(queueName))
        {
            throw new ArgumentException($"'{queueName}' is not a valid Azure queue name.", nameof(queueName));
        }

        _queue = serviceClient.GetQueueClient(queueName);
        _create = new AsyncOnce(() => _queue.CreateIfNotExistsAsync());
    }

    /// <inheritdoc />
    public async Task PublishAsync(IReadOnlyList<AlertView> alerts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0)
        {
            return;
        }

        await _create.RunAsync(cancellationToken);
        foreach (var alert in alerts)
        {
            await _queue.SendMessageAsync(Serialize(alert), cancellationToken);
        }
    }

    /// <summary>The message body of one alert.</summary>
    public static string Serialize(AlertView alert) => JsonSerializer.Serialize(alert, Json);

    /// <summary>Parses a body written by <see cref="Serialize"/> (for consumers and tests).</summary>
    public static AlertView? Deserialize(string body) => JsonSerializer.Deserialize<AlertView>(body, Json);
}
