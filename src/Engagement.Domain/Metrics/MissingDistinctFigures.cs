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
}

/// <summary>Decides <see cref="MissingDistinctFigure"/> for a range's summary (the rule of <see cref="HealthMetrics.Summary"/>).</summary>
public static class MissingDistinctFigures
{
    /// <summary>
    /// Why the summary of [<paramref name="from"/>, <paramref name="to"/>] (local days) has no <c>arpu</c> or
    /// <c>repurchaseRate</c>: <see cref="MissingDistinctFigure.None"/> when it has them.
    /// </summary>
    /// <param name="from">The range's first local day.</param>
    /// <param name="to">The range's last local day.</param>
    /// <param name="summary">The range's summary (<see cref="HealthMetrics.Summary"/>).</param>
    /// <param name="periodCountsSince">The first local day a calendar basis is given for (<see cref="MetricsOptions.PeriodCountsSince"/>).</param>
    public static MissingDistinctFigure Of(DateOnly from, DateOnly to, HealthDay summary, DateOnly periodCountsSince)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.DistinctBasis is not null)
        {
            return summary.DistinctPurchasers is > 0 ? MissingDistinctFigure.None : MissingDistinctFigure.NoPurchasers;
        }

        return from < periodCountsSince && CalendarPeriods.Fitting(from, to) is not null
            ? MissingDistinctFigure.BeforePeriodCounts
            : MissingDistinctFigure.RangeNotCounted;
    }
}
