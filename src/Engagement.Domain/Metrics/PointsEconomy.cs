namespace Engagement.Domain.Metrics;

/// <summary>Points moved on one local day (CONTRACT.md §5 <c>points</c>), points.</summary>
public sealed record PointsDay
{
    public DateOnly Day { get; init; }

    public long Issued { get; init; }

    public long Redeemed { get; init; }

    public long Expired { get; init; }

    public long Reversed { get; init; }

    /// <summary>Net manual adjustments (signed).</summary>
    public long Adjusted { get; init; }
}

/// <summary>The points economy over a range (CONTRACT.md §5 <c>points</c>).</summary>
public sealed record PointsEconomyView
{
    public IReadOnlyList<PointsDay> Days { get; init; } = [];

    /// <summary>Sums over the range.</summary>
    public PointsDay Total { get; init; } = new();

    /// <summary>Points held by members now, net (live gauge): <see cref="Held"/> − <see cref="Debt"/>.</summary>
    public long Outstanding { get; init; }

    /// <summary>Points owed by members whose balance is negative (refunds of spent points), now, as a positive number.</summary>
    public long Debt { get; init; }

    /// <summary>Points of the members with a positive balance, now: what the programme owes.</summary>
    public long Held { get; init; }

    /// <summary>
    /// The liability of <see cref="Held"/> in CNY at <see cref="PointValue"/>, rounded to 2 decimals: a member's debt
    /// does not reduce what the programme owes the others.
    /// </summary>
    public decimal LiabilityCny { get; init; }

    /// <summary>CNY per point in force (CONTRACT.md §2 <c>PointValue</c>).</summary>
    public decimal PointValue { get; init; }

    /// <summary>§5 pointsRedemptionRate = redeemed / issued over the 90 days ending the range's last day; null when none issued.</summary>
    public double? RedemptionRate90d { get; init; }

    public long Issued90d { get; init; }

    public long Redeemed90d { get; init; }

    /// <summary>Points expired in the 90 days ending the range's last day, points.</summary>
    public long Expired90d { get; init; }

    /// <summary>
    /// Breakage: points expired ÷ points issued over the 90 days ending the range's last day (the window of
    /// <see cref="RedemptionRate90d"/>), a fraction, 4 decimals; null when none issued. A flow ratio (the points that
    /// expire were mostly issued before the window), not the share of one cohort's points that will never be redeemed.
    /// Additive to CONTRACT.md §5 <c>points</c>.
    /// </summary>
    public double? BreakageRate90d { get; init; }

    /// <summary>
    /// The first local day of the 90-day window of <see cref="RedemptionRate90d"/>, <see cref="BreakageRate90d"/>,
    /// <see cref="Issued90d"/>, <see cref="Redeemed90d"/> and <see cref="Expired90d"/> (the range's last day less 89 days),
    /// in the region's zone; for all regions each region's figures count on that date in its own zone
    /// (<c>RegionTimeZones</c>, else the programme's <c>TimeZone</c>); <c>default</c> when the reader did not set it.
    /// Additive to CONTRACT.md §5 <c>points</c>.
    /// </summary>
    public DateOnly RateWindowFrom { get; init; }

    /// <summary>The last local day of that window (inclusive): the range's last day.</summary>
    public DateOnly RateWindowTo { get; init; }

    /// <summary>The healthy band of <see cref="RedemptionRate90d"/> (default 0.28–0.32).</summary>
    public double BandLow { get; init; }

    public double BandHigh { get; init; }

    /// <summary>Coupons issued and redeemed per offer over the range (empty when no coupon moved).</summary>
    public IReadOnlyList<OfferCoupons> Offers { get; init; } = [];

    /// <summary>Whether the rate lies in the band (null when there is no rate).</summary>
    public bool? InBand { get; init; }
}

/// <summary>Builds the points economy from day counters (CONTRACT.md §5).</summary>
public static class PointsEconomy
{
    /// <summary>Days in the redemption-rate window.</summary>
    public const int RateWindowDays = 90;

    /// <summary>One day's points from its counters.</summary>
    public static PointsDay Day(DayCounters c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new PointsDay
        {
            Day = c.Day,
            Issued = c[MetricNames.PointsIssued],
            Redeemed = c[MetricNames.PointsRedeemed],
            Expired = c[MetricNames.PointsExpired],
            Reversed = c[MetricNames.PointsReversed],
            Adjusted = c[MetricNames.PointsAdjusted],
        };
    }

