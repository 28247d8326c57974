using System.Text.Json;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Engagement.Azure.Storage;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

/// <summary>Puts programme alerts on the engine's storage account.</summary>
public static class ProgrammeStorageHostingExtensions
{
    /// <summary>
    /// Publishes alerts to the queue <see cref="AlertOptions.QueueName"/> (<c>Engagement:Alerts:QueueName</c>, default
    /// <c>engagement-alerts</c>) on the account of <see cref="EngagementStorageClients"/>; call with
    /// <c>AddEngagementAzureStorage</c> and <c>AddEngagementProgramme</c>.
    /// </summary>
    public static ISiloBuilder AddEngagementProgrammeStorage(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<EngagementStorageClients>();
        builder.Services.RemoveAll<IAlertPublisher>();
        builder.Services.AddSingleton<IAlertPublisher>(sp => new AzureQueueAlertPublisher(
            sp.GetRequiredService<EngagementStorageClients>().Queues,
            sp.GetRequiredService<IOptions<AlertOptions>>().Value.QueueName));
        return builder;
    }
}
