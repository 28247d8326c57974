using System.Globalization;

namespace Engagement.Domain.Offers;

/// <summary>
/// One reward of the HQ catalogue (CONTRACT.md §2.1): its reference market price (the value anchor shown to members,
/// CNY), its price in points, and optional points + cash steps (阶梯式兑换), e.g. 30,000 points, or 20,000 points +
/// 100 CNY, or 10,000 points + 200 CNY. Stock is per store, kept by the stock counter of reward × store.
/// </summary>
public sealed record RewardItem
{
    public const int MaxSteps = 10;
    public const long MaxPoints = 100_000_000;
    public const decimal MaxCash = 1_000_000m;

    public string RewardId { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>Reference market price in CNY (&gt; 0, 2 decimals).</summary>
    public decimal MarketPrice { get; init; }

    /// <summary>Price in points alone (&gt; 0).</summary>
    public long PointsPrice { get; init; }

    /// <summary>Points + cash alternatives, each with fewer points than <see cref="PointsPrice"/> and some cash.</summary>
    public IReadOnlyList<PointsCashStep> Steps { get; init; } = [];

    /// <summary>Tiers that may redeem it; empty means every tier.</summary>
    public IReadOnlyList<string> EligibleTiers { get; init; } = [];

    /// <summary>The goods it is (optional, for store inventory).</summary>
    public string? Sku { get; init; }

    /// <summary>False when HQ has withdrawn it: it stays listed but cannot be redeemed.</summary>
    public bool Active { get; init; } = true;

    /// <summary>Every way to pay: points alone first, then the steps.</summary>
    public IEnumerable<PointsCashStep> PaymentOptions => Steps.Prepend(new PointsCashStep(PointsPrice, 0m));

    /// <summary>What is wrong with this item, as (field, message), given the programme's tier names; empty when valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate(IReadOnlySet<string> tiers)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200)
        {
            errors.Add(("name", "required, 1–200 characters"));
        }

        if (MarketPrice <= 0 || MarketPrice > MaxCash || decimal.Round(MarketPrice, 2) != MarketPrice)
        {
            errors.Add(("marketPrice", Invariant($"must be CNY > 0 and ≤ {MaxCash:0} with at most 2 decimals")));
        }

        if (PointsPrice is <= 0 or > MaxPoints)
        {
            errors.Add(("pointsPrice", Invariant($"must be 1–{MaxPoints} points")));
        }

        if (Steps.Count > MaxSteps)
        {
            errors.Add(("steps", $"at most {MaxSteps} points + cash steps"));
        }

        for (var i = 0; i < Math.Min(Steps.Count, MaxSteps); i++)
        {
            var step = Steps[i];
            if (step.Points < 0 || step.Points >= PointsPrice)
            {
                errors.Add(($"steps[{i}].points", "must be 0 or more and fewer than pointsPrice"));
            }

            if (step.Cash <= 0 || step.Cash > MaxCash || decimal.Round(step.Cash, 2) != step.Cash)
            {
                errors.Add(($"steps[{i}].cash", Invariant($"must be CNY > 0 and ≤ {MaxCash:0} with at most 2 decimals")));
            }

            if (Steps.Take(i).Any(s => s.Points == step.Points))
            {
                errors.Add(($"steps[{i}].points", "two steps with the same points"));
            }
        }

        foreach (var tier in EligibleTiers.Where(t => !tiers.Contains(t)))
        {
            errors.Add(("eligibleTiers", $"'{tier}' is not a tier of the programme ({string.Join(", ", tiers.Order(StringComparer.Ordinal))})"));
        }

        if (Sku is { } sku && (sku.Length is 0 or > 64))
        {
            errors.Add(("sku", "1–64 characters"));
        }

        return errors;
    }

    /// <summary>The option a redemption of <paramref name="points"/> + <paramref name="cash"/> CNY pays with, or null when it is none of them.</summary>
    public PointsCashStep? Match(long points, decimal cash) =>
        PaymentOptions.Cast<PointsCashStep?>().FirstOrDefault(o => o!.Points == points && o.Cash == cash);

    /// <summary>Whether a member of <paramref name="tier"/> may redeem it.</summary>
    public bool IsEligible(string? tier) => EligibleTiers.Count == 0 || (tier is not null && EligibleTiers.Contains(tier, StringComparer.Ordinal));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One way to pay for a reward: points and cash (CNY).</summary>
public sealed record PointsCashStep(long Points, decimal Cash)
{
    /// <summary>What the step is worth in CNY at <paramref name="pointValue"/> CNY per point, rounded down to the fen.</summary>
    public decimal ValueAt(decimal pointValue) => Cash + decimal.Round(Points * pointValue, 2, MidpointRounding.ToZero);
}
