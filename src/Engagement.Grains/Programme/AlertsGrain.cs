using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Programme;

/// <summary>
/// The programme's alert book (see <see cref="IAlertsGrain"/>). Rules are the domain's (<see cref="AlertPolicy"/>,
/// <see cref="AlertBook"/>); this grain reads the merged metrics, persists the book with its outbox in one write,
/// then publishes the outbox and persists it emptied. A crash before the publish leaves the change in the outbox
/// (published on the next activation); re-evaluation after a crash finds the episode open and raises nothing new.
/// </summary>
public sealed partial class AlertsGrain(
    [PersistentState("alerts", GrainStorageNames.State)] IPersistentState<AlertBookState> state,
    IAlertPublisher publisher,
    IProgrammeDaysReader days,
    IOptions<AlertOptions> alertOptions,
    IOptions<MetricsOptions> metricsOptions,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<AlertsGrain> logger)
    : Grain, IAlertsGrain, IRemindable
{
    /// <summary>The reminder that evaluates the rules every <see cref="AlertOptions.EvaluateEveryMinutes"/>.</summary>
    public const string ReminderName = "alerts-evaluate";

    /// <summary>Longest anomaly source kept (it becomes part of the region id of the alert).</summary>
    public const int MaxSourceLength = 64;

    private AlertOptions Options => alertOptions.Value;

    private AlertBookState State => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMinutes(Options.EvaluateEveryMinutes);
        await this.RegisterOrUpdateReminder(ReminderName, period, period, cancellationToken);
        if (state.State.Outbox.Count > 0)
        {
            await FlushAsync();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        await EvaluateAsync();
        await GrainFactory.GetGrain<IValueClassGrain>(0).GetThresholdsAsync();
    }

    public Task<IReadOnlyList<AlertView>> GetAsync(string? state, int limit) => FindAsync(state, null, null, limit);

    public Task<IReadOnlyList<AlertView>> FindAsync(string? state, string? rule, string? regionId, int limit)
    {
        var book = State;
        var all = book.Open.Values.OrderByDescending(a => a.RaisedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal)
            .Concat(book.History)
            .Where(a => (state is null || a.State == state) && (rule is null || a.Rule == rule) && (regionId is null || a.RegionId == regionId))
            .Take(Math.Clamp(limit, 1, 1000))
            .Select(ToView)
            .ToList();
        return Task.FromResult<IReadOnlyList<AlertView>>(all);
    }

    public Task<AlertRaisesRefusedView> GetRaisesRefusedAsync() => Task.FromResult(State.RaisesRefused is not { } r ? AlertRaisesRefusedView.None : new AlertRaisesRefusedView
    {
        Refused = true,
        Since = r.Since,
        Total = r.Total,
        LastAt = r.LastAt,
        LastCount = r.LastCount,
        Alerts =
        [
            .. r.Alerts.Select(a => new AlertRefusedAlertView { Rule = a.Rule, RegionId = a.RegionId }),
            .. (r.Anomalies ?? []).Select(s => new AlertRefusedAlertView { Rule = AlertRules.DataAnomaly, RegionId = s }),
        ],
    });

    /// <summary>
    /// Region ranges an evaluation reads at once: 8. They were read one after another, and a chain of 200 regions took
    /// 201 range reads (each a query of 121 days × shards) end to end, over Orleans' 30 s response timeout on a loaded
    /// machine; the reader (<see cref="IProgrammeMetricsGrain"/>, a stateless worker with read-only calls) serves them at
    /// once. Bounded, so an evaluation never starts hundreds of table queries together.
    /// </summary>
    internal const int ConcurrentReads = 8;

    public async Task<IReadOnlyList<AlertView>> EvaluateAsync()
    {
        var now = time.GetUtcNow();
        var reader = GrainFactory.GetGrain<IProgrammeMetricsGrain>(0);
        IReadOnlyList<string?> regions = [.. AlertPolicy.JudgedRegions(await reader.GetRegionsAsync()).Prepend<string?>(null)];
        var judged = new IReadOnlyList<AlertObservation>[regions.Count];
        using (var slots = new SemaphoreSlim(ConcurrentReads))
        {
            await Task.WhenAll(regions.Select(async (region, i) =>
            {
                await slots.WaitAsync();
                try
                {
                    judged[i] = await ObserveAsync(reader, region, now);
                }
                finally
                {
                    slots.Release();
                }
            }));
        }

        // In the order judged before (the programme, then each region), whatever order the reads finished in.
        await ApplyAsync([.. judged.SelectMany(o => o)], now);
        return await GetAsync(AlertStates.Open, 1000);
    }

    /// <summary>The observations of <paramref name="region"/> (null: the whole programme) at <paramref name="now"/> (UTC).</summary>
    private async Task<IReadOnlyList<AlertObservation>> ObserveAsync(IProgrammeMetricsGrain reader, string? region, DateTimeOffset now)
    {
        // The programme judges the days complete in every region's zone; their members are worked back from the
        // live gauge as the health ranges' are (HealthRange).
        var today = metricsOptions.Value.CurrentDay(now, region);
        var range = await HealthRange.ReadAsync(days, metricsOptions.Value, region, today.AddDays(-(Options.LookbackDays - 1)), today, now);
        // The liability rule works each day's outstanding points back from the live gauge of all regions: the
        // programme's only (AlertPolicy.Observe), a region's past points not being recoverable from its counters.
        long? outstanding = region is null ? (await reader.GetGaugesAsync(null)).Values.Sum(g => g.GetValueOrDefault(GaugeNames.PointsOutstanding)) : null;
        return AlertPolicy.Observe(region ?? AlertRules.AllRegions, range.Series(today), range.Days, Options, State, outstanding);
    }

    /// <summary>
    /// Applies the evaluation's <paramref name="observations"/> within the book's bounds (<see cref="AlertBook.Evaluate"/>):
    /// written, published, and applied again while changes it refused only waited for the outbox (many alerts raised at
    /// once are written in parts, <see cref="AlertBookBounds.OutboxRaiseMaxBytes"/>). Changes still refused at the end
    /// (the book full, or the queue refusing) are logged once, as one Warning with their count and the first few rule and
    /// region pairs, and judged again at the next evaluation; refused raises are also recorded in the book
    /// (<see cref="AlertBookState.RaisesRefused"/>, <see cref="GetRaisesRefusedAsync"/>), cleared by an evaluation that
    /// raises everything it wants.
    /// </summary>
    private async Task ApplyAsync(IReadOnlyList<AlertObservation> observations, DateTimeOffset now)
    {
        IReadOnlyList<AlertRefusal> refused = [];
        var recorded = State.RaisesRefused;
        try
        {
            for (var part = 0; part < MaxParts; part++)
            {
                var evaluation = AlertBook.Evaluate(State, observations, now, Options.HistoryLimit, Options.Disabled);
                refused = evaluation.Refused;
                var queued = evaluation.State.Outbox.Count;
                // Each part's write records what it refused for want of room (added to the record before this evaluation,
                // its pending anomaly raises carried forward), never raises only waiting for a later part: a crash or a
                // failed publish between parts leaves no pending part shown as refused. The last part's is the evaluation's.
                var notRaised = refused.Where(r => !r.Waits).ToList();
                await ChangeAsync(_ => evaluation.State with { RaisesRefused = AlertRaisesRefused.After(recorded, notRaised, now) });
                // Again only when something was published and what was refused fits with the outbox empty.
                if (queued == 0 || State.Outbox.Count > 0 || !refused.Any(r => r.Waits))
                {
                    break;
                }
            }
        }
        finally
        {
            if (refused.Count > 0)
            {
                var sizes = AlertBookSizes.Of(State);
                LogRefused(
                    refused.Count,
                    refused.Count(r => r.Change == "raise"),
                    string.Join(", ", refused.Take(5).Select(r => r.Change + " " + r.Rule + " in " + r.RegionId)),
                    sizes.Open,
                    sizes.Outbox,
                    sizes.Episodes);
            }
        }
    }

    /// <summary>Most parts one evaluation is written in (1,033 alerts raised at once take 6).</summary>
    private const int MaxParts = 32;

    public Task RaiseAnomalyAsync(string source, string message) => RaiseAt(source, message, null);

    public Task ResolveAnomalyAsync(string source) => ResolveAt(source, null);

    public Task RaiseObservedAnomalyAsync(string source, string message, DateTimeOffset observedAt) => RaiseAt(source, message, observedAt);

    public Task ResolveObservedAnomalyAsync(string source, DateTimeOffset observedAt) => ResolveAt(source, observedAt);

    private Task RaiseAt(string source, string message, DateTimeOffset? observedAt)
    {
        var key = Source(source);
        if (Options.Disabled.Contains(AlertRules.DataAnomaly))
        {
            return Task.CompletedTask; // turned off: the next evaluation would only resolve it again
        }

        var report = new AnomalyObservation(AnomalyReportKind.Raise, AnomalyResolves.Observed(observedAt, time.GetUtcNow()));
        var text = (message ?? "").Length > 500 ? message![..500] : message ?? "";
        return AnomalyAsync("raise", key, report, book => AlertBook.Raise(book, AlertRules.DataAnomaly, key, null, null, text, time.GetUtcNow()));
    }

    private Task ResolveAt(string source, DateTimeOffset? observedAt)
    {
        var key = Source(source);
        var report = new AnomalyObservation(AnomalyReportKind.Resolve, AnomalyResolves.Observed(observedAt, time.GetUtcNow()));
        return AnomalyAsync("resolve", key, report, book => AlertBook.Resolve(book, AlertRules.DataAnomaly, key, null, time.GetUtcNow(), Options.HistoryLimit));
    }

    /// <summary>
    /// An anomaly report's <paramref name="change"/>, written and published (<see cref="ChangeAsync"/>; a storage fault is
    /// thrown back to the reporter, the book unchanged in memory and in storage, and <see cref="GrainDataAnomalyReporter"/>
    /// logs it and sends the report again until written). A raise that is not refused (made, or open already) and
    /// any resolve take the source out of the record of refused raises: it no longer waits for room. The
    /// <paramref name="report"/> lands in <see cref="AnomalyResolves.Land"/>'s order: ignored and logged (nothing written)
    /// when the book keeps a later report of its source of the other kind, else applied and kept as its source's latest,
    /// written with it.
    /// </summary>
    private Task AnomalyAsync(string change, string source, AnomalyObservation report, Func<AlertBookState, AlertBookState> apply) => ChangeAsync(book =>
    {
        var landed = AnomalyResolves.Land(book, source, report, before =>
        {
            var next = Refusable(change, source, before, apply(before));
            var refusedNow = change == "raise" && !ReferenceEquals(next.RaisesRefused, before.RaisesRefused);
            var left = refusedNow ? next.RaisesRefused : AlertRaisesRefused.RemoveAnomaly(next.RaisesRefused, source);
            return ReferenceEquals(left, next.RaisesRefused) ? next : next with { RaisesRefused = left };
        });
        if (landed.SupersededBy is { } latest)
        {
            var kept = latest.Kind == AnomalyReportKind.Raise ? "raise" : "resolve";
            LogStaleReportIgnored(AlertRules.DataAnomaly, source, change, report.ObservedAt, kept, latest.ObservedAt);
        }

        return landed.State;
    });

    /// <summary>
    /// <paramref name="next"/>, logging one Warning when the book's bounds refused the anomaly's <paramref name="change"/>
    /// (the book unchanged though there was something to change); its source reporting again retries it. A refused raise
    /// is also recorded in <see cref="AlertBookState.RaisesRefused"/>.
    /// </summary>
    private AlertBookState Refusable(string change, string source, AlertBookState book, AlertBookState next)
    {
        var open = AlertBook.OpenOf(book, AlertRules.DataAnomaly, source) is not null;
        if (ReferenceEquals(next, book) && open == (change == "resolve"))
        {
            var sizes = AlertBookSizes.Of(book);
            LogAnomalyRefused(change, source, sizes.Open, sizes.Outbox, sizes.Episodes);
            if (change == "raise")
            {
                // Shown where alerts are read, not only logged (the record fits in the book's fixed part).
                return book with { RaisesRefused = AlertRaisesRefused.AddAnomaly(book.RaisesRefused, source, time.GetUtcNow()) };
            }
        }

        return next;
    }

    private static string Source(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        return source.Length > MaxSourceLength ? source[..MaxSourceLength] : source;
    }

    private async Task ChangeAsync(Func<AlertBookState, AlertBookState> change)
    {
        var before = state.State;
        var next = change(before);
        if (ReferenceEquals(next, before))
        {
            return;
        }

        await WriteAsync(next, before);
        foreach (var record in next.Outbox.Skip(before.Outbox.Count))
        {
            LogChanged(record.Rule, record.RegionId, record.State, record.AlertId);
        }

        await FlushAsync();
    }

    private async Task FlushAsync()
    {
        var outbox = state.State.Outbox;
        if (outbox.Count == 0)
        {
            return;
        }

        try
        {
            await publisher.PublishAsync(outbox.Select(ToMessage).ToList());
        }
        catch
        {
            // The outbox is durable: the next activation (or the next change) publishes it again.
            DeactivateOnIdle();
            throw;
        }

        var before = state.State;
        await WriteAsync(AlertBook.Published(before, outbox.Select(r => r.MessageId).ToList()), before);
    }

    private Task WriteAsync(AlertBookState next, AlertBookState before) => state.WriteOrRestoreAsync(next, before, DeactivateOnIdle);

    /// <summary>
    /// The queue message of a change: CONTRACT.md §5's fields (with the additive <c>messageId</c> and <c>window</c> it
    /// always had) and nothing the stored record gained later (<see cref="AlertView.Direction"/>,
    /// <see cref="AlertView.RaisedMessage"/>, <see cref="AlertView.ResolvedWithValue"/>, the window's <see cref="AlertWindowView.BandLow"/> and
    /// <see cref="AlertWindowView.BandHigh"/>, left out when null).
    /// </summary>
    internal static AlertView ToMessage(AlertRecord r)
    {
        var view = ToView(r);
        return view with
        {
            Direction = null,
            RaisedMessage = null,
            ResolvedWithValue = null,
            Window = view.Window is { } w ? w with { BandLow = null, BandHigh = null } : null,
        };
    }

    private static AlertView ToView(AlertRecord r) => new()
    {
        AlertId = r.AlertId,
        Rule = r.Rule,
        RegionId = r.RegionId,
        State = r.State,
        Value = r.Value,
        Threshold = r.Threshold,
        RaisedAt = r.RaisedAt,
        ResolvedAt = r.ResolvedAt,
        Message = r.Message,
        MessageId = r.MessageId,
        Direction = r.Direction,
        RaisedMessage = r.RaisedMessage,
        ResolvedWithValue = r.ResolvedWithValue,
        Window = r.Window is not { } w ? null : new AlertWindowView
        {
            From = w.From,
            To = w.To,
            Days = w.Days,
            Threshold = w.Threshold,
            BaselineFrom = w.BaselineFrom,
            BaselineTo = w.BaselineTo,
            BandLow = w.BandLow,
            BandHigh = w.BandHigh,
        },
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert book full: {Refused} alert changes refused ({Raises} raises), first {First}; open alerts {OpenBytes} bytes, outbox {OutboxBytes}, episode numbers {EpisodeBytes} (AlertBookBounds); judged again at the next evaluation")]
    private partial void LogRefused(int refused, int raises, string first, int openBytes, int outboxBytes, int episodeBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert book full: 1 alert change refused ({Change} data.anomaly in {Source}); open alerts {OpenBytes} bytes, outbox {OutboxBytes}, episode numbers {EpisodeBytes} (AlertBookBounds); tried again when its source reports again")]
    private partial void LogAnomalyRefused(string change, string source, int openBytes, int outboxBytes, int episodeBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Rule} in {RegionId}: a {Change} observed at {ObservedAt:O} UTC is ignored, older than the latest {Latest} of its source, observed at {LatestAt:O} UTC (a late retry); the source's next report is judged again")]
    private partial void LogStaleReportIgnored(string rule, string regionId, string change, DateTimeOffset observedAt, string latest, DateTimeOffset latestAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Rule} in {RegionId} is {State} ({AlertId})")]
    private partial void LogChanged(string rule, string regionId, string state, string alertId);
}
