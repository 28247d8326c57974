namespace Engagement.Domain.Touches;

/// <summary>
/// The caps and quiet hours of <see cref="TouchGovernor"/> (CONTRACT.md §2): the first instant a touch may go out,
/// and why not before. Marketing caps per local day and per rolling 7 days; channel caps per day and week.
/// </summary>
internal static class TouchCaps
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    /// <summary>The first instant at or after <paramref name="now"/> that every rule allows, and why <c>now</c> is not it.</summary>
    internal static (DateTimeOffset At, string Reason) EarliestAllowed(
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

        if (options.QuietHoursBind(draft.Category)
            && MemberClock.InQuietHours(at, zone, options.QuietHoursStart, options.QuietHoursEnd))
        {
            blockers.Add((
                $"quiet hours {MemberClock.DescribeQuietHours(options.QuietHoursStart, options.QuietHoursEnd, zone)}",
                MemberClock.EndOfQuietHours(at, zone, options.QuietHoursStart, options.QuietHoursEnd)));
        }

        if (marketing)
        {
            var sent = touches.Sent.Where(s => s.Category == TouchCategories.Marketing).Select(s => s.DecidedAt).ToList();
            AddDailyCap(blockers, sent, options.MarketingPerDay, zone, at, $"marketing cap {TouchGovernor.Num(options.MarketingPerDay)}/day reached", zeroMeansNone: true);
            AddRollingCap(blockers, sent, options.MarketingPer7Days, at, $"marketing cap {TouchGovernor.Num(options.MarketingPer7Days)} per 7 days reached", zeroMeansNone: true);
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
                AddDailyCap(blockers, sameChannel, perDay, zone, at, $"channel {draft.Channel} cap {TouchGovernor.Num(perDay)}/day reached", zeroMeansNone: false);
            }

            if (options.ChannelPerWeek.TryGetValue(draft.Channel, out var perWeek) && perWeek > 0)
            {
                AddRollingCap(blockers, sameChannel, perWeek, at, $"channel {draft.Channel} cap {TouchGovernor.Num(perWeek)}/week reached", zeroMeansNone: false);
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
}
