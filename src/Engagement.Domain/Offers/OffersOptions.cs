namespace Engagement.Domain.Offers;

/// <summary>Coupon settings, bound from <c>Engagement:Offers</c>.</summary>
public sealed class OffersOptions
{
    public const string SectionName = "Engagement:Offers";

    /// <summary>
    /// The programme secret coupon codes are derived from (<see cref="CouponCodes"/>), at least 32 characters. No
    /// default: a deployment sets it (e.g. <c>Engagement__Offers__CouponSecret</c>) and keeps it; changing it changes
    /// the code a retried grant would issue. Without it the engine runs, but issuing a coupon fails naming this setting.
    /// </summary>
    public string? CouponSecret { get; set; }

    /// <summary>Coupons a member holds at most (1–1,000); spent ones are forgotten first. Default 50.</summary>
    public int MaxCouponsPerMember { get; set; } = 50;

    /// <summary>Whether a full refund of an order issues its coupons again while they are still valid. Default true.</summary>
    public bool RestoreCouponsOnFullRefund { get; set; } = true;

    /// <summary>Days before a coupon expires that the expiry reminder goes out (0 = none). Default 3.</summary>
    public int ExpiryReminderDays { get; set; } = 3;

    /// <summary>Days a spent (redeemed, expired, voided) coupon stays in the member's book before it is forgotten (1–400). Default 90.</summary>
    public int SpentCouponsKeptDays { get; set; } = 90;

    /// <summary>
    /// Settled redemptions a stock counter remembers by id (per reward × store) for idempotency; 100–1,000,000 is accepted
    /// (the bound earlier versions validated, so their configuration still starts), and more than
    /// <see cref="MaxStockRedemptionsKeptInEffect"/> (2,000) is used as 2,000. Default 500.
    /// Their JSON is bounded too (<see cref="RewardStock.MaxSettledBytes"/>), so a counter's state stays far below the
    /// grain state bound (480 KiB) however long its ids; older ids keep only a 4-byte fingerprint
    /// (<see cref="RewardStock.Forgotten"/>), whose retry is refused rather than given a second unit.
    /// </summary>
    public int MaxStockRedemptionsKept { get; set; } = 500;

    /// <summary>The most settled redemption ids a stock counter keeps whatever is configured: its state must fit the grain state bound.</summary>
    public const int MaxStockRedemptionsKeptInEffect = 2_000;

    /// <summary><see cref="MaxStockRedemptionsKept"/> as used: at most <see cref="MaxStockRedemptionsKeptInEffect"/>.</summary>
    public int StockRedemptionsKept => Math.Min(MaxStockRedemptionsKept, MaxStockRedemptionsKeptInEffect);

    /// <summary>
    /// How long a stock counter's unit may stay held by a redemption that neither confirmed nor released it before the
    /// counter settles it by asking the member side (<c>RewardStock.StaleHolds</c>), 2–1,440 minutes. Far longer than
    /// any request (30 s), so a redemption still on its way is never settled under it. Default 10 minutes.
    /// </summary>
    public int StockHoldMinutes { get; set; } = 10;

    /// <summary>
    /// The win-back L1 wake-up gift (CONTRACT.md §2): by default a no-threshold 20 CNY coupon plus a trial pack, valid 14
    /// days after the day of issue in the member's time zone. Null: L1 only announces its offer.
    /// </summary>
    public CouponTemplate? WinBackGift { get; set; } = new()
    {
        OfferId = "winback-l1",
        Kind = CouponKinds.NoThreshold,
        Value = 20m,
        Gift = "trial pack",
        ValidDays = 14,
    };

    /// <summary>
    /// The birthday coupon the birthday benefit touch hands over (CONTRACT.md §2, tier benefits): by default a no-threshold
    /// 30 CNY coupon valid 30 days. Null: the birthday touch only announces the benefit.
    /// </summary>
    public CouponTemplate? BirthdayCoupon { get; set; } = new()
    {
        OfferId = "birthday-coupon",
        Kind = CouponKinds.NoThreshold,
        Value = 30m,
        ValidDays = 30,
    };

