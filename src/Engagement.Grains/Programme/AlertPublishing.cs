using System.Collections.Concurrent;
using Engagement.Contracts.Programme;

namespace Engagement.Grains.Programme;

/// <summary>
/// Where alert state changes go (queue <c>engagement-alerts</c>, CONTRACT.md §5). At-least-once: the alert grain sends
/// from its persisted outbox and drops a message only after this returned, so a crash in between sends the same
/// message (same <see cref="AlertView.MessageId"/>) again; consumers drop repeats by it.
/// </summary>
public interface IAlertPublisher
{
    Task PublishAsync(IReadOnlyList<AlertView> alerts, CancellationToken cancellationToken = default);
}

/// <summary>Keeps published alerts in memory (hosts without Azure storage, tests).</summary>
public sealed class InMemoryAlertPublisher : IAlertPublisher
{
    private readonly ConcurrentQueue<AlertView> _published = new();

    /// <summary>Everything published, oldest first.</summary>
    public IReadOnlyList<AlertView> Published => [.. _published];

    public Task PublishAsync(IReadOnlyList<AlertView> alerts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        foreach (var alert in alerts)
        {
            _published.Enqueue(alert);
        }

        return Task.CompletedTask;
    }
}
