using System.Globalization;

namespace Engagement.Domain.Rfm;

/// <summary>A member's RFM reading at one instant.</summary>
public sealed record RfmResult
{
    /// <summary>Whole days since the last purchase; null before the first.</summary>
    public int? RecencyDays { get; init; }

    /// <summary>Purchases (not fully refunded) in the trailing window.</summary>
    public int Frequency { get; init; }

    /// <summary>Net spend (amount minus refunds) in the trailing window, CNY.</summary>
    public decimal Monetary { get; init; }

    public int RecencyScore { get; init; } = 1;

    public int FrequencyScore { get; init; } = 1;

    public int MonetaryScore { get; init; } = 1;

    /// <summary>
    /// The three scores as digits, e.g. "545": made from <see cref="RecencyScore"/>, <see cref="FrequencyScore"/> and
    /// <see cref="MonetaryScore"/> when read, so the scoring on every event (the metric segments, the member index) does
    /// not format a string it never reads.
    /// </summary>
    public string Score => string.Create(CultureInfo.InvariantCulture, $"{RecencyScore}{FrequencyScore}{MonetaryScore}");

    /// <summary>See <see cref="RfmSegments"/>.</summary>
    public string Segment { get; init; } = RfmSegments.New;

    /// <summary>A, B or C by monetary.</summary>
    public string ValueClass { get; init; } = "C";
}

public static class RfmSegments
{
    public const string Champions = "Champions";
    public const string Loyal = "Loyal";
    public const string PotentialLoyalist = "Potential Loyalist";
    public const string New = "New";
    public const string Promising = "Promising";
    public const string NeedAttention = "Need Attention";
    public const string AboutToSleep = "About to Sleep";
    public const string AtRisk = "At Risk";
    public const string CannotLoseThem = "Cannot Lose Them";
    public const string Hibernating = "Hibernating";
    public const string Lost = "Lost";
}
