using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// <c>data.anomaly</c> reports whose write failed wait to be tried again (<see cref="PendingAnomalyReports"/>): the latest of
/// a source only, 1, 2, 4 … minutes apart up to an hour, bounded in sources with the longest waiting given up.
/// </summary>
public sealed class PendingAnomalyReportsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);

    private static readonly AnomalyReport Backup = new("backup", true, "backup failed");

    [Fact]
    public void AFailedReportIsDueAMinuteLaterThenTwiceAsLongAfterEachFailureUpToAnHour()
    {
        var pending = new PendingAnomalyReports();

        var first = pending.Failed(Backup, Now).Tried;
        Assert.Equal((1, Now, Now.AddMinutes(1)), (first.Tries, first.FirstFailedAt, first.NextAt));
        Assert.Empty(pending.Due(Now.AddSeconds(59)));
        Assert.Equal([Backup], pending.Due(Now.AddMinutes(1)));

        var second = pending.Failed(Backup, Now.AddMinutes(1)).Tried;
        Assert.Equal((2, Now, Now.AddMinutes(3)), (second.Tries, second.FirstFailedAt, second.NextAt));
        Assert.Equal(Now.AddMinutes(3), pending.NextAt);
        Assert.Equal(
            [1, 2, 4, 8, 16, 32, 60, 60, 60],
            Enumerable.Range(1, 9).Select(t => (int)PendingAnomalyReports.Delay(t).TotalMinutes));

        pending.Written(Backup);
        Assert.Equal(0, pending.Count);
        Assert.Null(pending.NextAt);
    }

    [Fact]
    public void ALaterReportOfTheSourceReplacesTheOneWaitingSoAStaleRaiseNeverFollowsItsResolve()
    {
        var pending = new PendingAnomalyReports();
        pending.Failed(Backup, Now);

        // Its resolve is sent: the raise waiting is dropped before it.
        pending.Replace("backup");
        Assert.Null(pending.Of("backup"));

        // A resolve that fails waits instead of the raise, counted from its own first failure.
        pending.Failed(Backup, Now);
        var resolve = new AnomalyReport("backup", false, null);
        var waiting = pending.Failed(resolve, Now.AddMinutes(5)).Tried;
        Assert.Equal((resolve, 1, Now.AddMinutes(5)), (waiting.Report, waiting.Tries, waiting.FirstFailedAt));

        // The raise written late (it was in flight) does not drop the resolve waiting after it.
        pending.Written(Backup);
        Assert.Equal(resolve, pending.Of("backup")!.Report);
        Assert.Equal("resolve", resolve.Change);
    }

    [Fact]
    public void AReportIsGivenUpAtItsTenthFailedTryAndNoLongerWaits()
    {
        var pending = new PendingAnomalyReports();
        var at = Now;
        for (var tries = 1; tries < PendingAnomalyReports.MaxTries; tries++)
        {
            var (tried, givenUp) = pending.Failed(Backup, at);
            Assert.Equal((tries, (PendingAnomalyReport?)null), (tried.Tries, givenUp));
            Assert.Equal(Backup, Assert.Single(pending.Due(tried.NextAt)));
            at = tried.NextAt;
        }

        Assert.Equal(Now.AddMinutes(1 + 2 + 4 + 8 + 16 + 32 + 60 + 60 + 60), at); // some 4 hours after the first failure
        var (last, gone) = pending.Failed(Backup, at);

        Assert.Equal(10, PendingAnomalyReports.MaxTries);
        Assert.Same(last, gone);
        Assert.Equal((10, Now), (last.Tries, last.FirstFailedAt));
        Assert.Equal(0, pending.Count);
        Assert.Null(pending.NextAt);
        Assert.Empty(pending.Due(at.AddDays(1)));

        // The source's next report starts afresh.
        Assert.Equal(1, pending.Failed(Backup, at.AddHours(1)).Tried.Tries);
        Assert.Equal(["backup"], pending.Sources);
    }

    [Fact]
    public void PastTheBoundTheSourceWaitingLongestIsGivenUpAndReturnedToBeLogged()
    {
        var pending = new PendingAnomalyReports();
        for (var i = 0; i < PendingAnomalyReports.MaxSources; i++)
        {
            Assert.Null(pending.Failed(new AnomalyReport("s" + i, true, "m"), Now.AddSeconds(i)).GivenUp);
        }

        var (waiting, givenUp) = pending.Failed(new AnomalyReport("late", true, "m"), Now.AddHours(1));

        Assert.Equal("late", waiting.Report.Source);
        Assert.Equal("s0", givenUp!.Report.Source);
        Assert.Equal(PendingAnomalyReports.MaxSources, pending.Count);
        Assert.Null(pending.Of("s0"));
        Assert.Equal(["s1", "s2"], pending.Due(Now.AddHours(2)).Take(2).Select(r => r.Source));
    }
}
