namespace Engagement.Domain.Metrics;

/// <summary>
/// Why a range summary's §5 <c>arpu</c> and <c>repurchaseRate</c> (CONTRACT.md §5) are null, from what the summary says
/// (<see cref="HealthDay.DistinctBasis"/>, <see cref="HealthDay.DistinctPurchasers"/>); the console words it for a
/// marketer, with the range that would give an exact figure.
/// </summary>
public enum MissingDistinctFigure
{
    /// <summary>Not missing: the range's distinct purchasers are counted and there is at least one.</summary>
    None,

    /// <summary>The range's distinct purchasers are counted and there are none: nobody bought, nothing to divide by.</summary>
    NoPurchasers,

    /// <summary>
    /// The range is neither one day, the 30 days ending its last day, nor a calendar period (ISO week, month, quarter,
    /// year) from its first day: its distinct purchasers cannot be counted from the day sums (e.g. 11-15 … 12-14).
    /// </summary>
    RangeNotCounted,

    /// <summary>
    /// The range is a calendar period from its first day, but it starts before
    /// <see cref="MetricsOptions.PeriodCountsSince"/>: the period counts miss purchases made before they existed.
    /// </summary>
    BeforePeriodCounts,

    /// <summary>
    /// Some days of the range have no counters (the day list is shorter than the range): a sum over the days read is
    /// not the period's distinct purchasers.
    /// </summary>
    DaysMissing,
}

/// <summary>
/// Reads <see cref="MissingDistinctFigure"/> off a range's summary: <see cref="HealthMetrics.Summary"/> decides it
/// (<see cref="HealthDay.DistinctMissing"/>) where it decides the basis, so the two cannot drift apart.
/// </summary>
public static class MissingDistinctFigures
{
    /// <summary>
    /// Why a range's summary has no <c>arpu</c> or <c>repurchaseRate</c>: <see cref="MissingDistinctFigure.None"/> when
    /// it has them, <see cref="MissingDistinctFigure.NoPurchasers"/> when they are counted and there are none, else the
    /// reason the summary carries (<see cref="MissingDistinctFigure.RangeNotCounted"/> when it has no basis and carries
    /// none, so a summary without the figures never reads as having them).
    /// </summary>
    /// <param name="summary">The range's summary (<see cref="HealthMetrics.Summary"/>).</param>
    public static MissingDistinctFigure Of(HealthDay summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.DistinctBasis is not null)
        {
            return summary.DistinctPurchasers is > 0 ? MissingDistinctFigure.None : MissingDistinctFigure.NoPurchasers;
        }

        // No basis is never "not missing": a summary that did not say why is read as a range not counted.
        return summary.DistinctMissing is MissingDistinctFigure.None ? MissingDistinctFigure.RangeNotCounted : summary.DistinctMissing;
    }

    /// <summary>
    /// The API's code for why a range's summary has no <c>arpu</c> or <c>repurchaseRate</c>
    /// (<see cref="HealthDay.DistinctNullReason"/>): <c>noPurchasers</c>, <c>rangeNotCounted</c>,
    /// <c>beforePeriodCounts</c>, <c>daysMissing</c>; null when it has them, and for a day's row (no basis, no reason).
    /// </summary>
    /// <param name="row">A range's summary (<see cref="HealthMetrics.Summary"/>) or a day's row.</param>
    public static string? Code(HealthDay row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.DistinctBasis is null && row.DistinctMissing is MissingDistinctFigure.None)
        {
            return null;
        }

        return Of(row) switch
        {
            MissingDistinctFigure.NoPurchasers => "noPurchasers",
            MissingDistinctFigure.RangeNotCounted => "rangeNotCounted",
            MissingDistinctFigure.BeforePeriodCounts => "beforePeriodCounts",
            MissingDistinctFigure.DaysMissing => "daysMissing",
            _ => null,
        };
    }
}
