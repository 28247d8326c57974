using System.Collections.Concurrent;

namespace Engagement.Grains.Ports;

/// <summary>Poison queue in process memory: tests read what was dead-lettered and why.</summary>
public sealed class InMemoryDeadLetterSink : IDeadLetterSink
{
    private readonly ConcurrentQueue<(string Reason, string Queue, string Body)> _letters = new();

    public IReadOnlyList<(string Reason, string Queue, string Body)> Letters => [.. _letters];

    public Task PublishAsync(string reason, string queue, string body, CancellationToken cancellationToken = default)
    {
        _letters.Enqueue((reason, queue, body));
        return Task.CompletedTask;
    }
}
