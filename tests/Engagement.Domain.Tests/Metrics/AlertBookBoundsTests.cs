using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.AlertBookKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The alert book is bounded by its stored bytes (<see cref="AlertBookBounds"/>) and holds every alert that can be open at
/// once: 4 regional rules × 257 regions + 5 programme-wide = 1,033, each raised by <see cref="AlertPolicy.Observe"/>.
/// </summary>
public sealed class AlertBookBoundsTests
{
    [Fact]
    public void EveryAlertThatCanBeOpenAtOnceFitsWithOrdinaryRegionIds()
    {
        var observations = Everywhere(AllRegions(), breached: true);
        Assert.Equal(1_033, observations.Count(o => o.Breached));

        var (book, refused, writes) = AsTheGrain(new AlertBookState(), observations, Now);

        Assert.Empty(refused);
        Assert.Equal(1_033, book.Open.Count);
        Assert.All(writes, w => Assert.InRange(w, 1, AlertBookBounds.BookMaxBytes));
        Assert.Equal("benefits.redemption-low:_other:1", AlertBook.OpenOf(book, AlertRules.BenefitsRedemptionLow, "_other")!.AlertId);
        // Measured: 1,033 open alerts in 414,287 bytes stored (88% of the 460 KiB bound, 84% of what the row holds), written
        // in 6 parts of at most 64 KiB of outbox, each published before the next (12 writes, the largest 452,506 bytes; 454,580 before the 1 KiB kept for the
        // record of refused raises, AlertRaisesRefused.MaxBytes, and 453,196 before the 512 bytes kept for the anomalies' latest resolves, AnomalyResolves.MaxBytes).
        Assert.Equal((414_287, 12, 452_506), (Size(book), writes.Count, writes.Max()));
    }

    [Fact]
    public void EveryAlertThatCanBeOpenAtOnceFitsWithSixteenCharacterRegionIds()
    {
        var (book, refused, writes) = AsTheGrain(new AlertBookState(), Everywhere(AllRegions(16), breached: true), Now);

        Assert.Empty(refused);
        Assert.Equal(1_033, book.Open.Count);
        Assert.All(writes, w => Assert.InRange(w, 1, AlertBookBounds.BookMaxBytes));
        Assert.Equal(432_719, Size(book)); // measured: 92% of the bound
    }

    [Fact]
    public void WithTheLongestRegionIdsAsManyAsFitOpenAndTheRestAreRefusedAndListed()
    {
        var observations = Everywhere(AllRegions(MetricsOptions.MaxRegionLength), breached: true);
        var (book, refused, writes) = AsTheGrain(new AlertBookState(), observations, Now);

        Assert.All(writes, w => Assert.InRange(w, 1, AlertBookBounds.BookMaxBytes));
        Assert.Equal(1_033, book.Open.Count + refused.Count);
        Assert.All(refused, r => Assert.Equal(("raise", false), (r.Change, r.Waits)));
        Assert.All(AlertRules.All.Where(r => r != AlertRules.DataAnomaly), r => Assert.NotNull(AlertBook.OpenOf(book, r, AlertRules.AllRegions)));
        Assert.Equal((970, 63), (book.Open.Count, refused.Count)); // measured: 94% of them (973 and 60 before the 1 KiB kept for the record of refused raises, 971 and 62 before the 512 bytes kept for the anomalies' latest resolves)

        // Judged again at the next evaluation: still refused while nothing resolved, raised once some did.
        var again = AlertBook.Evaluate(book, observations, Now.AddHours(1), HistoryLimit);
        Assert.Equal(refused.Select(r => r.RegionId + r.Rule), again.Refused.Select(r => r.RegionId + r.Rule));
    }

    [Fact]
    public void WhileTheQueueRefusesRaisesWaitForTheOutboxAndOpenOncePublished()
    {
        var observations = Everywhere(AllRegions(), breached: true);
        var (book, refused, writes) = AsTheGrain(new AlertBookState(), observations, Now, queueUp: false);

        Assert.InRange(writes.Single(), 1, AlertBookBounds.BookMaxBytes);
        Assert.Equal(1_033, book.Open.Count + refused.Count);
        Assert.All(refused, r => Assert.True(r.Waits));
        Assert.All(AlertRules.All.Where(r => r != AlertRules.DataAnomaly), r => Assert.NotNull(AlertBook.OpenOf(book, r, AlertRules.AllRegions)));

        var (later, stillRefused, _) = AsTheGrain(book, observations, Now.AddHours(1));
        Assert.Empty(stillRefused);
        Assert.Equal(1_033, later.Open.Count);
    }

