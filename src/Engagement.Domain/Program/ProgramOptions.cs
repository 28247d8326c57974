using System.Globalization;
using Engagement.Domain.Benefits;
using Engagement.Domain.Growth;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Rfm;
using Engagement.Domain.Tiers;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Program;

/// <summary>
/// The loyalty programme's rules, bound from <c>Engagement:Program</c>. Defaults are CONTRACT.md §2.
/// </summary>
/// <remarks>
/// Tiers, benefits and behaviour growth are dictionaries keyed by name, not lists: the configuration
/// binder appends list items to the defaults instead of replacing them, whereas keyed entries let a
/// deployment override one tier (<c>Engagement:Program:Tiers:V2:Threshold=800</c>) and keep the rest.
/// </remarks>
public sealed class ProgramOptions
{
    public const string SectionName = "Engagement:Program";

    /// <summary>The anchor the point value may move around: 1 point = 0.01 CNY.</summary>
    public const decimal PointValueAnchor = 0.01m;

    /// <summary>How far (as a fraction) <see cref="PointValue"/> may move from <see cref="PointValueAnchor"/>.</summary>
    public const decimal PointValueTolerance = 0.20m;

    /// <summary>The programme currency (ISO 4217); amounts, points and growth are counted in it. Default <c>CNY</c>.</summary>
    public string Currency { get; set; } = "CNY";

    /// <summary>Minor unit of <see cref="Currency"/> in decimals (2 for CNY: fen); amounts with more are refused. Default 2.</summary>
    public int CurrencyDecimals { get; set; } = 2;

    /// <summary>
    /// Other currencies events may carry, by ISO code, with their rate to <see cref="Currency"/>; empty by default, so
    /// any other currency is refused naming <c>currency</c> (CONTRACT.md §1).
    /// </summary>
    public Dictionary<string, CurrencyRule> Currencies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Win-back, stages, reminder cadence.</summary>
    public LifecycleOptions Lifecycle { get; set; } = new();

    /// <summary>Frequency caps, quiet hours, channels.</summary>
    public TouchOptions Touches { get; set; } = new();

    /// <summary>Cash value of one point in CNY. Default 0.01; must stay within ±20% of it.</summary>
    public decimal PointValue { get; set; } = PointValueAnchor;

    /// <summary>Points earned on the member's first purchase are multiplied by this. Default 2.</summary>
    public decimal FirstPurchaseMultiplier { get; set; } = 2m;

    /// <summary>A purchase's points lot expires this many calendar months after the purchase. Default 12.</summary>
    public int PointsLifetimeMonths { get; set; } = 12;

    /// <summary>
    /// Days a grace lot lives: when the engine undoes a catalogue redemption (its reward unit lost after the points were
    /// taken, docs/offers.md) each point goes back to the lot it was taken from, with that lot's expiry; the points of a
    /// lot that has expired by the undo's instant would have expired had the redemption never happened, so they are neither
    /// resurrected for a full lifetime nor lost: they come back as one lot expiring this many days after the undo, on the
    /// member's local calendar at the same local time (<see cref="Points.RedemptionUndo"/>). Default 30, 1–365.
    /// </summary>
    public int RedemptionUndoGraceDays { get; set; } = 30;

    /// <summary>Days before expiry that the expiry notice goes out (read by the touch side). Default 30.</summary>
    public int PointsExpiryNoticeDays { get; set; } = 30;

    /// <summary>Tiers by name. Order is by threshold; the lowest must start at 0.</summary>
    public Dictionary<string, TierRule> Tiers { get; set; } = new(StringComparer.Ordinal)
    {
        ["V1"] = new() { Threshold = 0, PointsMultiplier = 1.0m },
        ["V2"] = new() { Threshold = 1_000, PointsMultiplier = 1.2m },
        ["V3"] = new() { Threshold = 5_000, PointsMultiplier = 1.5m },
        ["V4"] = new() { Threshold = 20_000, PointsMultiplier = 2.0m },
    };

    /// <summary>Growth value counts over this many trailing local days. Default 365.</summary>
    public int GrowthWindowDays { get; set; } = 365;

