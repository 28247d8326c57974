using Engagement.Domain.Members;

namespace Engagement.Domain.Offers;

/// <summary>
/// The stock rule of coupons tied to goods (CONTRACT.md §2.1; docs/offers.md "Store inventory"): a coupon whose scope
/// names skus is issued only where the member's home store (<see cref="MemberCoupons.HomeStore"/>) or another store of the
/// member's region has one of them in stock, on a campaign arm and the admin issue (not yet the win-back L1 gift or the
/// birthday coupon, issued on the tick without a look-up: docs/offers.md "Store inventory"). Whether the goods are in stock is the caller's look-up (store inventory
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