    /// <summary>How far ahead a priority-booking slot may start (1–365 days, <see cref="BenefitUses"/>). Default 60.</summary>
    public int PriorityBookingMaxDaysAhead { get; set; } = 60;

    /// <summary>
    /// The channel of the <c>advisor.assignment</c> service touch a CRM connector receives when a member gets an
    /// advisor (<see cref="BenefitUses.AssignAdvisorsDue"/>). Default <c>call</c>.
    /// </summary>
    public string AdvisorChannel { get; set; } = "call";

    /// <summary>True when a coupon secret is configured, so coupons can be issued.</summary>
    public bool CanIssue => CouponSecret is { Length: >= CouponCodes.MinSecretLength };

    /// <summary>The code maker, or an exception naming the missing setting.</summary>
    /// <exception cref="InvalidOperationException"><see cref="CouponSecret"/> is not set.</exception>
    public CouponCodes Codes() =>
        CouponSecret is { Length: >= CouponCodes.MinSecretLength } secret
            ? new CouponCodes(secret)
            : throw new InvalidOperationException($"{SectionName}:CouponSecret is not set (at least {CouponCodes.MinSecretLength} characters): coupons cannot be issued");

    /// <summary>
    /// Hours a win-back L1 gift or birthday coupon touch tied to skus (<c>Scope:Skus</c>) waits in its window, held
    /// because no store near the member had the goods or the stock look-up did not answer, before its tick looks again
    /// (<see cref="GoodsTiedCoupons.HoldFor"/>; docs/offers.md "Store inventory"), 1–48. Default 6.
    /// </summary>
    public int StockRetryHours { get; set; } = 6;

    /// <summary>What is wrong with these settings; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (CouponSecret is not null && CouponSecret.Length < CouponCodes.MinSecretLength)
        {
            errors.Add($"CouponSecret must be at least {CouponCodes.MinSecretLength} characters.");
        }

        if (MaxCouponsPerMember is < 1 or > 1000)
        {
            errors.Add("MaxCouponsPerMember must be 1–1000.");
        }

        if (ExpiryReminderDays is < 0 or > 60)
        {
            errors.Add("ExpiryReminderDays must be 0–60.");
        }

        if (WinBackGift is { } gift && gift.Validate() is { Count: > 0 } giftErrors)
        {
            errors.AddRange(giftErrors.Select(e => $"WinBackGift:{e.Field} {e.Message}."));
        }

        if (BirthdayCoupon is { } birthday && birthday.Validate() is { Count: > 0 } birthdayErrors)
        {
            errors.AddRange(birthdayErrors.Select(e => $"BirthdayCoupon:{e.Field} {e.Message}."));
        }

        if (SpentCouponsKeptDays is < 1 or > 400)
        {
            errors.Add("SpentCouponsKeptDays must be 1–400.");
        }

        if (MaxStockRedemptionsKept is < 100 or > 1_000_000)
        {
            errors.Add("MaxStockRedemptionsKept must be 100–1000000 (more than 2000 is used as 2000).");
        }

        if (StockHoldMinutes is < 2 or > 1_440)
        {
            errors.Add("StockHoldMinutes must be 2–1440.");
        }

        if (StockRetryHours is < 1 or > 48)
        {
            errors.Add("StockRetryHours must be 1–48.");
        }

        if (PriorityBookingMaxDaysAhead is < 1 or > 365)
        {
            errors.Add("PriorityBookingMaxDaysAhead must be 1–365.");
        }

        if (string.IsNullOrWhiteSpace(AdvisorChannel) || AdvisorChannel.Length > 32)
        {
            errors.Add("AdvisorChannel must be 1–32 characters.");
        }

        return errors;
    }
}
