using System.Text.Json;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The alert book orders <c>data.anomaly</c> reports of one source across silos by when they were observed
/// (<see cref="AnomalyResolves"/>): a raise observed before the latest resolve it holds is ignored, the kept resolves
/// bounded.
/// </summary>
public sealed class AnomalyResolvesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 2, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web);

    [Fact]
    public void ARaiseObservedBeforeTheLatestResolveOfItsSourceIsStaleOneObservedAtOrAfterItStands()
    {
        var book = AnomalyResolves.Resolved(new AlertBookState(), "backup", Now);

        Assert.Equal(Now, AnomalyResolves.StaleAgainst(book, "backup", Now.AddTicks(-1)));
        Assert.Equal(Now, AnomalyResolves.StaleAgainst(book, "backup", Now.AddHours(-3)));
        Assert.Null(AnomalyResolves.StaleAgainst(book, "backup", Now));
        Assert.Null(AnomalyResolves.StaleAgainst(book, "backup", Now.AddMinutes(1)));
        Assert.Null(AnomalyResolves.StaleAgainst(book, "storage-check", Now.AddHours(-3))); // another source
        Assert.Null(AnomalyResolves.StaleAgainst(new AlertBookState(), "backup", Now.AddHours(-3))); // none kept
    }

    [Fact]
    public void TheLatestResolveIsKeptAnOlderOneLandingLateChangesNothing()
    {
        var book = AnomalyResolves.Resolved(new AlertBookState(), "backup", Now);

        Assert.Same(book, AnomalyResolves.Resolved(book, "backup", Now.AddMinutes(-5)));
        Assert.Same(book, AnomalyResolves.Resolved(book, "backup", Now));
        var later = AnomalyResolves.Resolved(book, "backup", Now.AddMinutes(5));
        Assert.Equal(Now.AddMinutes(5), later.AnomalyResolvedAt!["backup"]);
        Assert.Equal(Now.AddMinutes(5), AnomalyResolves.StaleAgainst(later, "backup", Now.AddMinutes(1)));
    }

    [Fact]
    public void PastEightSourcesTheOneResolvedLongestAgoIsForgottenAndItsLateRaiseStandsAgain()
    {
        var book = new AlertBookState();
        foreach (var i in Enumerable.Range(0, AnomalyResolves.MaxSources + 1))
        {
            book = AnomalyResolves.Resolved(book, "src-" + i, Now.AddMinutes(i));
        }

        Assert.Equal(AnomalyResolves.MaxSources, book.AnomalyResolvedAt!.Count);
        Assert.DoesNotContain("src-0", book.AnomalyResolvedAt.Keys);
        Assert.Null(AnomalyResolves.StaleAgainst(book, "src-0", Now.AddMinutes(-1)));
        Assert.Equal(Now.AddMinutes(8), AnomalyResolves.StaleAgainst(book, "src-8", Now));
    }

    [Fact]
    public void LongChineseSourcesAreKeptWithinTheBytesTheBookCountsForThem()
    {
        var book = new AlertBookState();
        foreach (var i in Enumerable.Range(0, AnomalyResolves.MaxSources))
        {
            // 64 characters, the most the alerts grain keeps: 6 bytes each escaped as stored.
            book = AnomalyResolves.Resolved(book, i + new string('库', 63), Now.AddMinutes(i).AddTicks(1234567));
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(new { anomalyResolvedAt = book.AnomalyResolvedAt }, Stored).Length;
        Assert.InRange(json, 1, AnomalyResolves.MaxBytes);
        var kept = Assert.Single(book.AnomalyResolvedAt!); // measured: one such source fits in 512 bytes, the latest
        Assert.Equal((7 + new string('库', 63), Now.AddMinutes(7).AddTicks(1234567)), (kept.Key, kept.Value));
    }

    [Fact]
    public void ABookStoredWithItsResolvesLoadsThemAndOneStoredBeforeThemLoadsWithNone()
    {
        var book = AnomalyResolves.Resolved(new AlertBookState(), "backup", Now);
        var stored = JsonSerializer.Serialize(book, Stored);
        Assert.Contains("\"anomalyResolvedAt\":{\"backup\":\"2026-12-06T02:00:00+00:00\"}", stored, StringComparison.Ordinal);

        var loaded = JsonSerializer.Deserialize<AlertBookState>(stored, Stored)!;
        Assert.Equal(Now, AnomalyResolves.StaleAgainst(loaded, "backup", Now.AddSeconds(-1)));
        Assert.DoesNotContain("anomalyResolvedAt", JsonSerializer.Serialize(new AlertBookState(), Stored), StringComparison.Ordinal);
        Assert.Null(JsonSerializer.Deserialize<AlertBookState>("{\"open\":{},\"history\":[],\"episodes\":{},\"outbox\":[]}", Stored)!.AnomalyResolvedAt);
    }
}
