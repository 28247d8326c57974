using System.Collections.Concurrent;
using Engagement.Contracts.Touches;

namespace Engagement.Grains.Ports;

/// <summary>Touch outbox in process memory: tests read what was sent.</summary>
public sealed class InMemoryTouchOutbox : ITouchOutbox
{
    private readonly ConcurrentQueue<TouchMessage> _sent = new();

    public IReadOnlyList<TouchMessage> Sent => [.. _sent];

    public Task SendAsync(IReadOnlyList<TouchMessage> touches, CancellationToken cancellationToken = default)
    {
        foreach (var touch in touches)
        {
            _sent.Enqueue(touch);
        }

        return Task.CompletedTask;
    }
}
