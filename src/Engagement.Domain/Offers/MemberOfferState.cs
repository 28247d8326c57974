using System.Text.Json.Serialization;
using Engagement.Domain.Members.Effects;

namespace Engagement.Domain.Offers;

/// <summary>
/// What the member keeps about offers (CONTRACT.md §2.1), inside <see cref="Members.MemberState.Offers"/>: its coupon
/// book, the usage of its non-monetary benefits and the stores of its recent purchases (for the home store). Every list
/// is bounded: spent coupons are forgotten after <see cref="OffersOptions.SpentCouponsKeptDays"/> (and first when the book is
/// full), at most <see cref="MaxBenefitUses"/> usage records and <see cref="MaxStorePurchases"/> store visits.
/// </summary>
public sealed class MemberOfferState
{
    /// <summary>Benefit usage records kept (oldest forgotten first).</summary>
    public const int MaxBenefitUses = 50;

    /// <summary>Advisor assignment keys kept (oldest forgotten first).</summary>
    public const int MaxAdvisorKeys = 20;

    /// <summary>Recent purchases' stores kept (oldest forgotten first).</summary>
    public const int MaxStorePurchases = 50;

    /// <summary>Fingerprints of forgotten refusal notes kept (<see cref="ForgottenRefusals"/>, oldest forgotten first): 256 × 4 bytes.</summary>
    public const int MaxForgottenRefusals = 256;

    /// <summary>The member's coupons (immutable: a decision builds a new book).</summary>
    public CouponBook Coupons { get; set; } = CouponBook.Empty;

    /// <summary>Non-monetary benefit grants and their uses (priority booking slots, advisor assignments), oldest first.</summary>
    public List<BenefitUse> BenefitUses { get; set; } = [];

    /// <summary>
    /// Keys of the advisor assignments made (<see cref="BenefitUses.AssignAdvisorsDue"/>: <c>tier:{grantedAt}</c>,
    /// <c>winback:{requestedAt}</c>), newest last, at most <see cref="MaxAdvisorKeys"/> (the oldest trimmed first, never the
    /// held dedicated advisor's): each is assigned once.
    /// </summary>
    public List<string> AdvisorKeys { get; set; } = [];

    /// <summary>The home store the profile names (<c>profile_update</c> property <c>homeStore</c>); null: the most frequent store.</summary>
    public string? HomeStore { get; set; }

    /// <summary>Store and instant of recent purchases, oldest first: the home store is the most frequent in 90 days.</summary>
    public List<StorePurchase> StorePurchases { get; set; } = [];

    /// <summary>
    /// 32-bit fingerprints (FNV-1a of <c>{code}\u001F{redemptionId}</c>, 4 bytes each, little-endian, oldest first) of the refusal notes
    /// pushed out of the newest <see cref="Coupon.MaxRefusals"/> per coupon or <see cref="Coupon.MaxRefusalsPerMember"/> per
    /// member, the newest <see cref="MaxForgottenRefusals"/>: a till's replay of one stores no note again. Base64 in the
    /// stored state, at most about 1.4 KB; empty (absent in state stored before it existed) until a note is pushed out.
    /// </summary>
    public byte[] ForgottenRefusals { get; set; } = [];
}

/// <summary>One grant or use of a non-monetary benefit (priority booking, dedicated advisor, birthday class), with why.</summary>
/// <param name="UseId">Idempotency key (e.g. <c>campaign:C1</c>, a booking id).</param>
/// <param name="Code">The benefit's code (e.g. <c>priority-booking</c>).</param>
/// <param name="Kind"><c>granted</c> or <c>used</c>.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Detail">What, in words (the slot, the advisor, the campaign).</param>
public sealed record BenefitUse(string UseId, string Code, string Kind, DateTimeOffset At, string Detail)
{
    /// <summary>The store of a priority-booking slot; null for other uses.</summary>
    public string? StoreId { get; init; }

    /// <summary>When a booked slot starts (UTC); null for other uses.</summary>
    public DateTimeOffset? SlotStart { get; init; }
}

/// <summary>A purchase's store and instant (occurredAt).</summary>
public sealed record StorePurchase(string StoreId, DateTimeOffset At);

/// <summary>Registers a newly issued coupon's code in the programme-wide directory (code → member) after the state write.</summary>
/// <param name="Code">The normalised code.</param>
public sealed record RegisterCouponCode(string Code) : MemberEffect
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override string Id => IdOf(Code);

    /// <summary>The id of the registration of <paramref name="code"/>: <c>coupon-code:{code}</c>.</summary>
    internal static string IdOf(string code) => "coupon-code:" + code;
}
