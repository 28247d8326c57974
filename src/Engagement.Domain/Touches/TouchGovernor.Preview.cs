using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Touches;

/// <summary>What a decision would be, asked without recording one: the tick's look-ahead before its change.</summary>
public static partial class TouchGovernor
{
    /// <summary>
    /// True when <see cref="Decide"/> would send <paramref name="request"/> at <paramref name="now"/> (not already final or
    /// waiting for later, not expired, not opted out, within quiet hours and every cap). Changes nothing: the tick asks it
    /// before its change, to look up only what will go out (docs/offers.md "Store inventory").
    /// </summary>
    public static bool WouldSend(MemberState state, TouchRequest request, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var touchId = TouchIds.For(state.MemberId, request);
        var previous = TouchHistory.Latest(state.Touches, touchId);
        if ((previous is not null && (previous.Decision != TouchDecisions.Deferred || previous.NotBefore > now))
            || request.SuppressReason is not null || request.ValidUntil <= now || MemberProfile.IsOptedOut(state, request.Channel))
        {
            return false;
        }

        var draft = Draft(touchId, request, options);
        return TouchCaps.EarliestAllowed(state.Touches, options.Touches, draft, ZoneOf(state, options), now).At <= now;
    }

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
