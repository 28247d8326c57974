using System.Text.Json;
using Azure.Storage.Queues;
using Engagement.Azure.Storage;
using Engagement.Contracts.Touches;
using Engagement.Grains.Ports;

namespace Engagement.Azure.Touches;

/// <summary>
/// Sends touches to the Azure Storage queue <c>engagement-touches</c> (created if missing), one plain-text JSON
/// message per touch in the CONTRACT.md §3 form:
/// <c>{"touchId","memberId","channel","kind","campaignId","level","offer","createdAt"}</c>.
/// </summary>
/// <remarks>
/// <para><b>Multi-silo safety.</b> Delivery is at-least-once: a retry or a second silo may enqueue the same touch
/// again, and connectors drop repeats by the deterministic <c>touchId</c>. Queue appends need no ETag.</para>
/// </remarks>
public sealed class AzureQueueTouchOutbox : ITouchOutbox
{
    /// <summary>Default queue name (CONTRACT.md §3).</summary>
    public const string DefaultQueueName = "engagement-touches";

    /// <summary>The wire format: camelCase, every field present (null when not set).</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web);

    private readonly QueueClient _queue;
    private readonly AsyncOnce _createQueue;

    public AzureQueueTouchOutbox(QueueServiceClient serviceClient, string queueName = DefaultQueueName)
    {
        ArgumentNullException.ThrowIfNull(serviceClient);
        if (!StorageNaming.IsValidQueueName(queueName))
        {
            throw new ArgumentException($"'{queueName}' is not a valid Azure queue name.", nameof(queueName));
        }

        _queue = serviceClient.GetQueueClient(queueName);
        _createQueue = new AsyncOnce(() => _queue.CreateIfNotExistsAsync());
    }

    /// <summary>Creates the queue if it does not exist; <see cref="SendAsync"/> also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createQueue.RunAsync(cancellationToken);

    /// <inheritdoc />
    public async Task SendAsync(IReadOnlyList<TouchMessage> touches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(touches);
        if (touches.Count == 0)
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        foreach (var touch in touches)
        {
            await _queue.SendMessageAsync(Serialize(touch), cancellationToken);
        }
    }

    /// <summary>The message body for one touch.</summary>
    public static string Serialize(TouchMessage touch) => JsonSerializer.Serialize(touch, SerializerOptions);

    /// <summary>Parses a message body written by <see cref="Serialize"/> (for connectors and tests).</summary>
    public static TouchMessage? Deserialize(string body) => JsonSerializer.Deserialize<TouchMessage>(body, SerializerOptions);
}
