using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Offers;

/// <summary>
/// A support agent reissues a member's coupon (one lost, or expired by mistake), on the member's one-write path: the old
/// coupon is voided when still issued, and a fresh coupon of the same offer, kind, value and scope is issued, valid from
/// <c>now</c> for the old coupon's length in whole days (<see cref="ValidDaysOf"/>), ending like any issue at the start of
/// a local day in the member's time zone (<see cref="CouponTemplate.ExpiryOf"/>, docs/offers.md §3). Its grant id is <c>reissue:{oldCode}</c>, so the new code derives
/// from member and old code: a retried reissue answers the same new coupon and never issues two.
/// </summary>
public static class CouponReissues
{
    /// <summary>Ledger rule of a coupon voided (−1 when it was live).</summary>
    public const string VoidRule = "coupon.void";

    /// <summary>
    /// Ledger rule of a coupon used twice (delta 0): a late purchase used the original of a reissue whose replacement
    /// the member has redeemed too (<see cref="AfterLateUse"/>), so the member got its value twice.
    /// </summary>
    public const string DoubleUseRule = "coupon.double-use";

    /// <summary>Longest reason an agent may give, in characters.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>Refusal reason: the member's book is full of live coupons.</summary>
    public const string Full = "full";

    /// <summary>
    /// The prefix of a reissue's outcome id (<c>cx:{reissueId}</c>, the id its metric contributions carry): a reissue
    /// replaces a coupon already counted as issued, so programme metrics do not count its new coupon again (CONTRACT.md §5).
    /// </summary>
    public const string OutcomePrefix = "cx:";

    /// <summary>True for the outcome id of a reissue (<see cref="OutcomePrefix"/>).</summary>
    public static bool IsReissue(string outcomeId) => outcomeId is not null && outcomeId.StartsWith(OutcomePrefix, StringComparison.Ordinal);

    /// <summary>The grant id of the reissue of <paramref name="oldCode"/> (normalised code).</summary>
    public static string GrantIdFor(string oldCode) => "reissue:" + oldCode;

    /// <summary>The coupon reissued from <paramref name="code"/> (normalised; its grant id is <see cref="GrantIdFor"/>), or null.</summary>
    public static Coupon? ReplacementOf(CouponBook book, string code)
    {
        ArgumentNullException.ThrowIfNull(book);
        var grantId = GrantIdFor(code);
        return book.Coupons.FirstOrDefault(c => string.Equals(c.GrantId, grantId, StringComparison.Ordinal));
    }

    /// <summary>
    /// Purchase <paramref name="evt"/> (judged as of its occurredAt, CONTRACT.md §1.1) used <paramref name="used"/>, which
    /// support may have reissued since: the till gave its discount, so the use stands, and the reissue family
    /// (<see cref="CouponBook.FamilyOf"/>: the coupons it came from and those reissued from it) must not give the value
    /// again. Replacements reissued from it and still issued are voided (<see cref="VoidRule"/> −1, the reason naming the
    /// late purchase, the order kept in <see cref="Coupon.VoidedForLateOrderId"/>). Another coupon of the family already
    /// redeemed by an order not refunded in full, earlier or later in the chain, is a double use the engine can no longer
    /// undo, recorded once (<see cref="DoubleUseRule"/>, delta 0, naming both coupons and the purchase) for support to
    /// follow up; whichever of the two uses arrives last records it, so the outcome does not depend on arrival order.
    /// </summary>
    internal static void AfterLateUse(MemberState state, Coupon used, MemberEvent evt, ProgramOptions options, DateTimeOffset now)
    {
        var late = string.Create(CultureInfo.InvariantCulture,
            $"{used.Code} was used by late purchase {evt.EventId} (order {evt.OrderId}, occurred {evt.OccurredAt:yyyy-MM-dd HH:mm zzz}) when it was still valid");
        var family = MemberCoupons.Book(state).FamilyOf(used);
        if (family.FirstOrDefault(c => c.Code != used.Code && c.Status == CouponStatuses.Redeemed && !OrderBook.IsFullyRefunded(state, c.OrderId)) is { } other)
        {
            var twice = other with { StatusReason = $"used twice: {late}, and {other.Code} of the same reissue was redeemed too ({other.StatusReason})" };
            MemberCoupons.Record(state, twice, 0, DoubleUseRule, evt.EventId, options, now, evt.OccurredAt);
        }

        var visited = new HashSet<string>(StringComparer.Ordinal) { used.Code };
        for (var code = used.Code; ReplacementOf(MemberCoupons.Book(state), code) is { } next && visited.Add(next.Code); code = next.Code)
        {
            if (next.Status == CouponStatuses.Issued)
            {
                var reason = $"{late}, reissued as {next.Code}; the till gave its discount, so the replacement is withdrawn";
                var (book, voided) = MemberCoupons.Book(state).Void(next.Code, reason, now);
                MemberCoupons.Adopt(state, book.Replace(voided.Coupon! with { VoidedForLateOrderId = evt.OrderId }));
                MemberCoupons.Record(state, voided.Coupon!, -1, VoidRule, evt.EventId, options, now, evt.OccurredAt);
            }
        }
    }

