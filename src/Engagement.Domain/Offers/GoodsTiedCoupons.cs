using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Offers;

/// <summary>
/// The stock rule of coupons tied to goods (CONTRACT.md §2.1; docs/offers.md "Store inventory"): a coupon whose scope
/// names skus is issued only where the member's home store (<see cref="MemberCoupons.HomeStore"/>) or another store of the
/// member's region has one of them in stock, on a campaign arm, the admin issue, and the touches of the win-back L1 gift
/// and the birthday coupon (<see cref="StockWanted"/>, <see cref="HoldFor"/>). Whether the goods are in stock is the
/// caller's look-up (store inventory grains); this holds when that look-up is needed and what is done without stock. A
/// coupon without skus never needs it.
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

    /// <summary>The start of the reason of a touch held for stock (<see cref="HoldFor"/>), as the touch history shows it.</summary>
    public const string HeldForStock = "held for stock";

    /// <summary>
    /// The grants whose stock the tick must look up before its change: of the offer touches going out this tick
    /// (<c>Lifecycle.MemberTick.OfferTouchesGoingOut</c>), those whose coupon (the win-back L1 gift, <c>winback:L1:{episode}</c>;
    /// the birthday coupon, <c>birthday:{year}</c>) is tied to skus and not held already (<see cref="NeedsStock"/>), each
    /// once, with its skus. Empty for templates without skus: nothing is looked up.
    /// </summary>
    public static IReadOnlyList<(string GrantId, IReadOnlyList<string> Skus)> StockWanted(
        MemberState state, IEnumerable<TouchRequest> going, OffersOptions offers, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(going);
        var wanted = new List<(string GrantId, IReadOnlyList<string> Skus)>();
        foreach (var request in going)
        {
            var (template, grantId) = OfferFulfilment.TouchGrant(request, offers, options);
            if (template is { Scope.Skus: { Count: > 0 } skus } && NeedsStock(state, skus, grantId, offers) && !wanted.Exists(w => w.GrantId == grantId))
            {
                wanted.Add((grantId, skus));
            }
        }

        return wanted;
    }

    /// <summary>
    /// Whether the tick holds an offer touch that would go out now (CONTRACT.md §2.1: an offer is fulfilled, not only
    /// announced): its coupon is tied to skus, not held already, and <paramref name="inStock"/> (the tick's look-up, by
    /// grant id: true in stock near the member, false none, null no answer as the look-up failed or timed out) did not
    /// find one. A grant <paramref name="inStock"/> does not name at all was not looked up (the look-ahead did not name
    /// it): held too, with its own reason (<see cref="HoldCause"/> <c>not_looked_up</c>), never sent unchecked. The touch
    /// then waits in its window, unsent and taking no cap, and is decided again <see cref="OffersOptions.StockRetryHours"/>
    /// later (UTC; at its window's end at the latest, where it is suppressed as an expired offer). Null: it goes out as
    /// before, its coupon issued (<see cref="OfferFulfilment.ForTouch"/>).
    /// </summary>
    public static TouchHold? HoldFor(
        MemberState state, TouchRequest request, OffersOptions offers, ProgramOptions options, DateTimeOffset now, IReadOnlyDictionary<string, bool?> inStock)
    {
        ArgumentNullException.ThrowIfNull(inStock);
        var (template, grantId) = OfferFulfilment.TouchGrant(request, offers, options);
        if (template is not { Scope.Skus: { Count: > 0 } skus } || !NeedsStock(state, skus, grantId, offers)
            || (inStock.TryGetValue(grantId, out var found) && found == true))
        {
            return null;
        }

        var why = !inStock.ContainsKey(grantId) ? NotLookedUp
            : found is null ? NoAnswer
            : string.Create(CultureInfo.InvariantCulture, $"none of the coupon's {skus.Count} sku(s) is in stock near the member ({NearMember(state, now)})");
        return new TouchHold($"{HeldForStock}: {why}; grant {grantId} not issued yet", now + TimeSpan.FromHours(offers.StockRetryHours));
    }

    /// <summary>
    /// Why a touch was held for stock, from its reason (<see cref="HoldFor"/>), as a metric tag: <c>out_of_stock</c>,
    /// <c>no_answer</c> (the look-up failed or timed out), <c>not_looked_up</c> (the tick's look-ahead did not name it: a
    /// defect to report); null when the reason is not a hold for stock.
    /// </summary>
    public static string? HoldCause(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return !reason.StartsWith(HeldForStock + ": ", StringComparison.Ordinal) ? null
            : reason.StartsWith($"{HeldForStock}: {NotLookedUp}", StringComparison.Ordinal) ? "not_looked_up"
            : reason.StartsWith($"{HeldForStock}: {NoAnswer}", StringComparison.Ordinal) ? "no_answer"
            : "out_of_stock";
    }

    private const string NoAnswer = "the stock look-up did not answer";

    private const string NotLookedUp = "the stock was not looked up this tick";

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
