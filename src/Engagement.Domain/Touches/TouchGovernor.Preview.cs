namespace Engagement.Domain.Touches;

/// <summary>The request a waiting offer touch stands for, rebuilt the one way the tick, its retry and its look-ahead read it.</summary>
public static partial class TouchGovernor
{
    /// <summary>
    /// The request a waiting touch that kept its dedupe key (<see cref="KeepDedupeKey"/>) stands for: its kind, channel,
    /// level, offer, dedupe key, window and category; what its offer's grant is named from.
    /// </summary>
    public static TouchRequest WaitingRequest(TouchDecision waiting)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        return new TouchRequest
        {
            Kind = waiting.Kind, Channel = waiting.Channel, Level = waiting.Level, Offer = waiting.Offer, DedupeKey = waiting.DedupeKey ?? "",
            ValidUntil = waiting.ValidUntil, Category = waiting.Category,
        };
    }
}