    /// <summary>
    /// Reissues coupon <paramref name="code"/> for <paramref name="actor"/> (the key's name) with <paramref name="reason"/>
    /// (1–<see cref="MaxReasonLength"/> characters, checked by the caller). A coupon already reissued answers its new
    /// coupon again (<see cref="CouponReissueOutcome.Replayed"/>); a redeemed or otherwise voided coupon is refused
    /// (<see cref="CouponRefusals.Used"/>, <see cref="CouponRefusals.Voided"/>), an unknown code is
    /// <see cref="CouponRefusals.NotFound"/>. Ledger rows: void −1 (when it was issued), issue +1; the new code's
    /// directory row is queued in the outbox.
    /// </summary>
    /// <exception cref="InvalidOperationException">The coupon secret is not configured (<see cref="OffersOptions.Codes"/>).</exception>
    public static MemberOutcome<CouponReissueOutcome> Reissue(
        MemberState state, string code, string reissueId, string actor, string reason, OffersOptions offers, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(offers);
        var mark = state.Outbox.Count;
        var before = MemberCoupons.Book(state);
        var (current, expired) = before.ExpireDue(now);
        var changed = expired.Count > 0;
        if (changed)
        {
            MemberCoupons.Adopt(state, current);
            foreach (var gone in expired)
            {
                MemberCoupons.Record(state, gone, -1, MemberCoupons.ExpireRule, null, options, gone.ValidUntil, gone.ValidUntil);
            }
        }

        var normal = CouponCodes.Normalize(code);
        var old = normal is null ? null : current.Find(normal);
        var newCode = normal is null ? null : offers.Codes().CodeFor(state.MemberId, GrantIdFor(normal));
        CouponReissueOutcome reply;
        if (newCode is not null && current.Find(newCode) is { } done)
        {
            reply = new(old, done, null, Replayed: true);
        }
        else if (old is null)
        {
            reply = new(null, null, new(CouponRefusals.NotFound, "this member holds no coupon with that code"), false);
        }
        else if (old.Status is CouponStatuses.Redeemed or CouponStatuses.Voided)
        {
            var why = old.Status == CouponStatuses.Redeemed ? CouponRefusals.Used : CouponRefusals.Voided;
            reply = new(old, null, new(why, $"a {old.Status} coupon cannot be reissued: {old.StatusReason}"), false);
        }
        else
        {
            reply = Apply(state, old, newCode!, reissueId, actor, reason, offers, options, now);
            changed |= reply.Refusal is null;
        }

        return new MemberOutcome<CouponReissueOutcome> { Reply = reply, StateChanged = changed, Effects = MemberCoupons.Since(state, mark) };
    }

    private static CouponReissueOutcome Apply(
        MemberState state, Coupon old, string newCode, string reissueId, string actor, string reason, OffersOptions offers, ProgramOptions options, DateTimeOffset now)
    {
        var book = MemberCoupons.Book(state);
        var why = $"by {actor}: {reason}";
        if (old.Status == CouponStatuses.Issued)
        {
            (book, var voided) = book.Void(old.Code, $"reissued as {newCode} {why}", now);
            old = voided.Coupon!;
        }

        // The original length in whole days, ending at the start of a local day like any issue (docs/offers.md §3).
        var zone = TouchGovernor.ZoneOf(state, options);
        var until = CouponTemplate.ExpiryOf(now, ValidDaysOf(old, zone), zone);
        // The same offer, kind, value, gift and scope; a new code, window and story.
        var fresh = old with
        {
            Code = newCode,
            GrantId = GrantIdFor(old.Code),
            IssuedAt = now,
            ValidFrom = now,
            ValidUntil = until,
            Status = CouponStatuses.Issued,
            StatusReason = string.Create(CultureInfo.InvariantCulture, $"reissued from {old.Code} {why}; valid until {until:yyyy-MM-dd HH:mm zzz}"),
            StatusAt = now,
            RedemptionId = null,
            Redemptions = [],
            OrderId = null,
            StoreId = null,
            History = [],
        };
        var (issuedBook, issued) = book.Issue(fresh, offers.MaxCouponsPerMember);
        if (issued.Status != CouponIssueStatus.Issued)
        {
            return new(old, null, new(Full, issued.Detail), false);
        }

        if (old.Status == CouponStatuses.Voided)
        {
            MemberCoupons.Adopt(state, book);
            MemberCoupons.Record(state, old, -1, VoidRule, reissueId, options, now);
        }

        MemberCoupons.Adopt(state, issuedBook);
        state.Outbox.Add(new RegisterCouponCode(fresh.Code));
        MemberCoupons.Record(state, fresh, +1, MemberCoupons.IssueRule, reissueId, options, now);
        return new(old, fresh, null, false);
    }

    /// <summary>
    /// The whole days after its day of issue <paramref name="coupon"/> was valid for (<see cref="CouponTemplate.ValidDays"/>:
    /// it expires at the start of local day issue date + days + 1), read back from its window in the member's
    /// <paramref name="zone"/>: its validUntil less the start of its first day, rounded to whole days (so a DST change or
    /// a window not on a day boundary, as reissues before this rule had, still reads right), minus that first day;
    /// 1–<see cref="CouponTemplate.MaxValidDays"/>.
    /// </summary>
    public static int ValidDaysOf(Coupon coupon, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(zone);
        var firstDay = MemberTimeZones.StartOfDay(MemberTimeZones.LocalDate(coupon.ValidFrom, zone), zone);
        var days = (int)Math.Round((coupon.ValidUntil - firstDay).TotalDays, MidpointRounding.AwayFromZero) - 1;
        return Math.Clamp(days, 1, CouponTemplate.MaxValidDays);
    }
}

/// <summary>
/// The outcome of a reissue: the old coupon as it now is (null when the member holds no such code), the new coupon
/// (null when refused), the refusal, and whether this repeats an earlier reissue.
/// </summary>
public sealed record CouponReissueOutcome(Coupon? Old, Coupon? New, CouponRefusal? Refusal, bool Replayed)
{
    /// <summary>True when the member holds the new coupon (reissued now or before).</summary>
    public bool Accepted => Refusal is null;
}