    /// <summary>
    /// The economy of <paramref name="range"/> (oldest first), with the 90-day rate over <paramref name="window"/>
    /// (the 90 days ending the range's last day), <paramref name="outstanding"/> points now and the point value.
    /// </summary>
    public static PointsEconomyView Of(IReadOnlyList<DayCounters> range, IReadOnlyList<DayCounters> window, long outstanding, decimal pointValue, double bandLow, double bandHigh, long debt = 0)
    {
        ArgumentNullException.ThrowIfNull(range);
        // Debts predating the debt gauge are not in it; one repaid since moves it below 0, which is no debt.
        debt = Math.Max(0, debt);
        ArgumentNullException.ThrowIfNull(window);
        var days = range.Select(Day).ToList();
        var issued90 = window.Sum(d => d[MetricNames.PointsIssued]);
        var redeemed90 = window.Sum(d => d[MetricNames.PointsRedeemed]);
        var expired90 = window.Sum(d => d[MetricNames.PointsExpired]);
        var rate = HealthMetrics.Rate(redeemed90, issued90);
        return new PointsEconomyView
        {
            Days = days,
            Total = new PointsDay
            {
                Day = days.Count == 0 ? default : days[^1].Day,
                Issued = days.Sum(d => d.Issued),
                Redeemed = days.Sum(d => d.Redeemed),
                Expired = days.Sum(d => d.Expired),
                Reversed = days.Sum(d => d.Reversed),
                Adjusted = days.Sum(d => d.Adjusted),
            },
            Outstanding = outstanding,
            Debt = debt,
            Held = outstanding + debt,
            PointValue = pointValue,
            LiabilityCny = HealthMetrics.Money(Math.Max(0, outstanding + debt) * pointValue),
            Issued90d = issued90,
            Redeemed90d = redeemed90,
            Expired90d = expired90,
            BreakageRate90d = HealthMetrics.Rate(expired90, issued90),
            RedemptionRate90d = rate,
            BandLow = bandLow,
            BandHigh = bandHigh,
            InBand = rate is null ? null : rate >= bandLow && rate <= bandHigh,
            Offers = CouponOffers(range),
        };
    }

    /// <summary>Coupons issued and redeemed per offer over <paramref name="range"/>, by offer id (ordinal).</summary>
    public static IReadOnlyList<OfferCoupons> CouponOffers(IReadOnlyList<DayCounters> range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var offers = new SortedDictionary<string, (long Issued, long Redeemed)>(StringComparer.Ordinal);
        foreach (var (name, value) in range.SelectMany(d => d.Counters))
        {
            if (name.StartsWith(MetricNames.CouponsIssuedOfferPrefix, StringComparison.Ordinal))
            {
                var offer = name[MetricNames.CouponsIssuedOfferPrefix.Length..];
                var c = offers.GetValueOrDefault(offer);
                offers[offer] = (c.Issued + value, c.Redeemed);
            }
            else if (name.StartsWith(MetricNames.CouponsRedeemedOfferPrefix, StringComparison.Ordinal))
            {
                var offer = name[MetricNames.CouponsRedeemedOfferPrefix.Length..];
                var c = offers.GetValueOrDefault(offer);
                offers[offer] = (c.Issued, c.Redeemed + value);
            }
        }

        return [.. offers.Select(kv => new OfferCoupons
        {
            OfferId = kv.Key,
            Issued = kv.Value.Issued,
            Redeemed = kv.Value.Redeemed,
            RedemptionRate = HealthMetrics.Rate(kv.Value.Redeemed, kv.Value.Issued),
        })];
    }
}

/// <summary>One offer's coupons over a range (CONTRACT.md §5, coupon redemption per offer).</summary>
public sealed record OfferCoupons
{
    public string OfferId { get; init; } = "";

    /// <summary>Coupons of the offer issued in the range (reissues not counted again).</summary>
    public long Issued { get; init; }

    /// <summary>Coupons of the offer redeemed in the range, net of restores after refunds.</summary>
    public long Redeemed { get; init; }

    /// <summary>Redeemed / issued over the range, 4 decimals; null when none issued. Coupons redeemed in the range may have been issued before it.</summary>
    public double? RedemptionRate { get; init; }
}
