using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Offers;

/// <summary>
/// The stock rule of coupons tied to goods (CONTRACT.md §2.1; docs/offers.md "Store inventory"): a coupon whose scope
/// names skus is issued only where the member's home store (<see cref="MemberCoupons.HomeStore"/>) or another store of the
/// member's region has one of them in stock, on every path that issues one (a campaign arm, the admin issue, the
/// win-back L1 gift, the birthday coupon). Whether the goods are in stock is the caller's look-up (store inventory
/// grains); this holds when that look-up is needed and what is done without stock. A coupon without skus never needs it.
/// </summary>
public static class GoodsTiedCoupons
{
    /// <summary>
    /// True when issuing grant <paramref name="grantId"/> of a coupon tied to <paramref name="skus"/> must first find one of
    /// them in stock near the member: the list is not empty and the grant's coupon is not held already (a retried grant
    /// answers the coupon it issued, whatever the stock is now; a spent and forgotten one is still its grant's).
    /// </summary>
    public static bool NeedsStock(MemberState state, IReadOnlyList<string> skus, string grantId, OffersOptions offers)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(skus);
        ArgumentNullException.ThrowIfNull(offers);
        if (skus.Count == 0 || !offers.CanIssue)
        {
            return false;
        }

        var code = offers.Codes().CodeFor(state.MemberId, grantId);
        var book = MemberCoupons.Book(state);
        return book.Find(code) is null && !book.ForgottenCodes.Contains(code, StringComparer.Ordinal);
    }

    /// <summary>
    /// The grant id of a win-back L1 gift or birthday coupon (<see cref="OfferFulfilment.ForTouch"/>) that is held back
    /// because its template is tied to skus none of which is in stock near the member (<paramref name="outOfStock"/>, the
    /// caller's look-up for that template): the touch still goes, as an announcement without a coupon (as with no
    /// template), and nothing is recorded as issued. Null when the touch's coupon, if any, may be issued.
    /// </summary>
    public static string? HeldBackGrant(MemberState state, TouchRequest request, OffersOptions offers, ProgramOptions options, Func<CouponTemplate, bool> outOfStock)
    {
        ArgumentNullException.ThrowIfNull(outOfStock);
        var (template, grantId) = OfferFulfilment.TouchGrant(request, offers, options);
        return template is not null && NeedsStock(state, template.Scope.Skus, grantId, offers) && outOfStock(template) ? grantId : null;
    }

    /// <summary>
    /// Where stock was looked for, for a refusal's detail or a log line: <c>home store S1, region east</c>, with
    /// <c>no home store known</c> or <c>no region known</c> in place of what the member has not told.
    /// </summary>
    public static string NearMember(MemberState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var store = MemberCoupons.HomeStore(state, now) is { } home ? "home store " + home : "no home store known";
        return store + (state.RegionId is { Length: > 0 } region ? ", region " + region : ", no region known");
    }
}
