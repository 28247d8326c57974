namespace Engagement.Grains.Ports;

/// <summary>
/// The poison queue (<c>engagement-events-poison</c>): a message that breaks a rule goes here with its
/// reason as <c>{"reason","queue","body"}</c>, and is counted.
/// </summary>
public interface IDeadLetterSink
{
    Task PublishAsync(string reason, string queue, string body, CancellationToken cancellationToken = default);
}
