using System.Collections.Concurrent;
using Engagement.Contracts.Touches;
using Engagement.Grains.Ports;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>The touch outbox queue with sends that fail a set number of times for chosen members; counts their attempts.</summary>
public sealed class FlakyTouchOutbox(ITouchOutbox inner) : ITouchOutbox
{
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="times"/> sends holding a touch of <paramref name="memberId"/> throw.</summary>
    public void FailNext(string memberId, int times) => _failures[memberId] = times;

    /// <summary>Sends holding a touch of <paramref name="memberId"/>, failed or not.</summary>
    public int AttemptsOf(string memberId) => _attempts.GetValueOrDefault(memberId);

    public Task SendAsync(IReadOnlyList<TouchMessage> touches, CancellationToken cancellationToken = default)
    {
        foreach (var memberId in touches.Select(t => t.MemberId).Distinct(StringComparer.Ordinal))
        {
            _attempts.AddOrUpdate(memberId, 1, (_, n) => n + 1);
            if (_failures.TryGetValue(memberId, out var left) && left > 0 && _failures.TryUpdate(memberId, left - 1, left))
            {
                throw new IOException("the touches queue did not answer");
            }
        }

        return inner.SendAsync(touches, cancellationToken);
    }
}
