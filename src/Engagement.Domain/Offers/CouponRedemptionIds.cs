using System.Globalization;

namespace Engagement.Domain.Offers;

/// <summary>
/// A POS redemptionId names one coupon redemption of one member (CONTRACT.md §4: the redeem call is idempotent by
/// <c>redemptionId</c>; that the id is the member's, not the coupon's, is documented behaviour (docs/http-api.md, "A coupon's life", step 3) where the contract
/// is silent). The same id on another coupon is a client bug, never a new redemption: it is refused
/// <see cref="CouponRefusals.RedemptionIdReused"/> with <see cref="CouponRefusal.Field"/> <c>redemptionId</c>, naming what
/// the id redeemed (the other coupon by the last 4 characters of its code, its store, when, UTC, the order amount in CNY).
/// Remembered as long as the coupon it redeemed is kept in the book (<see cref="Coupon.MaxRedemptions"/> per coupon; a spent
/// coupon is forgotten <see cref="OffersOptions.SpentCouponsKeptDays"/> after it was spent, or first to make room for a
/// new one): no other row is stored. Part of <see cref="CouponBook.Redeem"/>.
/// </summary>
public static class CouponRedemptionIds
{
    /// <summary>The value of <see cref="CouponRefusal.Field"/> when the id itself is what was reused (another coupon).</summary>
    public const string Field = "redemptionId";

    /// <summary>
    /// The refusal of <paramref name="redemptionId"/> on <paramref name="coupon"/> when another coupon of
    /// <paramref name="book"/> keeps a redemption under that id (or, redeemed before redemptions were kept, is redeemed by
    /// it); null when none does. Ids compare ordinally, as sent.
    /// </summary>
    public static CouponRefusal? UsedElsewhere(CouponBook book, Coupon coupon, string redemptionId)
    {
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(coupon);
        foreach (var other in book.Coupons)
        {
            if (other.Code == coupon.Code)
            {
                continue;
            }

            if (other.RedemptionOf(redemptionId) is { } earlier)
            {
                return Refusal(other, earlier.StoreId, earlier.At, earlier.OrderAmount, redemptionId);
            }

            if (other.Status == CouponStatuses.Redeemed && string.Equals(other.RedemptionId, redemptionId, StringComparison.Ordinal))
            {
                return Refusal(other, other.StoreId, other.StatusAt, null, redemptionId);
            }
        }

        return null;
    }

    /// <summary>
    /// The sentence a refusal note of this kind (<see cref="CouponRefusalNote.Field"/> <c>redemptionId</c>) reads as when
    /// support reads the coupon's history: the other coupon is not stored with the note.
    /// </summary>
    public static string DescribeNote(CouponRefusalNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        return string.Create(CultureInfo.InvariantCulture,
            $"redemptionId {note.RedemptionId} had already redeemed another of the member's coupons; this order of {note.Amount:0.00} CNY takes a new redemptionId");
    }

    private static CouponRefusal Refusal(Coupon other, string? storeId, DateTimeOffset at, decimal? orderAmount, string redemptionId) =>
        new(CouponRefusals.RedemptionIdReused, string.Create(CultureInfo.InvariantCulture,
            $"redemptionId: {redemptionId} was already used to redeem coupon {CouponCodes.Tail(other.Code)} at store {storeId ?? "(not known)"} at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}")
            + (orderAmount is { } amount ? string.Create(CultureInfo.InvariantCulture, $", order of {amount:0.00} CNY") : "")
            + "; a retry sends the same request for the same coupon, another redemption takes another redemptionId")
        {
            Field = Field,
        };
}