    /// <summary>Days a member keeps a tier after ageing growth falls below it, per level. Default 30.</summary>
    public int TierGraceDays { get; set; } = 30;

    /// <summary>Growth earned by non-purchase behaviour (event type → points and daily cap).</summary>
    public Dictionary<string, GrowthActionRule> BehaviourGrowth { get; set; } = new(StringComparer.Ordinal)
    {
        ["share"] = new() { Growth = 5, DailyCap = 5 },
        ["review"] = new() { Growth = 10, DailyCap = 3 },
        ["login"] = new() { Growth = 1, DailyCap = 1 },
    };

    /// <summary>Benefits by code; each is held from its tier upward.</summary>
    public Dictionary<string, BenefitDefinition> Benefits { get; set; } = new(StringComparer.Ordinal)
    {
        ["birthday-coupon"] = new() { Name = "Birthday coupon", Kind = BenefitKinds.Coupon, Tier = "V2" },
        ["priority-booking"] = new() { Name = "Priority booking", Kind = BenefitKinds.Service, Tier = "V3" },
        ["dedicated-advisor"] = new() { Name = "Dedicated advisor", Kind = BenefitKinds.Privilege, Tier = "V4" },
    };

    /// <summary>RFM cut-offs and value classes.</summary>
    public RfmOptions Rfm { get; set; } = new();

    /// <summary>IANA time zone of members who have not set one; "day" in daily caps means a day here.</summary>
    public string DefaultTimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Ledger entries kept in the member state; older ones live only in the archive. Default 50.</summary>
    public int LedgerEntriesKept { get; set; } = 50;

    /// <summary>Newest non-order event ids kept as readable text (de-duplication itself uses <see cref="MaxRememberedEventIds"/> over 30 days). Default 64.</summary>
    public int RecentEventIdsKept { get; set; } = 64;

    /// <summary>
    /// Hard cap on the event ids remembered for the 30-day de-duplication window (every applied event's, purchases' and
    /// refunds' too; 10 bytes each with its fingerprint, about 13.4 in the stored JSON: about 27 KB at the default, see
    /// <see cref="EventIdWindow"/>); beyond it the oldest are forgotten first. Default 2,048 (68 events a day for 30 days).
    /// </summary>
    public int MaxRememberedEventIds { get; set; } = 2_048;

    /// <summary>Recent accepted redemptions remembered with their outcome (refusals are not remembered). Default 100.</summary>
    public int RecentRedemptionsKept { get; set; } = 100;

    /// <summary>Refunds waiting for their purchase, at most. Default 20.</summary>
    public int MaxHeldRefunds { get; set; } = 20;

    /// <summary>
    /// Refunds one order takes, at most (each is remembered on the order, for as long as the order is kept): a refund
    /// past it is refused naming the order, for a person to settle. Default 100, at least 1, at most 1,000.
    /// </summary>
    public int MaxRefundsPerOrder { get; set; } = 100;

    /// <summary>How long a refund waits for its purchase before it goes to the poison queue. Default 24 h.</summary>
    public TimeSpan HeldRefundTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Orders older than this are forgotten (a later refund of one is held, then dead-lettered); while kept, an order
    /// de-duplicates its purchase and refunds (CONTRACT.md §1: at least 400 days). Default 400.
    /// </summary>
    public int OrderRetentionDays { get; set; } = 400;

    /// <summary>
    /// Orders kept in full at most; beyond it the oldest whose points lot is spent leave the full list (never while their lot
    /// holds points) and are kept as summaries (<see cref="MaxOrderSummaries"/>) until <see cref="OrderRetentionDays"/>. Default 250
    /// (about 207 to 232 bytes each with a 36-character orderId and one refund, by how precise its instants are; see <see cref="MaxOrderSummaries"/> for the state size).
    /// </summary>
    public int MaxOrders { get; set; } = 250;

