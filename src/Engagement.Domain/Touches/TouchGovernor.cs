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
public static class TouchGovernor
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    public static TouchDecision Decide(MemberState state, TouchRequest request, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var touchId = TouchIds.For(state.MemberId, request);
        var previous = Latest(state.Touches, touchId);
        if (previous is not null && (previous.Decision != TouchDecisions.Deferred || previous.NotBefore > now))
        {
            return previous with { };
        }

        var draft = new TouchDecision
        {
            TouchId = touchId,
            Category = request.Category ?? CategoryOf(request.Kind, options.Touches),
            Channel = request.Channel,
            Kind = request.Kind,
            CampaignId = request.CampaignId,
            Level = request.Level,
            Offer = request.Offer,
            ValidUntil = request.ValidUntil,
            Attempt = (previous?.Attempt ?? 0) + 1,
        };
        return DecideAndRecord(state, draft, options, now);
    }

    /// <summary>Deferred touches whose <c>NotBefore</c> has come, in the order they will be retried (service first).</summary>
    public static IReadOnlyList<TouchDecision> DueDeferred(MemberState state, DateTimeOffset now) =>
        [.. OpenDeferred(state.Touches)
            .Where(d => d.NotBefore is null || d.NotBefore <= now)
            .OrderBy(d => d.Category == TouchCategories.Service ? 0 : 1)
            .ThenBy(d => d.NotBefore)
            .ThenBy(d => d.DecidedAt)
            .Select(d => d with { })];

    /// <summary>Decides again every due deferred touch; returns the new decisions.</summary>
    public static IReadOnlyList<TouchDecision> RetryDeferred(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var results = new List<TouchDecision>();
        foreach (var due in DueDeferred(state, now))
        {
            var draft = due with
            {
                Decision = "",
                Reason = "",
                NotBefore = null,
                Published = false,
                Attempt = due.Attempt + 1,
            };
            results.Add(DecideAndRecord(state, draft, options, now));
        }

        return results;
    }

    /// <summary>When the earliest open deferred touch becomes due; null if none waits.</summary>
    public static DateTimeOffset? NextDeferredAt(MemberState state) =>
        OpenDeferred(state.Touches).Select(d => d.NotBefore).Where(t => t is not null).Min();

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
            Deferred = OpenDeferred(state.Touches).Count,
            PendingPublish = sent.Count(d => !d.Published),
        };
    }

    /// <summary>The latest decision recorded for a touch id; null if none is remembered.</summary>
    public static TouchDecision? Find(MemberState state, string touchId) => Latest(state.Touches, touchId) is { } d ? d with { } : null;

    /// <summary>The zone quiet hours and daily caps are read in: the member's, else the configured default.</summary>
    public static TimeZoneInfo ZoneOf(MemberState state, ProgramOptions options) =>
        MemberClock.ZoneOrDefault(MemberProfile.TimeZone(state), options.Touches.DefaultTimeZone ?? options.DefaultTimeZone);

    private static string CategoryOf(string kind, TouchOptions options) =>
        options.ServiceKinds.Contains(kind, StringComparer.OrdinalIgnoreCase) ? TouchCategories.Service : TouchCategories.Marketing;

    private static TouchDecision DecideAndRecord(MemberState state, TouchDecision draft, ProgramOptions programOptions, DateTimeOffset now)
    {
        var options = programOptions.Touches;
        var zone = ZoneOf(state, programOptions);
        draft.DecidedAt = now;
        if (draft.ValidUntil is { } validUntil && now >= validUntil)
        {
            Settle(draft, TouchDecisions.Suppressed, $"offer expired at {Local(validUntil, zone)}");
        }
        else if (MemberProfile.IsOptedOut(state, draft.Channel))
        {
            Settle(draft, TouchDecisions.Suppressed, $"channel {draft.Channel} opted out");
        }
        else
        {
            var (at, reason) = EarliestAllowed(state.Touches, options, draft, zone, now);
            if (at <= now)
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
            else
            {
                Settle(draft, TouchDecisions.Deferred, reason);
                draft.NotBefore = at;
            }
        }

        Record(state.Touches, draft, options, now);
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

    /// <summary>The first instant at or after <paramref name="now"/> that every rule allows, and why <c>now</c> is not it.</summary>
    private static (DateTimeOffset At, string Reason) EarliestAllowed(
        TouchState touches, TouchOptions options, TouchDecision draft, TimeZoneInfo zone, DateTimeOffset now)
    {
        var at = now;
        string? firstReason = null;

        // Each round moves past every blocker found; caps only release and quiet hours only end, so this settles fast.
        for (var round = 0; round < 32; round++)
        {
            var blockers = Blockers(touches, options, draft, zone, at);
            if (blockers.Count == 0)
            {
                return (at, firstReason ?? "");
            }

            firstReason ??= string.Join("; ", blockers.Select(b => b.Reason));
            var next = blockers.Max(b => b.Until);
            if (next == DateTimeOffset.MaxValue)
            {
                return (next, firstReason);
            }

            at = next > at ? next : at.AddMinutes(1);
        }

        return (at, firstReason ?? "");
    }

    private static List<(string Reason, DateTimeOffset Until)> Blockers(
        TouchState touches, TouchOptions options, TouchDecision draft, TimeZoneInfo zone, DateTimeOffset at)
    {
        var blockers = new List<(string, DateTimeOffset)>();
        var marketing = draft.Category != TouchCategories.Service;

        if ((marketing || options.ServiceRespectsQuietHours)
            && MemberClock.InQuietHours(at, zone, options.QuietHoursStart, options.QuietHoursEnd))
        {
            blockers.Add((
                $"quiet hours {MemberClock.DescribeQuietHours(options.QuietHoursStart, options.QuietHoursEnd, zone)}",
                MemberClock.EndOfQuietHours(at, zone, options.QuietHoursStart, options.QuietHoursEnd)));
        }

        if (marketing)
        {
            var sent = touches.Sent.Where(s => s.Category == TouchCategories.Marketing).Select(s => s.DecidedAt).ToList();
            AddDailyCap(blockers, sent, options.MarketingPerDay, zone, at, $"marketing cap {Num(options.MarketingPerDay)}/day reached", zeroMeansNone: true);
            AddRollingCap(blockers, sent, options.MarketingPer7Days, at, $"marketing cap {Num(options.MarketingPer7Days)} per 7 days reached", zeroMeansNone: true);
        }

        if (marketing || !options.ServiceBypassesChannelCaps)
        {
            var sameChannel = touches.Sent
                .Where(s => string.Equals(s.Channel, draft.Channel, StringComparison.OrdinalIgnoreCase))
                .Where(s => !options.ServiceBypassesChannelCaps || s.Category == TouchCategories.Marketing)
                .Select(s => s.DecidedAt)
                .ToList();
            if (options.ChannelPerDay.TryGetValue(draft.Channel, out var perDay) && perDay > 0)
            {
                AddDailyCap(blockers, sameChannel, perDay, zone, at, $"channel {draft.Channel} cap {Num(perDay)}/day reached", zeroMeansNone: false);
            }

            if (options.ChannelPerWeek.TryGetValue(draft.Channel, out var perWeek) && perWeek > 0)
            {
                AddRollingCap(blockers, sameChannel, perWeek, at, $"channel {draft.Channel} cap {Num(perWeek)}/week reached", zeroMeansNone: false);
            }
        }

        return blockers;
    }

    private static void AddDailyCap(
        List<(string, DateTimeOffset)> blockers, List<DateTimeOffset> sent, int limit, TimeZoneInfo zone, DateTimeOffset at, string reason, bool zeroMeansNone)
    {
        if (limit <= 0)
        {
            if (zeroMeansNone)
            {
                blockers.Add((reason, DateTimeOffset.MaxValue));
            }

            return;
        }

        var day = MemberClock.LocalDate(at, zone);
        if (sent.Count(t => MemberClock.LocalDate(t, zone) == day) >= limit)
        {
            blockers.Add((reason, MemberClock.StartOfNextLocalDay(at, zone)));
        }
    }

    private static void AddRollingCap(
        List<(string, DateTimeOffset)> blockers, List<DateTimeOffset> sent, int limit, DateTimeOffset at, string reason, bool zeroMeansNone)
    {
        if (limit <= 0)
        {
            if (zeroMeansNone)
            {
                blockers.Add((reason, DateTimeOffset.MaxValue));
            }

            return;
        }

        var inWindow = sent.Where(t => t > at - Week).Order().ToList();
        if (inWindow.Count >= limit)
        {
            // Enough of the oldest must leave the window to get below the limit.
            blockers.Add((reason, inWindow[inWindow.Count - limit] + Week));
        }
    }

    private static void Record(TouchState touches, TouchDecision decision, TouchOptions options, DateTimeOffset now)
    {
        touches.Decisions.Add(decision with { });
        if (decision.Decision == TouchDecisions.Sent)
        {
            touches.Sent.Add(decision with { });
        }

        PruneDecisions(touches.Decisions, options.MaxRecordedDecisions);
        PruneSent(touches.Sent, options, now);
    }

    private static void PruneDecisions(List<TouchDecision> decisions, int max)
    {
        if (decisions.Count <= max)
        {
            return;
        }

        var open = OpenDeferred(decisions).ToHashSet(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < decisions.Count && decisions.Count > max;)
        {
            if (open.Contains(decisions[i]))
            {
                i++;
            }
            else
            {
                decisions.RemoveAt(i);
            }
        }

        // Only open deferrals left beyond the bound (a flood of requests): the oldest give way.
        if (decisions.Count > max)
        {
            decisions.RemoveRange(0, decisions.Count - max);
        }
    }

    private static void PruneSent(List<TouchDecision> sent, TouchOptions options, DateTimeOffset now)
    {
        var keepFrom = now - TimeSpan.FromDays(Math.Max(7, options.KeepSentDays));
        sent.RemoveAll(s => s.Published && s.DecidedAt < keepFrom);

        // Over the bound: drop published touches the caps no longer read, oldest first; keep unpublished ones.
        for (var i = 0; i < sent.Count && sent.Count > options.MaxSentRecords;)
        {
            var s = sent[i];
            var capsIgnoreIt = s.DecidedAt <= now - Week
                || (s.Category == TouchCategories.Service && options.ServiceBypassesChannelCaps);
            if (s.Published && capsIgnoreIt)
            {
                sent.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }
    }

    private static TouchDecision? Latest(TouchState touches, string touchId)
    {
        for (var i = touches.Sent.Count - 1; i >= 0; i--)
        {
            if (touches.Sent[i].TouchId == touchId)
            {
                return touches.Sent[i];
            }
        }

        for (var i = touches.Decisions.Count - 1; i >= 0; i--)
        {
            if (touches.Decisions[i].TouchId == touchId)
            {
                return touches.Decisions[i];
            }
        }

        return null;
    }

    private static List<TouchDecision> OpenDeferred(TouchState touches) => OpenDeferred(touches.Decisions);

    /// <summary>Deferred decisions not followed by a later decision for the same touch id.</summary>
    private static List<TouchDecision> OpenDeferred(List<TouchDecision> decisions)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var open = new List<TouchDecision>();
        for (var i = decisions.Count - 1; i >= 0; i--)
        {
            var d = decisions[i];
            if (seen.Add(d.TouchId) && d.Decision == TouchDecisions.Deferred)
            {
                open.Add(d);
            }
        }

        open.Reverse();
        return open;
    }

    private static string Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        MemberClock.ToLocal(instant, zone).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
