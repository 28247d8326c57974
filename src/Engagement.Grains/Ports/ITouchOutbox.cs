using Engagement.Contracts.Touches;

namespace Engagement.Grains.Ports;

/// <summary>
/// Where sent touches go for channel connectors (queue <c>engagement-touches</c>). At-least-once;
/// the touchId is deterministic so connectors drop repeats.
/// </summary>
public interface ITouchOutbox
{
    Task SendAsync(IReadOnlyList<TouchMessage> touches, CancellationToken cancellationToken = default);
}