    /// <summary>
    /// Compact summaries kept, at most, of orders <see cref="MaxOrders"/> took out before the end of their retention
    /// (<see cref="Members.MemberState.OrderSummaries"/>, about 151 to 172 bytes each with a 36-character orderId and one refund
    /// that occurred after the purchase, its id and instant kept: 151 for a refund an hour after a whole-second purchase, 172
    /// for one 300 days after with 7-digit fractions on both instants): while one is kept its purchase and refunds are still duplicates,
    /// a refund of it still applies, and its refunds count against the tier from when they occurred (CONTRACT.md §1, §1.1, §2).
    /// Past it the oldest summary is dropped and counted in <see cref="Members.MemberState.OrderSummariesDropped"/>. Default 300
    /// (with the 250 full orders, 550 orders in 400 days). Measured at both caps with such ids, every instant with a 7-digit
    /// fraction, a refund 300 days after every order, 100 remembered redemptions and the eventId window at its cap, the
    /// member state is about 183 KB (183,432 bytes), 37% of the 480 KiB grain-state bound (Engagement:Storage:MaxGrainStateBytes;
    /// this default was chosen under a bound of 256 KiB, when 350 summaries measured 62% of it, over the 60% aimed at),
    /// leaving the rest for touches, coupons and campaigns. When the 50 ledger entries kept are all spends naming four lots
    /// (docs/offers.md) it measures 198,598 bytes (40%) with GUID lot ids (MemberStateSerializationTests). Order ids
    /// and refund eventIds longer than a GUID in the stored JSON are kept as keys of at most 35 bytes
    /// (<see cref="Orders.OrderIds"/>): with 128-character Chinese ones a member at both caps measures 229,031 bytes (47%;
    /// 1,038,544, twice the bound, on 154b0a89). Raise either cap only with that bound in mind. At least 0.
    /// </summary>
    public int MaxOrderSummaries { get; set; } = 300;

    /// <summary>Tags kept on a member at most. Default 32; each tag at most <see cref="Members.ProfilePolicy.MaxTagLength"/> (64) code points.</summary>
    public int MaxTags { get; set; } = 32;

    /// <summary>Every rule the options break, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var low = PointValueAnchor * (1 - PointValueTolerance);
        var high = PointValueAnchor * (1 + PointValueTolerance);
        if (PointValue < low || PointValue > high)
        {
            errors.Add(Invariant($"PointValue {PointValue} must be within ±20% of {PointValueAnchor} ({low}–{high})."));
        }

        if (FirstPurchaseMultiplier < 1)
        {
            errors.Add("FirstPurchaseMultiplier must be at least 1.");
        }

        if (PointsLifetimeMonths < 1)
        {
            errors.Add("PointsLifetimeMonths must be at least 1.");
        }

        if (RedemptionUndoGraceDays is < 1 or > 365)
        {
            errors.Add("RedemptionUndoGraceDays must be 1–365.");
        }

        if (PointsExpiryNoticeDays < 0)
        {
            errors.Add("PointsExpiryNoticeDays must be ≥ 0.");
        }

        ValidateTiers(errors);
        ValidateCurrencies(errors);

        if (GrowthWindowDays < 1)
        {
            errors.Add("GrowthWindowDays must be at least 1.");
        }

        if (TierGraceDays < 0)
        {
            errors.Add("TierGraceDays must be ≥ 0.");
        }

        foreach (var (type, rule) in BehaviourGrowth)
        {
            if (rule is null || rule.Growth < 0 || rule.DailyCap < 0)
            {
                errors.Add($"BehaviourGrowth:{type} needs Growth ≥ 0 and DailyCap ≥ 0.");
            }
        }

        foreach (var (code, benefit) in Benefits)
        {
            if (benefit is null || string.IsNullOrWhiteSpace(benefit.Name) || string.IsNullOrWhiteSpace(benefit.Kind))
            {
                errors.Add($"Benefits:{code} needs a Name and a Kind.");
            }
            else if (!Tiers.ContainsKey(benefit.Tier))
            {
                errors.Add($"Benefits:{code} names tier '{benefit.Tier}', which is not one of Tiers.");
            }
        }

        errors.AddRange(Rfm.Validate());

        if (MemberTimeZones.TryFind(DefaultTimeZone) is null)
        {
            errors.Add($"DefaultTimeZone '{DefaultTimeZone}' is not a known IANA time zone.");
        }

