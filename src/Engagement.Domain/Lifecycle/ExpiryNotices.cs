using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Lifecycle;

/// <summary>
/// Points-expiry notices (CONTRACT.md §2: a service touch <see cref="ProgramOptions.PointsExpiryNoticeDays"/> days before a
/// lot expires). Lots that expire on the same day of the member's local calendar share one notice: a member who bought
/// three times on one day hears once that those points expire, not three times within hours. The notice goes out when
/// the day's first lot comes within the lead, names the points all of that day's lots still hold and the earliest
/// instant among them, and is valid until then. Its dedupe key is that earliest lot's id, so a day with one lot keeps the
/// touch id one notice per lot had.
/// </summary>
public static class ExpiryNotices
{
    /// <summary>
    /// The notices due at <paramref name="now"/>: one per member-local day on which a live lot whose notice was not yet
    /// decided expires within the lead, each with the ids of that day's lots it covers (the caller marks them noticed).
    /// Days in order.
    /// </summary>
    public static IReadOnlyList<(TouchRequest Request, IReadOnlyList<string> LotIds)> Due(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var zone = TouchGovernor.ZoneOf(state, options);
        var horizon = now + TimeSpan.FromDays(options.PointsExpiryNoticeDays);
        var unnoticed = PointsWallet.Lots(state).Where(lot => lot.NoticeSentAt is null && lot.ExpiresAt > now).ToList();
        var dueDays = unnoticed.Where(lot => lot.ExpiresAt <= horizon).Select(lot => MemberTimeZones.LocalDate(lot.ExpiresAt, zone)).ToHashSet();
        if (dueDays.Count == 0)
        {
            return [];
        }

        var channel = MemberProfile.PreferredChannel(state, options.Touches.NoticeChannel, options.Touches.NoticeFallbackChannel);
        return [.. unnoticed
            .GroupBy(lot => MemberTimeZones.LocalDate(lot.ExpiresAt, zone))
            .Where(day => dueDays.Contains(day.Key))
            .OrderBy(day => day.Key)
            .Select(day =>
            {
                var lots = day.OrderBy(lot => lot.ExpiresAt).ThenBy(lot => lot.LotId, StringComparer.Ordinal).ToList();
                var request = new TouchRequest
                {
                    Kind = TouchKinds.PointsExpiryNotice,
                    Channel = channel,
                    PreferredChannel = options.Touches.NoticeChannel,
                    FallbackChannel = options.Touches.NoticeFallbackChannel,
                    Offer = Offer(lots),
                    DedupeKey = lots[0].LotId,
                    ValidUntil = lots[0].ExpiresAt,
                    Category = TouchCategories.Service,
                };
                return (request, (IReadOnlyList<string>)[.. lots.Select(lot => lot.LotId)]);
            })];
    }

    /// <summary>
    /// A notice that waited (quiet hours) tells the member what its day's lots hold when it goes out, not what they held
    /// when it was first decided: points redeemed or refunded in between are no longer said to expire. A day whose
    /// noticed lots were all spent or refunded meanwhile has nothing left to expire; its waiting notice is withdrawn
    /// (returned). Notices decided one per lot by an earlier version and waiting for the same day become one: the first
    /// states the day's points, the others are withdrawn (returned). A notice with no <see cref="TouchDecision.ValidUntil"/>
    /// goes by the day of the expiry its offer states, and with neither is matched to its own lot by touch id (a lot whose
    /// long id was stored in full before keys were kept no longer makes that touch id: the offer's day still finds it).
    /// </summary>
    public static IReadOnlyList<TouchDecision> RestateWaiting(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var waiting = TouchGovernor.DueDeferred(state, now).Where(IsNotice).ToList();
        if (waiting.Count == 0)
        {
            return [];
        }

        var zone = TouchGovernor.ZoneOf(state, options);
        var noticed = PointsWallet.Lots(state).Where(lot => lot.NoticeSentAt is not null && lot.ExpiresAt > now).ToList();
        var emptied = new HashSet<string>(StringComparer.Ordinal);
        var merged = new HashSet<string>(StringComparer.Ordinal);
        var days = new HashSet<DateOnly>();
        foreach (var notice in waiting.OrderBy(n => n.ValidUntil).ThenBy(n => n.TouchId, StringComparer.Ordinal))
        {
            // Notices decided one per lot (before lots shared one) that wait for the same day: the first states the
            // day's points, the others are withdrawn, or the member would hear the day's total once per lot.
            var validUntil = notice.ValidUntil ?? OfferExpiry(notice.Offer);
            if (validUntil is { } day && !days.Add(MemberTimeZones.LocalDate(day, zone)))
            {
                merged.Add(notice.TouchId);
                continue;
            }

            var lots = validUntil is { } until
                ? noticed.Where(lot => MemberTimeZones.LocalDate(lot.ExpiresAt, zone) == MemberTimeZones.LocalDate(until, zone)).ToList()
                : noticed.Where(lot => TouchIds.For(state.MemberId, TouchKinds.PointsExpiryNotice, null, null, lot.LotId) == notice.TouchId).ToList();
            if (lots.Count == 0)
            {
                emptied.Add(notice.TouchId);
                continue;
            }

            TouchGovernor.RestateOffer(state, notice.TouchId, Offer([.. lots.OrderBy(lot => lot.ExpiresAt).ThenBy(lot => lot.LotId, StringComparer.Ordinal)]));
        }

        var settled = new List<TouchDecision>();
        if (merged.Count > 0)
        {
            settled.AddRange(TouchGovernor.WithdrawDeferred(
                state,
                d => IsNotice(d) && (d.NotBefore is null || d.NotBefore <= now) && merged.Contains(d.TouchId),
                "merged into the notice of the same day, which states all of that day's expiring points",
                options,
                now));
        }

        if (emptied.Count > 0)
        {
            settled.AddRange(TouchGovernor.WithdrawDeferred(
                state,
                d => IsNotice(d) && (d.NotBefore is null || d.NotBefore <= now) && emptied.Contains(d.TouchId),
                "no points left to expire: the day's lots were spent or refunded while the notice waited",
                options,
                now));
        }

        return settled;
    }

    /// <summary>
    /// The expiry instant a notice's offer states (<c>points:{n};expiresAt:{UTC}</c>, as every version wrote it), for a
    /// notice with no <see cref="TouchDecision.ValidUntil"/>: its touch id may have been made from a long lot id stored in
    /// full before lots kept keys (<see cref="Orders.OrderIds"/>), which no kept lot id makes again. Null when it states none.
    /// </summary>
    private static DateTimeOffset? OfferExpiry(string? offer)
    {
        const string Marker = ";expiresAt:";
        var at = offer?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        return at >= 0 && DateTimeOffset.TryParseExact(
            offer.AsSpan(at + Marker.Length), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry)
            ? expiry
            : null;
    }

    private static bool IsNotice(TouchDecision decision) =>
        decision.Kind == TouchKinds.PointsExpiryNotice && decision.CampaignId is null;

    /// <summary>The notice's offer text: the points the lots still hold and the earliest of their expiry instants (UTC).</summary>
    private static string Offer(List<PointsLot> lots) =>
        string.Create(CultureInfo.InvariantCulture, $"points:{lots.Sum(lot => lot.Remaining)};expiresAt:{lots[0].ExpiresAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");
}
