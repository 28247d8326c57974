using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Touches;
using GrainMetrics = Engagement.Grains.Diagnostics.MemberMetrics;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// The stock gate of a tick's goods-tied offer touches (the win-back L1 gift, the birthday coupon; docs/offers.md "Store
/// inventory"): the look-up before the tick's change, the tick's hold, and the count of what it held. The rules are the
/// domain's (<see cref="GoodsTiedCoupons"/>, <see cref="MemberTick.OfferTouchesGoingOut"/>). One per activation.
/// </summary>
/// <param name="member">The activation.</param>
/// <param name="grains">Where the stock is looked up (<see cref="CouponStock"/>).</param>
internal sealed class MemberTouchStock(MemberActivation member, IGrainFactory grains)
{
    private ILogger Logger => member.Logger;

    private MemberState Member => member.Member;

    private string MemberId => member.MemberId;

    private OffersOptions Offers => member.Offers;

    /// <summary>
    /// The stock answers a tick needs, looked up before its change (docs/offers.md "Store inventory"): none, and no grain
    /// called, unless the win-back L1 gift or the birthday coupon is tied to skus and its touch goes out this tick
    /// (<see cref="MemberTick.OfferTouchesGoingOut"/>, <see cref="GoodsTiedCoupons.StockWanted"/>); then one
    /// <see cref="CouponStock"/> look-up per grant: true, in stock near the member; false, none. A look-up that fails or
    /// takes over <see cref="StockLookUpTimeout"/> gives no answer (a Warning; that touch is held, the tick goes on).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, bool?>> TouchStockAsync(DateTimeOffset now)
    {
        var answers = new Dictionary<string, bool?>(StringComparer.Ordinal);
        if (!TouchCouponsTiedToGoods)
        {
            return answers;
        }

        var going = MemberTick.OfferTouchesGoingOut(Member, member.Options, now);
        foreach (var (grantId, skus) in GoodsTiedCoupons.StockWanted(Member, going, Offers, member.Options))
        {
            try
            {
                var found = await CouponStock.InStockNearAsync(grains, Member, now, skus).WaitAsync(StockLookUpTimeout, member.Services.Time);
                answers[grantId] = found;
                GrainMetrics.TouchStockLookedUp(found ? "in_stock" : "out_of_stock");
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
            {
                // No token of ours is involved: a cancellation here (an activation cancelled, a storage timeout's
                // TaskCanceledException) is the stock grain failing, and holds only this touch, never the tick.
                answers[grantId] = null;
                GrainMetrics.TouchStockLookedUp("failed");
                Logger.LogTouchStockLookUpFailed(ex, MemberId, grantId);
            }
        }

        return answers;
    }

    /// <summary>
    /// The tick's hold of a goods-tied offer touch with no stock found (<see cref="GoodsTiedCoupons.HoldFor"/>, given
    /// <paramref name="inStock"/> from <see cref="TouchStockAsync"/>); null when neither template is tied to skus, so those
    /// ticks run exactly as before.
    /// </summary>
    public Func<TouchRequest, TouchHold?>? HoldForStock(IReadOnlyDictionary<string, bool?> inStock, DateTimeOffset now) =>
        TouchCouponsTiedToGoods ? request => GoodsTiedCoupons.HoldFor(Member, request, Offers, member.Options, now, inStock) : null;

    /// <summary>
    /// Counts and logs each touch of a stored tick held for stock (<c>engagement.offers.touches_held_for_stock</c>, tags
    /// kind and cause): Information, or a Warning for one held as not looked up (the look-ahead missed it: a defect).
    /// </summary>
    public void CountHolds(IReadOnlyList<TouchDecision> touches)
    {
        foreach (var held in touches)
        {
            if (held.Decision == TouchDecisions.Deferred && GoodsTiedCoupons.HoldCause(held.Reason) is { } cause)
            {
                GrainMetrics.TouchHeldForStock(held.Kind, cause);
                if (cause == "not_looked_up")
                {
                    Logger.LogTouchHeldNotLookedUp(MemberId, held.Kind, held.TouchId, held.NotBefore);
                }
                else
                {
                    Logger.LogTouchHeldForStock(MemberId, held.Kind, held.TouchId, held.NotBefore, held.Reason);
                }
            }
        }
    }

    /// <summary>
    /// How long the tick waits for one stock look-up before holding that touch without an answer, on the engine's clock
    /// (<see cref="MemberGrainServices.Time"/>).
    /// </summary>
    public static readonly TimeSpan StockLookUpTimeout = TimeSpan.FromSeconds(5);

    private bool TouchCouponsTiedToGoods =>
        Offers.CanIssue && (Offers.WinBackGift is { Scope.Skus.Count: > 0 } || Offers.BirthdayCoupon is { Scope.Skus.Count: > 0 });
}
