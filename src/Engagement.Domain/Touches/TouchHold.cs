namespace Engagement.Domain.Touches;

/// <summary>
/// Why a touch that would go out now waits instead, and when it is decided again (UTC): e.g. a win-back L1 gift or
/// birthday coupon tied to skus none of which is in stock near the member (<c>Offers.GoodsTiedCoupons.HoldFor</c>). A
/// held touch is recorded deferred, so it counts on no cap; past its window it is suppressed as any expired offer.
/// </summary>
/// <param name="Reason">Shown in the touch history (<c>GET /members/{id}/touches</c>).</param>
/// <param name="RetryAt">
/// When the touch is decided again (UTC), unless its window closes first: then at its last look (<see cref="RetryWithin"/>).
/// </param>
public sealed record TouchHold(string Reason, DateTimeOffset RetryAt)
{
    /// <summary>
    /// How long before its window closes (or before the quiet hours that close it begin) a held touch gets its last look.
    /// </summary>
    public static readonly TimeSpan LastLookMargin = TimeSpan.FromMinutes(15);

    /// <summary>
    /// When a touch held at <paramref name="now"/> (UTC) is decided again: <see cref="RetryAt"/>, or, when that comes after
    /// the touch's last look and the last look is still ahead, the last look (docs/offers.md "Store inventory"): <see cref="LastLookMargin"/> before
    /// <paramref name="validUntil"/>; when that falls in quiet hours that bind the touch (every marketing touch), the end
    /// of those quiet hours if they end before the window does (an L1 window ending 09:05: 09:00), otherwise
    /// <see cref="LastLookMargin"/> before they begin (a birthday window ending at midnight: 20:45), so a touch held late
    /// is looked at once more while it can still go out. A touch held at or past its last look is decided at its window's
    /// end, never earlier (and suppressed then as an expired offer).
    /// </summary>
    /// <param name="validUntil">The touch's window end (UTC); null: no window, <see cref="RetryAt"/> as it is.</param>
    /// <param name="now">The instant of the hold (UTC).</param>
    /// <param name="zone">The member's time zone (quiet hours are local).</param>
    /// <param name="options">The touch rules (quiet hours).</param>
    /// <param name="quietBinds">Whether quiet hours hold this touch back (marketing, or service when configured so).</param>
    public DateTimeOffset RetryWithin(DateTimeOffset? validUntil, DateTimeOffset now, TimeZoneInfo zone, TouchOptions options, bool quietBinds)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (validUntil is not { } end)
        {
            return RetryAt;
        }

        var last = end - LastLookMargin;
        if (quietBinds && MemberClock.InQuietHours(last, zone, options.QuietHoursStart, options.QuietHoursEnd))
        {
            var quietEnd = MemberClock.EndOfQuietHours(last, zone, options.QuietHoursStart, options.QuietHoursEnd);
            if (quietEnd < end)
            {
                // The quiet hours end before the window does (an L1 window ending 09:05): the last look is their end.
                last = quietEnd;
            }
            else
            {
                // Back to just before the quiet hours it falls in began (today's start, or yesterday's for the morning part).
                var date = MemberClock.LocalDate(last, zone);
                var began = MemberClock.AtLocal(date, options.QuietHoursStart, zone);
                last = (began > last ? MemberClock.AtLocal(date.AddDays(-1), options.QuietHoursStart, zone) : began) - LastLookMargin;
            }
        }

        return RetryAt <= last ? RetryAt
            : last > now ? last
            : end;
    }
}
