using System.Text.Json;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The alert book orders <c>data.anomaly</c> reports of one source across silos by when they were observed
/// (<see cref="AnomalyResolves"/>): it keeps each source's latest report (raise or resolve), a report of the other kind
/// observed before it is ignored, at one instant the report that lands later stands, and the kept reports are bounded.
/// Every instant is fixed.
/// </summary>
public sealed class AnomalyResolvesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions StoredWithoutNulls = new(Stored) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static AnomalyObservation Raise(DateTimeOffset at) => new(AnomalyReportKind.Raise, at);

    private static AnomalyObservation Resolve(DateTimeOffset at) => new(AnomalyReportKind.Resolve, at);

    /// <summary>
    /// What the alerts grain does with a report that lands (<see cref="AnomalyResolves.Land"/>, which it calls): ignored
    /// when a later report of the other kind is kept, else applied to the book (raised or resolved, landing at
    /// <see cref="Now"/>) and kept as the source's latest.
    /// </summary>
    private static AlertBookState Land(AlertBookState book, string source, AnomalyObservation report) =>
        AnomalyResolves.Land(book, source, report, b => Apply(b, source, report)).State;

    private static AlertBookState Apply(AlertBookState book, string source, AnomalyObservation report) =>
        report.Kind == AnomalyReportKind.Raise
            ? AlertBook.Raise(book, AlertRules.DataAnomaly, source, null, null, source + " failed", Now)
            : AlertBook.Resolve(book, AlertRules.DataAnomaly, source, null, Now, 500);

    private static bool IsOpen(AlertBookState book, string source) => AlertBook.OpenOf(book, AlertRules.DataAnomaly, source) is not null;

    [Fact]
    public void LandJudgesTheReportFirstThenAppliesItThenKeepsItSoAStaleReportIsNeverAppliedAndAResolveIsKeptOnlyOnceItClosed()
    {
        var t1 = Now.AddMinutes(-30);
        var t2 = Now.AddMinutes(-10);
        var applied = 0;
        AnomalyLanding Landing(AlertBookState book, AnomalyObservation report) =>
            AnomalyResolves.Land(book, "backup", report, b => { applied++; return Apply(b, "backup", report); });

        // Judged first, on the book as it was: a resolve older than the kept raise is stale, not applied, nothing changed.
        var raised = Landing(new AlertBookState(), Raise(t2));
        Assert.Equal((1, null), (applied, raised.SupersededBy));
        var stale = Landing(raised.State, Resolve(t1));
        Assert.Equal((1, Raise(t2)), (applied, stale.SupersededBy));
        Assert.Same(raised.State, stale.State);
        Assert.True(IsOpen(stale.State, "backup"));

        // Kept after it is applied: a resolve that closes the alert is kept (judged on the book before it, it would not be).
        var closed = Landing(raised.State, Resolve(t2.AddTicks(1)));
        Assert.Equal((2, null), (applied, closed.SupersededBy));
        Assert.False(IsOpen(closed.State, "backup"));
        Assert.Equal(Resolve(t2.AddTicks(1)), AnomalyResolves.Latest(closed.State, "backup"));

        // A resolve the book refused (the alert still open after it is applied) is not kept: the raise stays the latest.
        var refused = AnomalyResolves.Land(raised.State, "backup", Resolve(t2.AddTicks(1)), b => b);
        Assert.Same(raised.State, refused.State);
        Assert.Equal(Raise(t2), AnomalyResolves.Latest(refused.State, "backup"));
    }

    [Fact]
    public void AFutureObservedTimeCountsAsNowAPastOneIsKeptInUtcAndNoneIsNow()
    {
        Assert.Equal(Now, AnomalyResolves.Observed(Now.AddMinutes(5), Now)); // a reporter's clock ahead
        Assert.Equal(Now, AnomalyResolves.Observed(Now, Now));
        Assert.Equal(Now, AnomalyResolves.Observed(null, Now)); // the previous release's methods
        var past = AnomalyResolves.Observed(new DateTimeOffset(2026, 12, 6, 9, 59, 0, TimeSpan.FromHours(8)), Now);
        Assert.Equal((Now.AddMinutes(-1), TimeSpan.Zero), (past, past.Offset));
    }

    [Fact]
    public void ALateRetriedResolveObservedBeforeANewerRaiseLeavesTheAlertOpenInEitherOrder()
    {
        var t1 = Now.AddMinutes(-30); // a backup completes on silo A; its resolve fails to write and waits
        var t2 = Now.AddMinutes(-10); // a later backup fails on silo B and raises

        // The raise lands first, the retried resolve after it: ignored, superseded by the raise.
        var raised = Land(new AlertBookState(), "backup", Raise(t2));
        Assert.Equal(Raise(t2), AnomalyResolves.SupersededBy(raised, "backup", Resolve(t1)));
        var retried = Land(raised, "backup", Resolve(t1));
        Assert.Same(raised, retried);
        Assert.True(IsOpen(retried, "backup"));
        Assert.Equal(Raise(t2), AnomalyResolves.Latest(retried, "backup"));

        // The resolve lands first: it closes nothing, is kept, and the newer raise opens the alert.
        var resolved = Land(new AlertBookState(), "backup", Resolve(t1));
        Assert.Equal(Resolve(t1), AnomalyResolves.Latest(resolved, "backup"));
        var both = Land(resolved, "backup", Raise(t2));
        Assert.True(IsOpen(both, "backup"));
        Assert.Equal(Raise(t2), AnomalyResolves.Latest(both, "backup"));
        Assert.Equal(t2, both.AnomalyRaisedAt!["backup"]);
        Assert.Null(both.AnomalyResolvedAt); // one report per source: the raise replaced the resolve

        // A resolve observed after the raise closes it.
        var closed = Land(retried, "backup", Resolve(t2.AddTicks(1)));
        Assert.False(IsOpen(closed, "backup"));
        Assert.Equal(Resolve(t2.AddTicks(1)), AnomalyResolves.Latest(closed, "backup"));
    }

    [Fact]
    public void ALateRetriedRaiseObservedBeforeANewerResolveLeavesTheAlertClosedInEitherOrder()
    {
        var t1 = Now.AddMinutes(-30);
        var t2 = Now.AddMinutes(-10);

        var resolvedFirst = Land(Land(new AlertBookState(), "backup", Resolve(t2)), "backup", Raise(t1));
        Assert.False(IsOpen(resolvedFirst, "backup"));
        Assert.Equal(Resolve(t2), AnomalyResolves.Latest(resolvedFirst, "backup"));

        var raisedFirst = Land(Land(new AlertBookState(), "backup", Raise(t1)), "backup", Resolve(t2));
        Assert.False(IsOpen(raisedFirst, "backup"));
        Assert.Equal(Resolve(t2), AnomalyResolves.Latest(raisedFirst, "backup"));
        Assert.Equal(Resolve(t2), AnomalyResolves.SupersededBy(raisedFirst, "backup", Raise(t1)));
    }

    [Fact]
    public void AtOneInstantTheReportThatLandsLaterStandsAsWithoutObservedTimes()
    {
        var resolveThenRaise = Land(Land(new AlertBookState(), "backup", Resolve(Now)), "backup", Raise(Now));
        var raiseThenResolve = Land(Land(new AlertBookState(), "backup", Raise(Now)), "backup", Resolve(Now));

        Assert.True(IsOpen(resolveThenRaise, "backup"));
        Assert.False(IsOpen(raiseThenResolve, "backup"));
        Assert.Equal(Raise(Now), AnomalyResolves.Latest(resolveThenRaise, "backup"));
        Assert.Equal(Resolve(Now), AnomalyResolves.Latest(raiseThenResolve, "backup"));
        Assert.False(AnomalyResolves.IsLater(Raise(Now), Resolve(Now)));
        Assert.False(AnomalyResolves.IsLater(Resolve(Now), Raise(Now)));
        Assert.Null(AnomalyResolves.SupersededBy(raiseThenResolve, "backup", Raise(Now))); // another of that instant stands too

        // The previous release's methods are observed at the grain's now: raised and resolved within one instant of a
        // stopped clock, the resolve closes the alert as it always did.
        var legacy = Land(Land(new AlertBookState(), "backup", Raise(AnomalyResolves.Observed(null, Now))), "backup", Resolve(AnomalyResolves.Observed(null, Now)));
        Assert.False(IsOpen(legacy, "backup"));
    }

    [Fact]
    public void AReportOfTheSameKindNeverSupersedesAndTheLaterOneIsKept()
    {
        var book = Land(new AlertBookState(), "backup", Resolve(Now));

        Assert.Null(AnomalyResolves.SupersededBy(book, "backup", Resolve(Now.AddHours(-1))));
        Assert.Same(book, AnomalyResolves.Recorded(book, "backup", Resolve(Now.AddMinutes(-5))));
        Assert.Same(book, AnomalyResolves.Recorded(book, "backup", Resolve(Now)));
        var later = AnomalyResolves.Recorded(book, "backup", Resolve(Now.AddMinutes(5)));
        Assert.Equal(Now.AddMinutes(5), later.AnomalyResolvedAt!["backup"]);
        Assert.Null(AnomalyResolves.SupersededBy(book, "storage-check", Raise(Now.AddHours(-3)))); // another source
        Assert.Null(AnomalyResolves.SupersededBy(new AlertBookState(), "backup", Raise(Now.AddHours(-3)))); // none kept
    }

    [Fact]
    public void AResolveTheBookRefusedIsNotKeptSoItsAlertStaysOpenAndARaiseIsKeptOpenOrNot()
    {
        var open = AlertBook.Raise(new AlertBookState(), AlertRules.DataAnomaly, "backup", null, null, "backup failed", Now.AddHours(-1));

        // The resolve applied changed nothing (refused for room): the alert is still open, so the resolve is not kept.
        Assert.Same(open, AnomalyResolves.Recorded(open, "backup", Resolve(Now)));
        Assert.Null(AnomalyResolves.Latest(open, "backup"));

        // A raise is kept even when it changed nothing (open already, or refused for room).
        Assert.Equal(Raise(Now), AnomalyResolves.Latest(AnomalyResolves.Recorded(open, "backup", Raise(Now)), "backup"));
        Assert.Equal(Raise(Now), AnomalyResolves.Latest(AnomalyResolves.Recorded(new AlertBookState(), "backup", Raise(Now)), "backup"));
    }

    [Fact]
    public void PastEightSourcesTheOneReportedLongestAgoIsForgottenWhateverItsKind()
    {
        var book = new AlertBookState();
        foreach (var i in Enumerable.Range(0, AnomalyResolves.MaxSources + 1))
        {
            book = AnomalyResolves.Recorded(book, "src-" + i, i % 2 == 0 ? Resolve(Now.AddMinutes(i)) : Raise(Now.AddMinutes(i)));
        }

        Assert.Equal(AnomalyResolves.MaxSources, book.AnomalyResolvedAt!.Count + book.AnomalyRaisedAt!.Count);
        Assert.Null(AnomalyResolves.Latest(book, "src-0"));
        Assert.Null(AnomalyResolves.SupersededBy(book, "src-0", Raise(Now.AddMinutes(-1)))); // taken as before
        Assert.Equal(Resolve(Now.AddMinutes(8)), AnomalyResolves.SupersededBy(book, "src-8", Raise(Now)));
        Assert.Equal(Raise(Now.AddMinutes(7)), AnomalyResolves.SupersededBy(book, "src-7", Resolve(Now)));
        Assert.InRange(AnomalyResolves.StoredBytes(book), 1, AnomalyResolves.MaxBytes);
    }

    [Fact]
    public void LongChineseSourcesAreKeptWithinTheBytesTheBookCountsForThem()
    {
        var book = new AlertBookState();
        foreach (var i in Enumerable.Range(0, AnomalyResolves.MaxSources))
        {
            // 64 characters, the most the alerts grain keeps: 6 bytes each escaped as stored.
            var report = i % 2 == 0 ? Raise(Now.AddMinutes(i).AddTicks(1234567)) : Resolve(Now.AddMinutes(i).AddTicks(1234567));
            book = AnomalyResolves.Recorded(book, i + new string('库', 63), report);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(new { anomalyResolvedAt = book.AnomalyResolvedAt, anomalyRaisedAt = book.AnomalyRaisedAt }, StoredWithoutNulls).Length;
        Assert.Equal(json, AnomalyResolves.StoredBytes(book));
        Assert.InRange(json, 1, AnomalyResolves.MaxBytes);
        var kept = Assert.Single(book.AnomalyResolvedAt!); // measured: one such source fits in 512 bytes, the latest
        Assert.Null(book.AnomalyRaisedAt);
        Assert.Equal((7 + new string('库', 63), Now.AddMinutes(7).AddTicks(1234567)), (kept.Key, kept.Value));
    }

    [Fact]
    public void ABookStoredWithItsReportsLoadsThemAndOneStoredBeforeThemLoadsWithNone()
    {
        var book = AnomalyResolves.Recorded(AnomalyResolves.Recorded(new AlertBookState(), "backup", Resolve(Now)), "storage", Raise(Now.AddMinutes(1)));
        var stored = JsonSerializer.Serialize(book, Stored);
        Assert.EndsWith(
            "\"anomalyResolvedAt\":{\"backup\":\"2026-12-06T02:00:00+00:00\"},\"anomalyRaisedAt\":{\"storage\":\"2026-12-06T02:01:00+00:00\"}}",
            stored,
            StringComparison.Ordinal);

        var loaded = JsonSerializer.Deserialize<AlertBookState>(stored, Stored)!;
        Assert.Equal(Resolve(Now), AnomalyResolves.SupersededBy(loaded, "backup", Raise(Now.AddSeconds(-1))));
        Assert.Equal(Raise(Now.AddMinutes(1)), AnomalyResolves.SupersededBy(loaded, "storage", Resolve(Now.AddMinutes(1).AddTicks(-1))));
        Assert.DoesNotContain("anomaly", JsonSerializer.Serialize(new AlertBookState(), Stored), StringComparison.Ordinal);
        var old = JsonSerializer.Deserialize<AlertBookState>("{\"open\":{},\"history\":[],\"episodes\":{},\"outbox\":[]}", Stored)!;
        Assert.Equal((null, null), (old.AnomalyResolvedAt, old.AnomalyRaisedAt));
    }
}