    [Fact]
    public void AllOpenAlertsResolveAtOnceWithinTheBoundAndRaiseAgainWithTheNextEpisode()
    {
        var (book, _, _) = AsTheGrain(new AlertBookState(), Everywhere(AllRegions(), breached: true), Now);

        var (resolved, refused, writes) = AsTheGrain(book, Everywhere(AllRegions(), breached: false), Now.AddDays(1));
        Assert.Empty(refused);
        Assert.Empty(resolved.Open);
        Assert.All(writes, w => Assert.InRange(w, 1, AlertBookBounds.ResolveMaxBytes)); // resolves may pass BookMaxBytes
        Assert.NotEmpty(resolved.History);
        Assert.Equal(AlertStates.Resolved, resolved.History[0].State);

        var (again, _, _) = AsTheGrain(resolved, Everywhere(AllRegions(), breached: true), Now.AddDays(2));
        Assert.Equal("complaints.high:region-007:2", AlertBook.OpenOf(again, AlertRules.ComplaintsHigh, "region-007")!.AlertId);
        Assert.Equal(1_033, again.Open.Count);
    }

    [Fact]
    public void PastTheirBoundEpisodeNumbersOfPairsWithoutAnOpenAlertAreForgottenAndNoIdIsReused()
    {
        var source = new string('源', 60);
        var book = new AlertBookState();
        for (var i = 0; i < 400; i++)
        {
            var at = Now.AddMinutes(i);
            book = AlertBook.Raise(book, AlertRules.DataAnomaly, source + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), null, null, "backup failed", at);
            book = PublishAll(AlertBook.Resolve(book, AlertRules.DataAnomaly, source + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), null, at, HistoryLimit));
        }

        Assert.True(AlertBookSizes.Of(book).Episodes <= AlertBookBounds.EpisodesMaxBytes);
        Assert.True(book.EpisodeFloor >= 1);
        Assert.True(book.Episodes.Count < 400);
        var forgotten = source + "0000";
        Assert.False(book.Episodes.ContainsKey(AlertRules.DataAnomaly + "|" + forgotten));
        var raised = AlertBook.Raise(book, AlertRules.DataAnomaly, forgotten, null, null, "backup failed", Now.AddDays(1));
        Assert.Equal($"data.anomaly:{forgotten}:{book.EpisodeFloor + 1}", AlertBook.OpenOf(raised, AlertRules.DataAnomaly, forgotten)!.AlertId);
        Assert.NotEqual($"data.anomaly:{forgotten}:1", AlertBook.OpenOf(raised, AlertRules.DataAnomaly, forgotten)!.AlertId);
    }
}

/// <summary>
/// Resolves refused by <see cref="AlertBookBounds.ResolveMaxBytes"/> while the queue refuses wait for the outbox, and all
/// go through once it is published: the judged resolves and those of a turned-off rule.
/// </summary>
public sealed class AlertBookRefusedResolveTests
{
    [Fact]
    public void WhileTheQueueRefusesResolvesOfAFullBookWaitAndAllResolveOncePublished()
    {
        var (book, _, _) = AsTheGrain(new AlertBookState(), Everywhere(AllRegions(), breached: true), Now);
        var back = Everywhere(AllRegions(), breached: false);

        var (stuck, refused, writes) = AsTheGrain(book, back, Now.AddDays(1), queueUp: false);

        Assert.InRange(writes.Single(), 1, AlertBookBounds.ResolveMaxBytes);
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal(("resolve", true), (r.Change, r.Waits)));
        Assert.Equal(refused.Count, stuck.Open.Count); // each refused resolve leaves its alert open, nothing else
        Assert.Equal(1_033 - refused.Count, stuck.Outbox.Count);
        Assert.All(stuck.Outbox, r => Assert.Equal(AlertStates.Resolved, r.State));

        var (done, stillRefused, later) = AsTheGrain(stuck, back, Now.AddDays(1).AddHours(1));
        Assert.Empty(stillRefused);
        Assert.Empty(done.Open);
        Assert.Empty(done.Outbox);
        Assert.All(later, w => Assert.InRange(w, 1, AlertBookBounds.ResolveMaxBytes));
    }

    [Fact]
    public void WhileTheQueueRefusesATurnedOffRulesResolvesWaitAndAllResolveOncePublished()
    {
        var (book, _, _) = AsTheGrain(new AlertBookState(), Everywhere(AllRegions(), breached: true), Now);
        var off = AlertRules.All;

        var (stuck, refused, writes) = AsTheGrain(book, [], Now.AddDays(1), queueUp: false, disabled: off);

        Assert.InRange(writes.Single(), 1, AlertBookBounds.ResolveMaxBytes);
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal(("resolve", true), (r.Change, r.Waits)));
        Assert.Equal(refused.Count, stuck.Open.Count);
        Assert.All(stuck.Outbox, r => Assert.EndsWith("the rule was turned off (Engagement:Alerts:Disabled)", r.Message, StringComparison.Ordinal));

        var (done, stillRefused, _) = AsTheGrain(stuck, [], Now.AddDays(1).AddHours(1), disabled: off);
        Assert.Empty(stillRefused);
        Assert.Empty(done.Open);
    }
}
