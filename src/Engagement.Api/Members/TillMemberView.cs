using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;

namespace Engagement.Api.Members;

/// <summary>
/// What a store key (a POS till) reads at <c>GET /api/v1/members/{memberId}</c>: the member's tier, points balance,
/// coupons, each code shown as <c>…</c> and its last 4 characters, and benefits held (docs/http-api.md, store role; a
/// narrowing of CONTRACT.md §4's live view for that role). Growth, RFM, tags, consent, lifecycle, benefit grants and uses,
/// caps, lots, time zone and region are left out: a till prices a sale, redeems points, checks a presented code and books
/// a benefit the member holds (priority booking, docs/offers.md), and needs none of them.
/// </summary>
public sealed record TillMemberView
{
    /// <summary>The member's id as asked.</summary>
    public required string MemberId { get; init; }

    /// <summary>The tier held now (<c>V1</c>…<c>V4</c>), which sets the points multiplier of a purchase.</summary>
    public required string Tier { get; init; }

    /// <summary>Points (integer) the member may spend now; negative after a refund of points already spent.</summary>
    public long PointsBalance { get; init; }

    /// <summary>
    /// The member's coupons as of now, newest first (CONTRACT.md §2.1), with every code in them (code, status reason,
    /// history reasons) masked to <c>…</c> and its last 4 characters.
    /// </summary>
    public IReadOnlyList<CouponView> Coupons { get; init; } = [];

    /// <summary>
    /// The benefits the member holds now (CONTRACT.md §2: by tier or grant, e.g. <c>priority-booking</c>), so a till can
    /// tell whether to offer a priority booking; a benefit's code names the benefit, it is no coupon code.
    /// </summary>
    public IReadOnlyList<BenefitView> Benefits { get; init; } = [];

    /// <summary>The till's view of <paramref name="view"/>.</summary>
    public static TillMemberView Of(MemberView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new()
        {
            MemberId = view.MemberId,
            Tier = view.Tier,
            PointsBalance = view.PointsBalance,
            Coupons = [.. view.Coupons.Select(c => c with
            {
                Code = CouponCodes.Mask(c.Code),
                StatusReason = CouponCodes.Mask(c.StatusReason),
                History = [.. c.History.Select(h => h with { Reason = CouponCodes.Mask(h.Reason) })],
            })],
            Benefits = view.Benefits,
        };
    }
}
