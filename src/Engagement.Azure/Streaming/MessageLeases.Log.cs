using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Streaming;

// The log lines of MessageLeases (structured, by message id and queue name).
public sealed partial class MessageLeases
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Released} of {Held} held messages of {Queue} for the next reader")]
    private partial void LogReleased(string queue, int released, int held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on {Queue} is no longer held: {ErrorCode}; another receiver may have it")]
    private partial void LogLost(string queue, string messageId, string? errorCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing the held messages of {Queue} failed on this tick; trying again on the next")]
    private partial void LogTickFailed(Exception ex, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew message {MessageId} on {Queue}; retrying on the next tick")]
    private partial void LogRenewFailed(Exception ex, string queue, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete message {MessageId} from {Queue}; it will be redelivered")]
    private partial void LogDeleteFailed(Exception ex, string queue, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} on {Queue} failed delivery; no longer renewed, so the queue hands it out again")]
    private partial void LogAbandoned(string queue, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on {Queue} was held longer than {MaxHoldTime}; no longer renewed")]
    private partial void LogLetGo(string queue, string messageId, TimeSpan maxHoldTime);
}
