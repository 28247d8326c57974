using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// Why a range's summary has no §5 <c>arpu</c> / <c>repurchaseRate</c> (CONTRACT.md §5), as the programme page words it
/// next to the dash: nobody bought, a range whose distinct purchasers cannot be counted, or a calendar period starting
/// before <see cref="MetricsOptions.PeriodCountsSince"/>. Days are pinned (December 2026).
/// </summary>
public sealed class MissingDistinctFiguresTests
{
    private static readonly DateOnly Since = new(2026, 12, 6);

    private readonly MetricsKit _kit = new();

    private static DateOnly Dec(int day) => new(2026, 12, day);

    private MissingDistinctFigure Why(DateOnly from, DateOnly to) =>
        MissingDistinctFigures.Of(Summary(_kit.Range(from, to), Since));

    [Fact]
    public void EachNullFigureHasItsReasonAndACountedRangeWithPurchasersHasNone()
    {
        _kit.Apply(T("m1", "p1", Dec(8), "purchase", joined: true, first: true, revenue: 100m, after: Seg("east")));

        // Counted, with a purchaser: a figure, no reason.
        Assert.Equal(MissingDistinctFigure.None, Why(Dec(8), Dec(8)));
        Assert.Equal(MissingDistinctFigure.None, Why(Dec(8).AddDays(-29), Dec(8)));
        Assert.Equal(MissingDistinctFigure.None, Why(Dec(7), Dec(13)));

        // Counted, but nobody bought in it: nothing to divide by.
        Assert.Equal(MissingDistinctFigure.NoPurchasers, Why(Dec(9), Dec(9)));
        Assert.Equal(MissingDistinctFigure.NoPurchasers, Why(Dec(14), Dec(20)));
        Assert.Equal(MissingDistinctFigure.NoPurchasers, Why(Dec(9), Dec(9).AddDays(29)));

        // Neither one day, the trailing 30 days nor a period from its first day: not countable from day sums.
        Assert.Equal(MissingDistinctFigure.RangeNotCounted, Why(Dec(8), Dec(12)));
        Assert.Equal(MissingDistinctFigure.RangeNotCounted, Why(Dec(7), Dec(20)));

        // A month from its first day, but before the period counts hold every purchase.
        Assert.Equal(MissingDistinctFigure.BeforePeriodCounts, Why(Dec(1), Dec(10)));
        Assert.Null(Summary(_kit.Range(Dec(1), Dec(10)), Since).Arpu);
    }

    [Fact]
    public void AWeekWithADayMissingFromItsListIsNotWordedAsARangeNoPeriodFits()
    {
        _kit.Apply(T("m1", "p1", Dec(8), "purchase", joined: true, first: true, revenue: 100m, after: Seg("east")));

        // Monday 7 December to Sunday 13th, after PeriodCountsSince, but the 10th has no counters: the week's sum is
        // not its distinct purchasers. Picking a week or a month would not help; the days are what is missing.
        var days = _kit.Range(Dec(7), Dec(13)).Where(d => d.Day != Dec(10)).ToList();
        var summary = Summary(days, Since);

        Assert.Null(summary.DistinctBasis);
        Assert.Null(summary.Arpu);
        Assert.Equal(MissingDistinctFigure.DaysMissing, MissingDistinctFigures.Of(summary));
    }

    [Fact]
    public void ASummaryWithoutABasisThatCarriesNoReasonIsReadAsARangeNotCounted()
    {
        _kit.Apply(T("m1", "p1", Dec(8), "purchase", joined: true, first: true, revenue: 100m, after: Seg("east")));

        // A summary built without saying why (DistinctMissing left at its default) never reads as having the figures.
        var summary = Summary(_kit.Range(Dec(8), Dec(12)), Since) with { DistinctMissing = MissingDistinctFigure.None };

        Assert.Null(summary.DistinctBasis);
        Assert.Equal(MissingDistinctFigure.RangeNotCounted, MissingDistinctFigures.Of(summary));
    }

    [Fact]
    public void AFreshInstallSetTo2000CountsItsNovemberWeekWhileTheDefaultSaysBeforePeriodCounts()
    {
        // Counting from 23 November 2026. Under the default (2026-12-06, safe for an install upgraded on 2026-12-05) the
        // week of Monday the 23rd to Sunday the 29th starts before the period counts: no figure, and the answer says why.
        // A fresh install sets 2000-01-01 (as scripts/run's demo does): the week and the month from the 1st are counted.
        _kit.Apply(T("m1", "p1", new DateOnly(2026, 11, 23), "purchase", joined: true, first: true, revenue: 100m, after: Seg("east")));
        _kit.Apply(T("m1", "p2", new DateOnly(2026, 11, 25), "purchase", revenue: 50m, after: Seg("east")));
        var byDefault = Summary(_kit.Range(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 29)), new MetricsOptions().PeriodCountsSince);
        Assert.Null(byDefault.DistinctBasis);
        Assert.Null(byDefault.Arpu);
        Assert.Null(byDefault.RepurchaseRate);
        Assert.Equal("beforePeriodCounts", byDefault.DistinctNullReason);

        var since = new DateOnly(2000, 1, 1);
        var week = Summary(_kit.Range(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 29)), since);
        Assert.Equal("isoWeek", week.DistinctBasis);
        Assert.Equal(150m, week.Arpu);
        Assert.Equal(1.0, week.RepurchaseRate);
        Assert.Null(week.DistinctNullReason);
        Assert.Equal("month", Summary(_kit.Range(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 29)), since).DistinctBasis);

        // Null figures carry their reason in the answer; a day's row carries none.
        Assert.Equal("rangeNotCounted", Summary(_kit.Range(new DateOnly(2026, 11, 24), new DateOnly(2026, 11, 27)), since).DistinctNullReason);
        Assert.Equal("beforePeriodCounts", Summary(_kit.Range(Dec(1), Dec(10)), Since).DistinctNullReason);
        Assert.Equal("noPurchasers", Summary(_kit.Range(Dec(14), Dec(20)), since).DistinctNullReason);
        Assert.Null(new HealthDay { Day = Dec(8) }.DistinctNullReason);
    }
}