        RequireAtLeast(errors, nameof(LedgerEntriesKept), LedgerEntriesKept, 0);
        RequireAtLeast(errors, nameof(RecentEventIdsKept), RecentEventIdsKept, 0);
        RequireAtLeast(errors, nameof(MaxRememberedEventIds), MaxRememberedEventIds, 0);
        if (MaxRememberedEventIds > 16_384)
        {
            errors.Add("MaxRememberedEventIds must be ≤ 16384 (member state stays within tens of KB).");
        }

        RequireAtLeast(errors, nameof(RecentRedemptionsKept), RecentRedemptionsKept, 0);
        RequireAtLeast(errors, nameof(MaxHeldRefunds), MaxHeldRefunds, 0);
        RequireAtLeast(errors, nameof(MaxRefundsPerOrder), MaxRefundsPerOrder, 1);
        if (MaxRefundsPerOrder > 1_000)
        {
            errors.Add("MaxRefundsPerOrder must be ≤ 1000 (member state stays within tens of KB).");
        }
        RequireAtLeast(errors, nameof(MaxOrders), MaxOrders, 1);
        RequireAtLeast(errors, nameof(MaxOrderSummaries), MaxOrderSummaries, 0);
        RequireAtLeast(errors, nameof(MaxTags), MaxTags, 0);
        if (HeldRefundTimeout <= TimeSpan.Zero)
        {
            errors.Add("HeldRefundTimeout must be positive.");
        }

        // Growth and RFM are computed from the retained orders, so orders must outlive the window.
        if (OrderRetentionDays < GrowthWindowDays || OrderRetentionDays < Rfm.WindowDays)
        {
            errors.Add("OrderRetentionDays must be at least GrowthWindowDays and Rfm:WindowDays.");
        }

        errors.AddRange((Lifecycle?.Validate() ?? ["Lifecycle is required."]).Select(e => "Lifecycle: " + e));
        errors.AddRange((Touches?.Validate() ?? ["Touches is required."]).Select(e => "Touches: " + e));
        return errors;
    }

    private void ValidateCurrencies(List<string> errors)
    {
        if (!IsCurrencyCode(Currency))
        {
            errors.Add($"Currency '{Currency}' must be a 3-letter upper-case ISO 4217 code.");
        }

        if (CurrencyDecimals is < 0 or > 4)
        {
            errors.Add("CurrencyDecimals must be 0–4.");
        }

        foreach (var (code, rule) in Currencies)
        {
            if (!IsCurrencyCode(code) || string.Equals(code, Currency, StringComparison.Ordinal))
            {
                errors.Add($"Currencies:{code} must be a 3-letter upper-case ISO 4217 code other than the programme currency {Currency}.");
            }

            if (rule is null || rule.Rate <= 0m || rule.Rate > CurrencyRule.MaxRate)
            {
                errors.Add(Invariant($"Currencies:{code}:Rate must be > 0 and ≤ {CurrencyRule.MaxRate} ({Currency} per 1 {code})."));
            }

            if (rule is not null && rule.Decimals is < 0 or > 4)
            {
                errors.Add($"Currencies:{code}:Decimals must be 0–4.");
            }
        }
    }

    private static bool IsCurrencyCode(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);

    private void ValidateTiers(List<string> errors)
    {
        if (Tiers.Count == 0)
        {
            errors.Add("Tiers must name at least one tier.");
            return;
        }

        foreach (var (name, rule) in Tiers)
        {
            if (rule is null)
            {
                errors.Add($"Tiers:{name} is empty.");
                return;
            }

            if (rule.PointsMultiplier <= 0)
            {
                errors.Add($"Tiers:{name}:PointsMultiplier must be > 0.");
            }
        }

        var ordered = Tiers.OrderBy(t => t.Value.Threshold).ToList();
        if (ordered[0].Value.Threshold != 0)
        {
            errors.Add($"The lowest tier ({ordered[0].Key}) must have Threshold 0.");
        }

        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Value.Threshold == ordered[i - 1].Value.Threshold)
            {
                errors.Add($"Tiers {ordered[i - 1].Key} and {ordered[i].Key} have the same Threshold; thresholds must ascend.");
            }
        }
    }

    private static void RequireAtLeast(List<string> errors, string name, int value, int min)
    {
        if (value < min)
        {
            errors.Add(Invariant($"{name} must be ≥ {min}."));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
