namespace Engagement.Domain.Touches;

/// <summary>
/// Why a touch that would go out now waits instead, and when it is decided again (UTC): e.g. a win-back L1 gift or
/// birthday coupon tied to skus none of which is in stock near the member (<c>Offers.GoodsTiedCoupons.HoldFor</c>). A
/// held touch is recorded deferred, so it counts on no cap; past its window it is suppressed as any expired offer.
/// </summary>
/// <param name="Reason">Shown in the touch history (<c>GET /members/{id}/touches</c>).</param>
/// <param name="RetryAt">When the touch is decided again (UTC); the touch's <c>ValidUntil</c> if that comes first.</param>
public sealed record TouchHold(string Reason, DateTimeOffset RetryAt);
