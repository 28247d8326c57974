using Azure.Data.Tables;
using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Programme;
using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.Logging;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// The largest alert book the bounds allow (<see cref="AlertBookBounds"/>) is written and read back through the official
/// Azure table provider on Azurite, and an evaluation whose raises the full book refuses logs one Warning for all of them.
/// </summary>
public sealed class AlertBookCapacityTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Engagement:Alerts:ComplaintMinActive"] = "10" };
    private static readonly AlertOptions Options = new() { ActivityBaseline = 0.05 };

    [Fact]
    public async Task TheLargestBookIsWrittenAndReadBackAndItsRefusalsAreOneWarning()
    {
        var logs = new LogCapture();
        await using var silo = new ProgrammeSilo { Logs = logs };
        await silo.StartAsync(Settings);

        var book = Largest(ProgrammeSilo.Start.AddDays(-2));
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await silo.WriteAlertBookAsync(book);

        // The row the provider wrote (table "gs" + the silo's suffix, which its queue name also ends with): within its 15
        // properties of 32K characters.
        var characters = 0L;
        await foreach (var row in StorageClients.Tables().GetTableClient("gs" + silo.AlertQueue["alerts-".Length..]).QueryAsync<TableEntity>())
        {
            var data = row.Where(p => p.Key.StartsWith("StringData", StringComparison.Ordinal)).Select(p => p.Value as string ?? "").ToList();
            if (string.Concat(data).Contains("complaints.high:", StringComparison.Ordinal))
            {
                characters += data.Sum(v => (long)v.Length);
            }
        }

        // The book is bounded in UTF-8 bytes of JSON with non-ASCII escaped (AlertBookBounds, never under what is stored);
        // stored with it unescaped (StoredStateText) the row holds exactly the serializer's text, a little shorter.
        Assert.Equal(StoredStateText.Characters(new JsonGrainStateSerializer().Serialize(book).ToMemory().Span), characters);
        Assert.InRange(characters, AlertBookBounds.BookMaxBytes - 45_000, EngagementStorageOptions.ProviderStringCapacity);

        // The provider reads back the book as written, part for part.
        var stored = await silo.ReadAlertBookAsync();
        Assert.NotNull(stored);
        Assert.Equal(book.Open, stored.Open);
        Assert.Equal(book.Episodes, stored.Episodes);
        Assert.Equal(book.EpisodeFloor, stored.EpisodeFloor);
        Assert.Equal(book.History, stored.History);
        Assert.Equal(book.Outbox, stored.Outbox);
        Assert.Equal(book.LastEvaluatedAt, stored.LastEvaluatedAt);

        // The grain reads it back whole: every open alert, by rule (at most 1,000 a query).
        var open = 0;
        foreach (var rule in AlertRules.All)
        {
            open += (await alerts.FindAsync(AlertStates.Open, rule, null, 1000)).Count;
        }

        Assert.Equal(book.Open.Count, open);

        // Two regions breach the complaint ceiling: the full book refuses both raises, one Warning says so.
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"cap-e{i}"), "login", Yesterday, "east"));
        await silo.Sink.ApplyAsync(Events(["cap-e-angry"], "complaint", Yesterday, "east"));
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"cap-w{i}"), "login", Yesterday, "west"));
        await silo.Sink.ApplyAsync(Events(["cap-w-angry"], "complaint", Yesterday, "west"));
        await alerts.EvaluateAsync();

        var warning = Assert.Single(logs.Lines(LogLevel.Warning, "Alert book full"));
        Assert.Contains("2 alert changes refused (2 raises), first raise complaints.high in east, raise complaints.high in west", warning, StringComparison.Ordinal);
        Assert.Empty(await alerts.FindAsync(AlertStates.Open, AlertRules.ComplaintsHigh, "east", 10));
        Assert.Empty(logs.Lines(LogLevel.Warning, "Alert complaints.high in east"));

        // Shown where alerts are read, not only logged (GET /alerts/refused, the console): which, how many, since when.
        var first = await alerts.GetRaisesRefusedAsync();
        Assert.Equal((true, 2L, 2), (first.Refused, first.Total, first.LastCount));
        Assert.Equal([(AlertRules.ComplaintsHigh, "east"), (AlertRules.ComplaintsHigh, "west")], first.Alerts.Select(a => (a.Rule, a.RegionId)));
        Assert.Equal(first.Since, first.LastAt);

        // Judged again at the next evaluation: one Warning for it again, not one per refused alert; counted again.
        await alerts.EvaluateAsync();
        Assert.Equal(2, logs.Lines(LogLevel.Warning, "Alert book full").Count);
        var second = await alerts.GetRaisesRefusedAsync();
        Assert.Equal((true, 4L, 2, first.Since), (second.Refused, second.Total, second.LastCount, second.Since));

        // An anomaly the full book refuses (the longest text the grain keeps): one Warning, retried when its source reports again.
        await alerts.RaiseAnomalyAsync("backup-cap", new string('库', 500));
        Assert.Empty(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup-cap", 10));
        var anomaly = Assert.Single(logs.Lines(LogLevel.Warning, "Alert book full: 1 alert change refused (raise data.anomaly in backup-cap)"));
        Assert.Contains("tried again when its source reports again", anomaly, StringComparison.Ordinal);
        // It is counted beside the evaluation's refusals, which stay shown: 3 alerts not raised now.
        var withAnomaly = await alerts.GetRaisesRefusedAsync();
        Assert.Equal((5L, 3), (withAnomaly.Total, withAnomaly.LastCount));
        Assert.Equal(
            [(AlertRules.ComplaintsHigh, "east"), (AlertRules.ComplaintsHigh, "west"), (AlertRules.DataAnomaly, "backup-cap")],
            withAnomaly.Alerts.Select(a => (a.Rule, a.RegionId)));

        // A new silo reads the book back as written, the refusals with it.
        await silo.StopAsync();
        await silo.StartAsync(Settings);
        Assert.Single(await silo.Grains.GetGrain<IAlertsGrain>(0).FindAsync(AlertStates.Open, AlertRules.PointsLiabilityJump, AlertRules.AllRegions, 10));

        var reloaded = await silo.Grains.GetGrain<IAlertsGrain>(0).GetRaisesRefusedAsync();
        Assert.Equal((true, withAnomaly.Since, withAnomaly.Total, withAnomaly.LastAt, withAnomaly.LastCount), (reloaded.Refused, reloaded.Since, reloaded.Total, reloaded.LastAt, reloaded.LastCount));
        Assert.Equal(withAnomaly.Alerts, reloaded.Alerts);

        // Room again: a rule turned off resolves its alerts (in parts, each published). The complaints are judged before
        // the room is freed, so they open at the evaluation's later part or the next evaluation; then the record clears.
        await silo.StopAsync();
        await silo.StartAsync(new Dictionary<string, string?>(Settings) { ["Engagement:Alerts:Disabled:0"] = AlertRules.BenefitsRedemptionLow });
        alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await alerts.EvaluateAsync();
        await alerts.EvaluateAsync();
        Assert.Single(await alerts.FindAsync(AlertStates.Open, AlertRules.ComplaintsHigh, "east", 10));
        Assert.Single(await alerts.FindAsync(AlertStates.Open, AlertRules.ComplaintsHigh, "west", 10));
        // The evaluations raised everything they wanted; the anomaly is still not raised and stays shown.
        var pending = await alerts.GetRaisesRefusedAsync();
        Assert.Equal((true, 1), (pending.Refused, pending.LastCount));
        Assert.Equal([(AlertRules.DataAnomaly, "backup-cap")], pending.Alerts.Select(a => (a.Rule, a.RegionId)));

        // Its source reports again and there is room: raised, and the record clears.
        await alerts.RaiseAnomalyAsync("backup-cap", "backup failed again");
        Assert.Single(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup-cap", 10));
        var cleared = await alerts.GetRaisesRefusedAsync();
        Assert.Equal((false, 0L, 0, (DateTimeOffset?)null, (DateTimeOffset?)null), (cleared.Refused, cleared.Total, cleared.LastCount, cleared.Since, cleared.LastAt));
        Assert.Empty(cleared.Alerts);
    }

    /// <summary>
    /// Every rule breached in 257 regions of 32-character ids and programme-wide, raised as the grain does (in parts, each
    /// published), then topped up with regional alerts of shorter messages until not even an empty one fits, and the
    /// programme's reserve likewise with anomalies.
    /// </summary>
    private static AlertBookState Largest(DateTimeOffset now)
    {
        var regions = Enumerable.Range(0, 256).Select(i => ("region-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).PadRight(MetricsOptions.MaxRegionLength, 'x')).Append("_other");
        List<AlertObservation> observations = [.. Observe(AlertRules.AllRegions), .. regions.SelectMany(Observe)];
        var book = new AlertBookState();
        for (var part = 0; part < 32; part++)
        {
            var evaluation = AlertBook.Evaluate(book, observations, now, 500);
            book = AlertBook.Published(evaluation.State, evaluation.State.Outbox.Select(r => r.MessageId).ToList());
            if (!evaluation.Refused.Any(r => r.Waits))
            {
                break;
            }
        }

        book = TopUp(book, (b, length) => AlertBook.Raise(b, AlertRules.ComplaintsHigh, "t" + b.Open.Count, 0.5, 0.03, new string('m', length), now));
        // The programme's reserve, with anomalies of the longest texts the grain keeps (500 Chinese characters, 6 bytes each).
        return TopUp(book, (b, length) => AlertBook.Raise(b, AlertRules.DataAnomaly, "src-" + b.Open.Count, null, null, new string('库', Math.Min(500, length * 3 / 2)), now), 340);
    }

    /// <summary>Raises with <paramref name="raise"/> (given a message length) until not even an empty message fits.</summary>
    private static AlertBookState TopUp(AlertBookState book, Func<AlertBookState, int, AlertBookState> raise, int length = 300)
    {
        while (length >= 0)
        {
            var next = raise(book, length);
            if (ReferenceEquals(next, book))
            {
                length -= 20;
            }

            book = AlertBook.Published(next, next.Outbox.Select(r => r.MessageId).ToList());
        }

        return book;
    }

    private static IEnumerable<AlertObservation> Observe(string region)
    {
        var today = DateOnly.FromDateTime(ProgrammeSilo.Start.UtcDateTime);
        var days = Options.LookbackDays;
        var series = Enumerable.Range(0, days).Select(i => new HealthDay { Day = today.AddDays(i - days + 1), ActiveShare = 0.0123 }).ToList();
        var counters = Enumerable.Range(0, days).Select(i => new DayCounters
        {
            Day = today.AddDays(i - days + 1),
            Counters = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                [MetricNames.CouponsIssued] = 1_000, [MetricNames.CouponsRedeemed] = 13, [MetricNames.Dau] = 1_000,
                [MetricNames.Complaints] = 57, [MetricNames.PointsIssued] = 100_000, [MetricNames.PointsRedeemed] = 1_234,
            },
        }).ToList();
        var observed = AlertPolicy.Observe(region, series, counters, Options).Where(o => o.Rule != AlertRules.PointsLiabilityJump);
        return region != AlertRules.AllRegions ? observed : observed.Append(new AlertObservation
        {
            Rule = AlertRules.PointsLiabilityJump, RegionId = AlertRules.AllRegions, Breached = true, Value = 0.2345, Threshold = 0.15, Direction = AlertDirections.Above,
            Message = "points outstanding 12345678 at the end of 2026-11-22, +23.45% against the median 10000000 (ceiling +15% over the 7 days): check earn rules, bonus campaigns and manual adjustments of those days for points issued in error, and tell finance the liability grew",
        });
    }
}
