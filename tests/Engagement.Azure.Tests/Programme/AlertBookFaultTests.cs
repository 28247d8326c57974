using System.Diagnostics;
using Azure.Storage.Queues;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// The alert book's fault paths on Azurite (its row in the grain-state table, its messages on the alert queue): an
/// evaluation written in parts whose publish or next write fails, and a <c>data.anomaly</c> report whose write fails.
/// The faults are the silo's (<see cref="ProgrammeSilo.FailPublishes"/>, <see cref="ProgrammeSilo.FailAlertBookWrites"/>:
/// refused before they reach the queue or the table); everything else is real.
/// </summary>
public sealed class AlertBookFaultTests
{
    /// <summary>One member and one complaint a day judge the complaint rate; 1 point issued judges the points band.</summary>
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Engagement:Alerts:ComplaintMinActive"] = "1",
        ["Engagement:Alerts:PointsMinIssued"] = "1",
    };

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the evaluation's calls inside the silo (the metrics reader's range reads, Orleans' default 30 s) may take
    /// in the tests whose fault comes after them: longer than the evaluation's own 3 minutes
    /// (<see cref="IAlertsGrain.EvaluateAsync"/>), so a read slowed by a loaded machine never fails the evaluation before
    /// the injected fault does.
    /// </summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Regions fed: each breaches two rules, so one evaluation raises 2 × 200 + 2 programme-wide alerts, over 64 KiB of outbox.</summary>
    private const int Regions = 200;

    private const int Breaches = (2 * Regions) + 2;

    [Fact]
    public async Task APublishThatFailsAfterTheFirstPartLosesNoAlertRaisesNoneTwiceAndShowsNothingRefused()
    {
        await using var silo = new ProgrammeSilo { ResponseTimeout = ReadTimeout };
        await silo.StartAsync(Settings);
        await FeedAsync(silo);
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await alerts.GetAsync(null, 1);

        // Part 1 is written with its outbox; its publish fails, so the evaluation stops there.
        silo.FailPublishes = 1;
        var fault = await InjectedAsync<IOException>(() => alerts.EvaluateAsync());
        Assert.Equal("simulated crash before the alert reached the queue", fault.Message);
        Assert.Equal(1, silo.AlertBookWrites);
        var written = (await alerts.GetAsync(AlertStates.Open, 1000)).Count;
        Assert.InRange(written, 1, Breaches - 1);
        // The raises waiting for part 2 are not shown as refused: nothing was refused for want of room.
        AssertNoneRefused(await alerts.GetRaisesRefusedAsync());

        // The next evaluation raises the rest (on a new activation: the failed publish deactivated the grain, and the
        // activation published part 1's outbox when the read above woke it); part 1's messages went out once.
        await alerts.EvaluateAsync();
        var open = await alerts.GetAsync(AlertStates.Open, 1000);
        Assert.Equal(Breaches, open.Count);
        Assert.All(open, a => Assert.EndsWith(":1", a.AlertId, StringComparison.Ordinal));
        var messages = await DrainAsync(silo);
        Assert.Equal(open.Select(a => a.AlertId + ":open").Order(StringComparer.Ordinal), messages.Order(StringComparer.Ordinal));
        AssertNoneRefused(await alerts.GetRaisesRefusedAsync());
    }

    [Fact]
    public async Task APartWhoseWriteFailsLosesNoAlertRaisesNoneTwiceAndTheRetryRecordsWhatTheFullBookRefused()
    {
        await using var silo = new ProgrammeSilo { ResponseTimeout = ReadTimeout };
        await silo.StartAsync(Settings);
        await FeedAsync(silo);
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        // A book whose open data anomalies leave room for some 300 of the 402 alerts (stored before the grain's activation).
        var fill = Filled(ProgrammeSilo.Start.AddDays(-1), room: 90_000);
        await silo.WriteAlertBookAsync(fill);
        var writesBefore = silo.AlertBookWrites;

        // Part 1 is written and published (two writes); part 2's write fails.
        silo.AlertBookWritesBeforeFault = 2;
        silo.FailAlertBookWrites = 1;
        AssertInjectedWriteFault(await InjectedAsync<global::Azure.RequestFailedException>(() => alerts.EvaluateAsync()));
        Assert.Equal(writesBefore + 2, silo.AlertBookWrites);
        var part1 = (await alerts.GetAsync(AlertStates.Open, 1000)).Where(a => a.Rule != AlertRules.DataAnomaly).ToList();
        Assert.InRange(part1.Count, 1, Breaches - 1);
        AssertNoneRefused(await alerts.GetRaisesRefusedAsync());

        // Memory is never ahead of storage: the stored row holds exactly the open alerts the grain shows, its outbox published.
        var stored = await silo.ReadAlertBookAsync();
        var shown = (await alerts.GetAsync(AlertStates.Open, 1000)).Select(a => a.AlertId).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(shown, stored!.Open.Values.Select(a => a.AlertId).Order(StringComparer.Ordinal));
        Assert.Equal(fill.Open.Count + part1.Count, shown.Count);
        Assert.Empty(stored!.Outbox);

        // The retry raises what fits in parts and records the rest, refused for want of room.
        silo.Clock.Advance(TimeSpan.FromMinutes(5));
        await alerts.EvaluateAsync();
        var open = (await alerts.GetAsync(AlertStates.Open, 1000)).Where(a => a.Rule != AlertRules.DataAnomaly).ToList();
        var refused = await alerts.GetRaisesRefusedAsync();
        Assert.True(refused.Refused);
        Assert.True(open.Count > part1.Count, "the retry raised more parts");
        Assert.Equal(Breaches, open.Count + refused.LastCount);
        Assert.Equal((long)refused.LastCount, refused.Total); // the failed evaluation recorded none
        Assert.Equal(ProgrammeSilo.Start.AddMinutes(5), refused.Since);
        Assert.Equal(refused.Since, refused.LastAt);
        Assert.Equal(Math.Min(AlertRaisesRefused.MaxAlerts, refused.LastCount), refused.Alerts.Count);
        var raised = open.Select(a => (a.Rule, a.RegionId)).ToHashSet();
        Assert.All(refused.Alerts, r => Assert.DoesNotContain((r.Rule, r.RegionId), raised));
        Assert.All(refused.Alerts, r => Assert.NotEqual(AlertRules.AllRegions, r.RegionId)); // the programme's reserve held
        Assert.All(open, a => Assert.EndsWith(":1", a.AlertId, StringComparison.Ordinal));
        Assert.Equal(open.Select(a => a.AlertId + ":open").Order(StringComparer.Ordinal), (await DrainAsync(silo)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnAnomalyWhoseWriteFailsIsLoggedAndRetriedUntilRaisedNotDropped()
    {
        var logs = new LogCapture();
        await using var silo = new ProgrammeSilo { Logs = logs };
        var (alerts, reporter) = await StartReportingAsync(silo);

        // The write fails twice (the report and its first retry): thrown back to the reporting listener, then tried again.
        silo.FailAlertBookWrites = 2;
        AssertInjectedWriteFault(await InjectedAsync<global::Azure.RequestFailedException>(() => reporter.RaiseAsync("backup", "backup 20261124-015900 failed after 3 complete tables: RequestFailedException")));
        Assert.Empty(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup", 10));
        var warning = Assert.Single(logs.Lines(LogLevel.Warning, "Alert data.anomaly in backup: its raise was not written to the alert book (try 1)"));
        Assert.Contains("tried again at 2026-11-24T02:01:00.0000000+00:00 UTC", warning, StringComparison.Ordinal);
        Assert.Matches(@"\(try 1\): \w*Exception; tried again", warning); // the exception's type, as the grain call threw it

        silo.Clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => logs.Lines(LogLevel.Warning, "in backup: its raise was not written to the alert book (try 2)").Count == 1, Deadline, "the first retry fails");
        Assert.Empty(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup", 10));

        // 2 minutes after the second failure it is raised, once.
        silo.Clock.Advance(TimeSpan.FromMinutes(2));
        await Eventually.TrueAsync(async () => (await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup", 10)).Count == 1, Deadline, "the retry raises it");
        var open = Assert.Single(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup", 10));
        Assert.Equal("backup 20261124-015900 failed after 3 complete tables: RequestFailedException", open.Message);
        Assert.Equal(ProgrammeSilo.Start.AddMinutes(3), open.RaisedAt);
        await Eventually.TrueAsync(() => logs.Lines(LogLevel.Information, "Alert data.anomaly in backup: its raise was written to the alert book at try 3").Count == 1, Deadline, "the late write is logged");
        Assert.Equal(["data.anomaly:backup:1:open"], await DrainAsync(silo));

        // A raise that fails and is then replaced by its source's resolve is never raised after it.
        silo.FailAlertBookWrites = 1;
        AssertInjectedWriteFault(await InjectedAsync<global::Azure.RequestFailedException>(() => reporter.RaiseAsync("storage-check", "storage check failed")));
        await reporter.ResolveAsync("storage-check");
        silo.Clock.Advance(TimeSpan.FromHours(2));
        await reporter.RaiseAsync("backup", "backup failed again"); // waits behind any retry: one report at a time
        Assert.Empty(await alerts.FindAsync(null, AlertRules.DataAnomaly, "storage-check", 10));
        Assert.Empty(logs.Lines(LogLevel.Information, "in storage-check: its raise was written"));
    }

    [Fact]
    public async Task AnAnomalyWhoseWriteKeepsFailingIsGivenUpAtItsTenthTryWithAnErrorNamingRuleAndSource()
    {
        var logs = new LogCapture();
        await using var silo = new ProgrammeSilo { Logs = logs };
        var (alerts, reporter) = await StartReportingAsync(silo);

        silo.FailAlertBookWrites = PendingAnomalyReports.MaxTries;
        AssertInjectedWriteFault(await InjectedAsync<global::Azure.RequestFailedException>(() => reporter.RaiseAsync("backup", "backup failed")));
        for (var tries = 2; tries <= PendingAnomalyReports.MaxTries; tries++)
        {
            silo.Clock.Advance(PendingAnomalyReports.Delay(tries - 1));
            var level = tries < PendingAnomalyReports.MaxTries ? LogLevel.Warning : LogLevel.Error;
            var line = tries < PendingAnomalyReports.MaxTries ? $"in backup: its raise was not written to the alert book (try {tries})" : "Alert data.anomaly in backup: its raise is given up after 10 failed tries since 2026-11-24T02:00:00.0000000+00:00 UTC, the last ";
            await Eventually.TrueAsync(() => logs.Lines(level, line).Count == 1, Deadline, $"failed try {tries} is logged");
        }

        // Given up: not tried again, however long the clock runs (a retry now would be written and raise it).
        Assert.Equal(0, silo.FailAlertBookWrites);
        silo.Clock.Advance(TimeSpan.FromHours(6));
        await reporter.RaiseAsync("other", "other failed"); // waits behind any retry: one report at a time
        Assert.Single(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "other", 10));
        Assert.Empty(await alerts.FindAsync(null, AlertRules.DataAnomaly, "backup", 10));
        Assert.Empty(logs.Lines(LogLevel.Warning, "(try 11)"));
    }

    [Fact]
    public async Task ARaiseRetriedAfterAnotherSiloResolvedItsSourceIsIgnoredAndLoggedAndALaterFailureStillRaises()
    {
        var logs = new LogCapture();
        await using var silo = new ProgrammeSilo { Logs = logs };
        var (alerts, reporter) = await StartReportingAsync(silo);

        // 02:00 this silo's backup fails and its raise is not written; 02:00:30 another silo's backup completes and
        // resolves the source (nothing open yet); 02:01 the raise is retried here.
        silo.FailAlertBookWrites = 1;
        AssertInjectedWriteFault(await InjectedAsync<global::Azure.RequestFailedException>(() => reporter.RaiseAsync("backup", "backup 20261124-015900 failed")));
        silo.Clock.Advance(TimeSpan.FromSeconds(30));
        await alerts.ResolveObservedAnomalyAsync("backup", silo.Clock.GetUtcNow()); // as another silo's reporter sends it
        silo.Clock.Advance(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => logs.Lines(LogLevel.Information, "Alert data.anomaly in backup: its raise was written to the alert book at try 2").Count == 1, Deadline, "the retry is taken");

        Assert.Empty(await alerts.FindAsync(null, AlertRules.DataAnomaly, "backup", 10));
        var ignored = Assert.Single(logs.Lines(LogLevel.Information, "Alert data.anomaly in backup: a raise observed at 2026-11-24T02:00:00.0000000+00:00 UTC is ignored"));
        Assert.Contains("observed at 2026-11-24T02:00:30.0000000+00:00 UTC", ignored, StringComparison.Ordinal);
        Assert.Empty(await silo.AlertMessagesAsync());

        // The resolve is kept in the stored row: a new activation still ignores the stale raise; a later failure raises.
        var stored = await silo.ReadAlertBookAsync();
        Assert.Equal(ProgrammeSilo.Start.AddSeconds(30), stored!.AnomalyResolvedAt!["backup"]);
        await silo.StopAsync();
        await silo.StartAsync(Settings);
        alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await alerts.RaiseObservedAnomalyAsync("backup", "late", ProgrammeSilo.Start);
        Assert.Empty(await alerts.FindAsync(null, AlertRules.DataAnomaly, "backup", 10));
        silo.Clock.Advance(TimeSpan.FromHours(1));
        await silo.Services.GetRequiredService<IDataAnomalyReporter>().RaiseAsync("backup", "backup 20261124-025900 failed");
        var open = Assert.Single(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup", 10));
        Assert.Equal("backup 20261124-025900 failed", open.Message);
        Assert.Equal(["data.anomaly:backup:1:open"], await DrainAsync(silo));
    }

    [Fact]
    public async Task AResolveRetriedAfterANewerRaiseIsIgnoredAcrossARestartAndOneObservedAfterTheRaiseClosesIt()
    {
        var logs = new LogCapture();
        await using var silo = new ProgrammeSilo { Logs = logs };
        var (alerts, _) = await StartReportingAsync(silo);
        var t1 = ProgrammeSilo.Start; // a backup completes on one silo; its resolve fails to write and waits there
        var t2 = ProgrammeSilo.Start.AddMinutes(1); // a later backup fails on another silo and raises
        silo.Clock.Advance(TimeSpan.FromMinutes(2));

        await alerts.RaiseObservedAnomalyAsync("backup", "backup 20261124-020000 failed", t2);
        await alerts.ResolveObservedAnomalyAsync("backup", t1); // the late retry

        Assert.Single(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup", 10));
        var ignored = Assert.Single(logs.Lines(LogLevel.Information, "Alert data.anomaly in backup: a resolve observed at 2026-11-24T02:00:00.0000000+00:00 UTC is ignored"));
        Assert.Contains("older than the latest raise of its source, observed at 2026-11-24T02:01:00.0000000+00:00 UTC", ignored, StringComparison.Ordinal);

        // The raise is kept in the stored row: after a restart the late resolve still leaves it open.
        var stored = await silo.ReadAlertBookAsync();
        Assert.Equal(t2, stored!.AnomalyRaisedAt!["backup"]);
        Assert.Null(stored.AnomalyResolvedAt);
        await silo.StopAsync();
        await silo.StartAsync(Settings);
        alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await alerts.ResolveObservedAnomalyAsync("backup", t1);
        Assert.Single(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup", 10));

        await alerts.ResolveObservedAnomalyAsync("backup", t2.AddSeconds(1));
        Assert.Empty(await alerts.FindAsync(AlertStates.Open, AlertRules.DataAnomaly, "backup", 10));
        Assert.Equal(["data.anomaly:backup:1:open", "data.anomaly:backup:1:resolved"], await DrainAsync(silo));
    }

    /// <summary>
    /// The injected fault <typeparamref name="T"/> that <paramref name="call"/> failed with, found in the exception it threw
    /// or one it wraps (the grain storage bridge wraps a storage fault in an <c>OrleansException</c>). Any other
    /// failure fails the test here, with that exception: a timeout or a storage error of a loaded machine before the fault
    /// was reached must not pass for the fault (it did once, then the write counts failed with no cause shown).
    /// </summary>
    private static async Task<T> InjectedAsync<T>(Func<Task> call)
        where T : Exception
    {
        var thrown = await Record.ExceptionAsync(call);
        Assert.NotNull(thrown);
        for (var e = thrown; e is not null; e = e.InnerException)
        {
            if (e is T fault)
            {
                return fault;
            }
        }

        Assert.Fail($"expected the injected {typeof(T).Name}, the call failed with {thrown}");
        throw new UnreachableException();
    }

    /// <summary>The 503 <see cref="ProgrammeSilo.AlertBookFaults"/> throws for an alert book write it is told to fail.</summary>
    private static void AssertInjectedWriteFault(global::Azure.RequestFailedException fault)
    {
        Assert.Equal(503, fault.Status);
        Assert.StartsWith("simulated: the table refused the alert book's write", fault.Message, StringComparison.Ordinal);
    }

    /// <summary>Starts <paramref name="silo"/> for an anomaly report's test: its alerts grain active, and the silo's reporter.</summary>
    private static async Task<(IAlertsGrain Alerts, IDataAnomalyReporter Reporter)> StartReportingAsync(ProgrammeSilo silo)
    {
        await silo.StartAsync(Settings);
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await alerts.GetAsync(null, 1);
        return (alerts, silo.Services.GetRequiredService<IDataAnomalyReporter>());
    }

    private static void AssertNoneRefused(AlertRaisesRefusedView view)
    {
        Assert.Equal((false, 0L, 0, (DateTimeOffset?)null), (view.Refused, view.Total, view.LastCount, view.Since));
        Assert.Empty(view.Alerts);
    }

    /// <summary>Regions fed per <c>Sink.ApplyAsync</c>: a few aggregator grains start at once, not hundreds (a loaded 2-core machine times them out).</summary>
    private const int RegionsPerBatch = 20;

    /// <summary>Feeds <see cref="Regions"/> regions whose complaint rate (50%) and points redemption (0%) breach, <see cref="RegionsPerBatch"/> at a time.</summary>
    private static async Task FeedAsync(ProgrammeSilo silo)
    {
        foreach (var batch in Enumerable.Range(0, Regions).Select(i => "r" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).Chunk(RegionsPerBatch))
        {
            await silo.Sink.ApplyAsync(Contributions(batch));
        }
    }

    private static List<MetricContribution> Contributions(IEnumerable<string> regions)
    {
        var contributions = new List<MetricContribution>();
        foreach (var region in regions)
        {
            contributions.AddRange(Events([region + "-m"], "login", Yesterday, region));
            contributions.AddRange(Events([region + "-angry"], "complaint", Yesterday, region));
            contributions.AddRange(MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
            {
                MemberId = region + "-buyer",
                EffectId = "purchase-" + region,
                Day = Yesterday,
                EventType = "purchase",
                Joined = true,
                FirstPurchase = true,
                Revenue = 10m,
                PointsIssued = 100,
                After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = 100 },
            }, Options).Contributions);
        }

        return contributions;
    }

    /// <summary>
    /// A book of open data anomalies (published) leaving <paramref name="room"/> bytes for regional raises
    /// (<see cref="AlertBookBounds.BookMaxBytes"/> less the programme's reserve and the fixed part).
    /// </summary>
    private static AlertBookState Filled(DateTimeOffset at, int room)
    {
        const int regionalLimit = AlertBookBounds.BookMaxBytes - AlertBookBounds.ProgrammeReserveBytes - 1696; // FixedBytes
        var book = new AlertBookState();
        for (var i = 0; AlertBookSizes.Of(book).Active < regionalLimit - room; i++)
        {
            book = AlertBook.Raise(book, AlertRules.DataAnomaly, "fill-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture), null, null, new string('库', 500), at);
            book = AlertBook.Published(book, book.Outbox.Select(r => r.MessageId).ToList());
        }

        return book;
    }

    /// <summary>Every message on the silo's alert queue (received and deleted), as their message ids.</summary>
    private static async Task<List<string>> DrainAsync(ProgrammeSilo silo)
    {
        var queue = StorageClients.Queues().GetQueueClient(silo.AlertQueue);
        var ids = new List<string>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0)
            {
                return ids;
            }

            foreach (var message in batch)
            {
                ids.Add(global::Engagement.Azure.Programme.AzureQueueAlertPublisher.Deserialize(message.Body.ToString())!.MessageId);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}
