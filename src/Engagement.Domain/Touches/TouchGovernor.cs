using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Touches;

/// <summary>
/// Decides whether a touch goes out now, later or never: opt-out, quiet hours, marketing and channel caps
/// (CONTRACT.md §2). Records every decision in <see cref="MemberState.Touches"/>.
/// </summary>
/// <remarks>
/// Rules, in order: an expired offer is suppressed; an opted-out channel is suppressed (service touches too);
/// otherwise the touch goes at the first instant at or after <c>now</c> that is outside quiet hours and within
/// every cap. If that instant is <c>now</c> it is sent, if it is before the request's <c>ValidUntil</c> it is
/// deferred to it, else suppressed. Service touches skip the marketing caps and (by default) the channel caps
/// but wait for the end of quiet hours (by default).
/// A touch id already sent or suppressed is final: deciding it again returns the recorded decision and counts
/// nothing. A deferred one is decided afresh once its <c>NotBefore</c> has come.
/// </remarks>
public static partial class TouchGovernor
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    /// <summary>
    /// Decides <paramref name="request"/> at <paramref name="now"/> and records the decision. <paramref name="hold"/>, asked
    /// only when the touch would go out now, may keep it waiting instead (<see cref="TouchHold"/>): recorded deferred
    /// to the hold's retry instant (at most the request's <c>ValidUntil</c>), so it counts on no cap.
    /// </summary>
    public static TouchDecision Decide(MemberState state, TouchRequest request, ProgramOptions options, DateTimeOffset now, Func<TouchRequest, TouchHold?>? hold = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var touchId = TouchIds.For(state.MemberId, request);
        var previous = TouchHistory.Latest(state.Touches, touchId);
        if (previous is not null && (previous.Decision != TouchDecisions.Deferred || previous.NotBefore > now))
        {
            return previous with { };
        }

        var draft = Draft(touchId, request, options);
        draft.Attempt = (previous?.Attempt ?? 0) + 1;
        return DecideAndRecord(state, draft, options, now, request.SuppressReason, hold is null ? null : () => hold(request));
    }

    private static TouchDecision Draft(string touchId, TouchRequest request, ProgramOptions options) =>
        new TouchDecision
        {
            TouchId = touchId,
            Category = request.Category ?? CategoryOf(request.Kind, options.Touches),
            Channel = request.Channel,
            // Kept only when they matter to a retry, so the stored history stays small.
            PreferredChannel = string.Equals(request.PreferredChannel, request.Channel, StringComparison.OrdinalIgnoreCase) ? null : request.PreferredChannel,
            FallbackChannel = string.IsNullOrWhiteSpace(request.FallbackChannel) ? null : request.FallbackChannel,
            Kind = request.Kind,
            CampaignId = request.CampaignId,
            Level = request.Level,
            Offer = request.Offer,
            CouponCode = request.CouponCode,
            ValidUntil = request.ValidUntil,
        };

    /// <summary>Deferred touches whose <c>NotBefore</c> has come, in the order they will be retried (service first).</summary>
    public static IReadOnlyList<TouchDecision> DueDeferred(MemberState state, DateTimeOffset now) =>
        [.. TouchHistory.OpenDeferred(state.Touches)
            .Where(d => d.NotBefore is null || d.NotBefore <= now)
            .OrderBy(d => d.Category == TouchCategories.Service ? 0 : 1)
            .ThenBy(d => d.NotBefore)
            .ThenBy(d => d.DecidedAt)
            .Select(d => d with { })];

    /// <summary>
    /// Decides again every due deferred touch; returns the new decisions. Each chooses its channel as a first attempt
    /// at <paramref name="now"/> would: the fallback while the member is opted out of the preferred channel, the preferred
    /// one again once they opted back in (CONTRACT.md §2).
    /// </summary>
    /// <param name="state">The member, changed in place.</param>
    /// <param name="options">The programme rules.</param>
    /// <param name="now">The instant of the retry (UTC).</param>
    /// <param name="hold">
    /// Asked, for a waiting touch that kept its request's dedupe key and would go out now, with the request rebuilt from it
    /// (<see cref="WaitingRequest"/>): a <see cref="TouchHold"/> keeps it waiting (see <see cref="Decide"/>).
    /// </param>
    public static IReadOnlyList<TouchDecision> RetryDeferred(MemberState state, ProgramOptions options, DateTimeOffset now, Func<TouchRequest, TouchHold?>? hold = null)
    {
        var results = new List<TouchDecision>();
        foreach (var due in DueDeferred(state, now))
        {
            var draft = due with
            {
                Channel = MemberProfile.PreferredChannel(state, due.PreferredChannel ?? due.Channel, due.FallbackChannel),
                Decision = "",
                Reason = "",
                NotBefore = null,
                Published = false,
                Attempt = due.Attempt + 1,
            };
            var heldBy = hold is null || draft.DedupeKey is null || draft.CouponCode is not null ? null : (Func<TouchHold?>)(() => hold(WaitingRequest(draft)));
            results.Add(DecideAndRecord(state, draft, options, now, hold: heldBy));
        }

        return results;
    }

    /// <summary>
    /// Withholds every touch decided sent but still waiting in the member's outbox (its queue send has not been confirmed)
    /// on a channel the member has opted out of since: an opted-out channel is never used (CONTRACT.md §2), whenever the
    /// opt-out came, service touches included. The touch leaves the outbox; its decision stays <c>sent</c> with a note
    /// saying it was withheld, because an unconfirmed send may still have gone out (a batch that failed part-way, a
    /// confirmation not yet stored): the caps keep counting it, and its campaign keeps counting it as sent (its offer is
    /// the member's, as for any touch once decided). Returns how many were withheld.
    /// </summary>
    /// <param name="state">The member, changed in place.</param>
    /// <param name="now">The instant of the opt-out (UTC).</param>
    public static int WithholdOptedOut(MemberState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        List<Members.Effects.PublishTouch>? stuck = null;
        foreach (var effect in state.Outbox.Pending)
        {
            if (effect is Members.Effects.PublishTouch publish && MemberProfile.IsOptedOut(state, publish.Touch.Channel))
            {
                (stuck ??= []).Add(publish);
            }
        }

        foreach (var publish in stuck ?? [])
        {
            state.Outbox.Withdraw(publish);
            var note = string.Create(CultureInfo.InvariantCulture,
                $"; withheld at {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: channel {publish.Touch.Channel} opted out before the send was confirmed");
            foreach (var decision in state.Touches.Decisions.Concat(state.Touches.Sent))
            {
                if (string.Equals(decision.TouchId, publish.Touch.TouchId, StringComparison.Ordinal) && decision.Decision == TouchDecisions.Sent
                    && !decision.Reason.Contains("; withheld at ", StringComparison.Ordinal))
                {
                    decision.Reason += note;
                }
            }
        }

        return stuck?.Count ?? 0;
    }

    /// <summary>
    /// Settles every open deferred touch <paramref name="which"/> selects as suppressed with <paramref name="reason"/>,
    /// so it is never retried (e.g. a win-back level's touch once the member came back). Returns the new decisions.
    /// </summary>
    /// <param name="state">The member, changed in place.</param>
    /// <param name="which">Selects the waiting touches to withdraw.</param>
    /// <param name="reason">Shown in the touch history (<c>GET /members/{id}/touches</c>).</param>
    /// <param name="options">The programme rules (bounds of the touch history).</param>
    /// <param name="now">The instant of the decision.</param>
    public static IReadOnlyList<TouchDecision> WithdrawDeferred(
        MemberState state, Func<TouchDecision, bool> which, string reason, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(which);
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<TouchDecision>();
        foreach (var open in TouchHistory.OpenDeferred(state.Touches).Where(which).ToList())
        {
            var draft = open with { DecidedAt = now, Published = false };
            Settle(draft, TouchDecisions.Suppressed, reason);
            TouchHistory.Record(state.Touches, draft, options.Touches, now);
            results.Add(draft with { });
        }

        return results;
    }

    /// <summary>When the earliest open deferred touch becomes due; null if none waits.</summary>
    public static DateTimeOffset? NextDeferredAt(MemberState state) =>
        TouchHistory.OpenDeferred(state.Touches).Select(d => d.NotBefore).Where(t => t is not null).Min();

    /// <summary>Sent touches not yet confirmed on the outbox queue, oldest first: publish (again) after a restart.</summary>
    public static IReadOnlyList<TouchDecision> PendingPublish(MemberState state) =>
        [.. state.Touches.Sent.Where(s => !s.Published).Select(s => s with { })];

    /// <summary>The grain confirms these touches reached the outbox queue.</summary>
    public static void MarkPublished(MemberState state, IEnumerable<string> touchIds)
    {
        var ids = touchIds.ToHashSet(StringComparer.Ordinal);
        foreach (var touch in state.Touches.Sent.Concat(state.Touches.Decisions))
        {
            if (touch.Decision == TouchDecisions.Sent && ids.Contains(touch.TouchId))
            {
                touch.Published = true;
            }
        }
    }

    /// <summary>
    /// Names the coupon a touch already decided hands over (CONTRACT.md §3 <c>couponCode</c>: a campaign's coupon is issued
    /// once its touch holds a grant). Call before the touch is queued for the outbox; a retried deferred touch keeps it.
    /// </summary>
    public static void AttachCoupon(MemberState state, string touchId, string couponCode)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var touch in state.Touches.Sent.Concat(state.Touches.Decisions))
        {
            if (string.Equals(touch.TouchId, touchId, StringComparison.Ordinal))
            {
                touch.CouponCode = couponCode;
            }
        }
    }

    /// <summary>
    /// Keeps the request's dedupe key on a touch still waiting (deferred) whose offer is granted only when it is sent, so
    /// the retry that sends it can name the same grant (<see cref="TouchDecision.DedupeKey"/>).
    /// </summary>
    /// <param name="state">The member, changed in place.</param>
    /// <param name="touchId">The waiting touch.</param>
    /// <param name="dedupeKey">Its request's <see cref="TouchRequest.DedupeKey"/>.</param>
    public static void KeepDedupeKey(MemberState state, string touchId, string dedupeKey)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var open in TouchHistory.OpenDeferred(state.Touches))
        {
            if (string.Equals(open.TouchId, touchId, StringComparison.Ordinal))
            {
                open.DedupeKey = dedupeKey;
            }
        }
    }

    /// <summary>
    /// Replaces the offer text of a touch still waiting (deferred), so it goes out saying what holds when it is sent
    /// (e.g. the points a lot still holds). Sent and suppressed touches are final and keep theirs.
    /// </summary>
    /// <param name="state">The member, changed in place.</param>
    /// <param name="touchId">The waiting touch.</param>
    /// <param name="offer">The offer text as of now (CONTRACT.md §3 <c>offer</c>).</param>
    public static void RestateOffer(MemberState state, string touchId, string offer)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var open in TouchHistory.OpenDeferred(state.Touches))
        {
            if (string.Equals(open.TouchId, touchId, StringComparison.Ordinal))
            {
                open.Offer = offer;
            }
        }
    }

    /// <summary>Recorded decisions, newest first.</summary>
    public static IReadOnlyList<TouchDecision> History(MemberState state, int limit = int.MaxValue) =>
        [.. Enumerable.Reverse(state.Touches.Decisions).Take(Math.Max(0, limit)).Select(d => d with { })];

    /// <summary>The caps as they stand at <paramref name="now"/>, for the live view.</summary>
    public static CapsSnapshot CapsSnapshot(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var o = options.Touches;
        var zone = ZoneOf(state, options);
        var today = MemberClock.LocalDate(now, zone);
        var sent = state.Touches.Sent;
        bool Today(TouchDecision d) => MemberClock.LocalDate(d.DecidedAt, zone) == today;
        bool InWeek(TouchDecision d) => d.DecidedAt > now - Week && d.DecidedAt <= now;
        var marketing = sent.Where(d => d.Category == TouchCategories.Marketing).ToList();

        return new CapsSnapshot
        {
            MarketingToday = marketing.Count(Today),
            MarketingLast7Days = marketing.Count(InWeek),
            MarketingDailyLimit = o.MarketingPerDay,
            MarketingWeeklyLimit = o.MarketingPer7Days,
            ChannelToday = sent.Where(Today)
                .GroupBy(d => d.Channel.ToLowerInvariant(), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            ChannelLast7Days = sent.Where(InWeek)
                .GroupBy(d => d.Channel.ToLowerInvariant(), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            ChannelDailyLimits = new Dictionary<string, int>(o.ChannelPerDay, StringComparer.OrdinalIgnoreCase),
            ChannelWeeklyLimits = new Dictionary<string, int>(o.ChannelPerWeek, StringComparer.OrdinalIgnoreCase),
            OptedOutChannels = MemberProfile.OptedOutChannels(state),
            InQuietHours = MemberClock.InQuietHours(now, zone, o.QuietHoursStart, o.QuietHoursEnd),
            TimeZone = zone.Id,
            Deferred = TouchHistory.OpenDeferred(state.Touches).Count,
            PendingPublish = sent.Count(d => !d.Published) + state.Outbox.Pending.Count(e => e is Members.Effects.PublishTouch),
        };
    }

    /// <summary>The latest decision recorded for a touch id; null if none is remembered.</summary>
    public static TouchDecision? Find(MemberState state, string touchId) => TouchHistory.Latest(state.Touches, touchId) is { } d ? d with { } : null;

    /// <summary>The zone quiet hours and daily caps are read in: the member's, else the configured default.</summary>
    public static TimeZoneInfo ZoneOf(MemberState state, ProgramOptions options) =>
        MemberClock.ZoneOrDefault(MemberProfile.TimeZone(state), options.Touches.DefaultTimeZone ?? options.DefaultTimeZone);

    private static string CategoryOf(string kind, TouchOptions options) =>
        options.ServiceKinds.Exists(k => string.Equals(TouchKinds.Canonical(k), TouchKinds.Canonical(kind), StringComparison.OrdinalIgnoreCase)) ? TouchCategories.Service : TouchCategories.Marketing;

    private static TouchDecision DecideAndRecord(
        MemberState state, TouchDecision draft, ProgramOptions programOptions, DateTimeOffset now, string? suppress = null, Func<TouchHold?>? hold = null)
    {
        var options = programOptions.Touches;
        var zone = ZoneOf(state, programOptions);
        draft.DecidedAt = now;
        if (suppress is not null)
        {
            Settle(draft, TouchDecisions.Suppressed, suppress);
        }
        else if (draft.ValidUntil is { } validUntil && now >= validUntil)
        {
            Settle(draft, TouchDecisions.Suppressed, $"offer expired at {Local(validUntil, zone)}");
        }
        else if (MemberProfile.IsOptedOut(state, draft.Channel))
        {
            Settle(draft, TouchDecisions.Suppressed, $"channel {draft.Channel} opted out");
        }
        else
        {
            var (at, reason) = TouchCaps.EarliestAllowed(state.Touches, options, draft, zone, now);
            if (at <= now && hold?.Invoke() is { } held)
            {
                // Waiting, not sent: it takes no cap; it is decided afresh at the retry, or found expired once its window closed.
                if (TouchHistory.WaitingFull(state.Touches, draft.TouchId, options.MaxRecordedDecisions))
                {
                    Settle(draft, TouchDecisions.Suppressed, $"{held.Reason}; {options.MaxRecordedDecisions} touches already wait (Touches:MaxRecordedDecisions)");
                }
                else
                {
                    Settle(draft, TouchDecisions.Deferred, held.Reason);
                    draft.NotBefore = held.RetryWithin(draft.ValidUntil, now, zone, options, options.QuietHoursBind(draft.Category));
                }
            }
            else if (at <= now)
            {
                Settle(draft, TouchDecisions.Sent, SentReason(draft));
            }
            else if (at == DateTimeOffset.MaxValue)
            {
                Settle(draft, TouchDecisions.Suppressed, reason);
            }
            else if (draft.ValidUntil is { } until && at >= until)
            {
                Settle(draft, TouchDecisions.Suppressed, $"{reason}; next allowed {Local(at, zone)}, after the offer ends {Local(until, zone)}");
            }
            else if (TouchHistory.WaitingFull(state.Touches, draft.TouchId, options.MaxRecordedDecisions))
            {
                // Deferred, it would push a waiting touch out unsettled (its campaign would count it deferred for good).
                Settle(draft, TouchDecisions.Suppressed, $"{reason}; {options.MaxRecordedDecisions} touches already wait (Touches:MaxRecordedDecisions)");
            }
            else
            {
                Settle(draft, TouchDecisions.Deferred, reason);
                draft.NotBefore = at;
            }
        }

        TouchHistory.Record(state.Touches, draft, options, now);
        return draft with { };
    }

    private static void Settle(TouchDecision draft, string decision, string reason)
    {
        draft.Decision = decision;
        draft.Reason = reason;
        draft.NotBefore = null;
    }

    private static string SentReason(TouchDecision draft)
    {
        var what = draft.Category == TouchCategories.Service ? "service touch, marketing caps do not apply" : "within caps and outside quiet hours";
        return draft.Attempt > 1 ? $"{what} (attempt {draft.Attempt.ToString(CultureInfo.InvariantCulture)})" : what;
    }

    internal static string Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        MemberClock.ToLocal(instant, zone).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    internal static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
