using System.Collections.Concurrent;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members.Effects;

/// <summary>
/// A member's programme metric contributions (<see cref="RecordMetrics"/>) to the sharded aggregators through
/// <see cref="IProgrammeMetricsSink"/> (CONTRACT.md §5), in the background: the member's event does not wait for the
/// aggregators (a hot region-day serialises its commits, and every member event would queue behind them). Each member
/// has a lane on this silo: its contributions are sent in outbox order, one call at a time (an aggregator drops a
/// member's sequence at or below the highest it applied, so a later one must never overtake an earlier one), and the
/// member learns what the aggregators confirmed at its next emit, which removes them from its outbox; until then they
/// stay pending in storage and a crash re-emits them (each aggregator applies a contribution once). A failed send
/// keeps them queued for the member's next emit. <see cref="EmitAllAsync"/> (deactivation, ledger reads) waits for the
/// lane. A silo without programme metrics has no sink: then it handles nothing.
/// </summary>
/// <remarks>
/// A graceful stop deactivates every member late in the stop (Orleans' grain-deactivation stage), when the aggregators
/// are deactivating too and a stopping silo cannot place them again: a send from a deactivating member then fails
/// with errors from Orleans' messaging, on every deploy. So when the silo starts to stop (before members
/// deactivate, at <see cref="ServiceLifecycleStage.Active"/>) the handler sends what is queued and waits for it, for at
/// most <see cref="FlushTimeout"/>, and, when no other silo of the cluster is active (the last silo stops), from then on
/// starts no send: members deactivating later leave their
/// contributions pending in their stored outbox, which their next activation sends, and the silo says once, at
/// Information, how many it left. Nothing is lost or counted twice either way (each aggregator applies a
/// contribution id once).
/// </remarks>
public sealed partial class MetricContributionHandler(
    IEnumerable<IProgrammeMetricsSink> sinks,
    ILogger<MetricContributionHandler> logger,
    IClusterMembershipService? membership = null,
    ILocalSiloDetails? localSilo = null)
    : IMemberEffectHandler, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long a stopping silo waits for the contributions it sends before members deactivate.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(10);

    private readonly IProgrammeMetricsSink? _sink = sinks.LastOrDefault();
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>The lane's sender, made at the first start and kept for every later one (<see cref="StartSending"/>; a race makes two alike).</summary>
    private Func<object?, Task>? _send;

    /// <summary>The silo is stopping: no send starts any more (set before the flush).</summary>
    private volatile bool _stopping;

    /// <summary>The flush is over: a send loop still running stops before its next batch.</summary>
    private volatile bool _stopped;

    private int _membersLeft;
    private int _contributionsLeft;

    /// <summary>The answer of nearly every emit (nothing confirmed yet: the aggregators confirm in the background), made once.</summary>
    private static readonly Task<int> NoneConfirmed = Task.FromResult(0);

    public bool Handles(MemberEffect effect) => _sink is not null && effect is RecordMetrics;

    /// <summary>Queues what is new, starts sending if idle; returns how many from the first the aggregators already confirmed.</summary>
    public Task<int> EmitAsync(string memberId, IReadOnlyList<MemberEffect> effects) =>
        Take(memberId, effects) is var confirmed and > 0 ? Task.FromResult(confirmed) : NoneConfirmed;

    /// <inheritdoc />
    public bool ConfirmsInBackground => true;

    /// <summary>
    /// Takes the confirmations the member's lane has received for its leading contributions, so the member's next state
    /// write no longer stores them; queues and sends nothing. Returns how many from the first are confirmed.
    /// </summary>
    public int TakeConfirmed(string memberId, IReadOnlyList<MemberEffect> effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        if (!_lanes.TryGetValue(memberId, out var lane))
        {
            return 0;
        }

        lock (lane)
        {
            var confirmed = TakeLeading(lane, effects, 0);
            if (lane.Queue.Count == 0 && lane.Done.Count == 0 && !lane.Running)
            {
                // Nothing left to send or to hand back: the member's next emit may have no contribution to come here with.
                _lanes.TryRemove(KeyValuePair.Create(memberId, lane));
            }

            return confirmed;
        }
    }

    /// <summary>
    /// Removes the lane's confirmations of the leading effects from <paramref name="from"/> on; returns how many from
    /// there were confirmed. Under the lane's lock.
    /// </summary>
    private static int TakeLeading(Lane lane, IReadOnlyList<MemberEffect> effects, int from)
    {
        var confirmed = 0;
        while (from + confirmed < effects.Count && lane.Done.Remove(Key.Of(effects[from + confirmed])))
        {
            confirmed++;
        }

        return confirmed;
    }

    /// <summary>Queues what is new and waits until the lane has sent everything (or failed); returns what is confirmed then.</summary>
    public async Task<int> EmitAllAsync(string memberId, IReadOnlyList<MemberEffect> effects)
    {
        // The first look takes the confirmations already in: counted here, since taking them removes them.
        var confirmed = Take(memberId, effects);
        if (confirmed < effects.Count && _lanes.TryGetValue(memberId, out var lane))
        {
            await lane.Sending;
            // The rest from where the first look stopped, read in place (no copy of the list's tail).
            confirmed += Take(memberId, effects, from: confirmed, restart: false);
        }

        if (_stopping && confirmed < effects.Count)
        {
            Interlocked.Increment(ref _membersLeft);
            Interlocked.Add(ref _contributionsLeft, effects.Count - confirmed);
        }

        return confirmed;
    }

    /// <summary>
    /// The member deactivated on this silo: its lane is dropped, queued contributions and confirmations with it (what
    /// the member left unconfirmed is pending in its stored outbox, and its next activation, on any silo, sends it
    /// again). Without this a member that left after a failed send kept its lane here for good, and a stopping silo's
    /// flush sent its contributions again, however old. A lane whose sender still runs goes when the sender stops,
    /// unless the member has come back to it meanwhile.
    /// </summary>
    public void Release(string memberId)
    {
        if (!_lanes.TryGetValue(memberId, out var lane))
        {
            return;
        }

        lock (lane)
        {
            lane.Released = true;
            if (!lane.Running)
            {
                _lanes.TryRemove(KeyValuePair.Create(memberId, lane));
            }
        }
    }

    /// <summary>Flushes when the silo stops (before its members deactivate) and reports what members left when it is done.</summary>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(MetricContributionHandler), ServiceLifecycleStage.Active, _ => Task.CompletedTask, FlushAsync);
        lifecycle.Subscribe(nameof(MetricContributionHandler), ServiceLifecycleStage.ApplicationServices, _ => Task.CompletedTask, _ =>
        {
            if (_membersLeft > 0)
            {
                LogLeftForNextActivation(_contributionsLeft, _membersLeft);
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Whether another silo of the cluster is active: then the aggregators can be placed there, so members deactivating
    /// on this stopping silo keep sending (a rolling deploy loses no freshness) and only the flush runs.
    /// </summary>
    private bool AnotherSiloActive()
    {
        if (membership is null || localSilo is null)
        {
            return false;
        }

        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && !member.SiloAddress.Equals(localSilo.SiloAddress))
            {
                return true;
            }
        }

        return false;
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var last = !AnotherSiloActive();
        _stopping = last;
        var sending = new List<Task>();
        foreach (var (memberId, lane) in _lanes)
        {
            lock (lane)
            {
                if (lane.Queue.Count > 0 && !lane.Running && !lane.Released)
                {
                    StartSending(lane);
                }

                sending.Add(lane.Sending);
            }
        }

        try
        {
            await Task.WhenAll(sending).WaitAsync(FlushTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // What is still on its way stays pending in the members' outboxes.
        }

        _stopped = last;
    }

    /// <summary>
    /// Takes the confirmations of <paramref name="effects"/> from <paramref name="from"/> on and queues the rest; returns
    /// how many from <paramref name="from"/> were confirmed. <paramref name="restart"/>: start the sender when idle.
    /// </summary>
    private int Take(string memberId, IReadOnlyList<MemberEffect> effects, int from = 0, bool restart = true)
    {
        ArgumentNullException.ThrowIfNull(effects);
        while (true)
        {
            var lane = _lanes.GetOrAdd(memberId, static id => new Lane(id));
            lock (lane)
            {
                // A lane removed between the lookup and the lock (emptied, or released by a deactivation whose sender
                // just stopped) must not be used: its sender would run beside the new lane's.
                if (!_lanes.TryGetValue(memberId, out var current) || !ReferenceEquals(current, lane))
                {
                    continue;
                }

                return TakeLocked(memberId, lane, effects, from, restart);
            }
        }
    }

    /// <summary><see cref="Take"/> on the member's current lane, under its lock.</summary>
    private int TakeLocked(string memberId, Lane lane, IReadOnlyList<MemberEffect> effects, int from, bool restart)
    {
        lane.Released = false;
        var confirmed = TakeLeading(lane, effects, from);
        if (lane.Done.Count > 0 && from + confirmed < effects.Count)
        {
            // Confirmations the member no longer lists (its outbox was reloaded from storage): nothing will take them.
            var listed = new HashSet<Key>(effects.Count - from);
            for (var i = from; i < effects.Count; i++)
            {
                listed.Add(Key.Of(effects[i]));
            }

            lane.Done.RemoveAll(id => !listed.Contains(id));
        }

        for (var i = from + confirmed; i < effects.Count; i++)
        {
            lane.Enqueue((RecordMetrics)effects[i]);
        }

        if (restart && !_stopping && lane.Queue.Count > 0 && !lane.Running)
        {
            StartSending(lane);
        }

        if (lane.Queue.Count == 0 && lane.Done.Count == 0 && !lane.Running)
        {
            _lanes.TryRemove(KeyValuePair.Create(memberId, lane));
        }

        return confirmed;
    }

    /// <summary>
    /// Starts the lane's sender on the thread pool (as <see cref="Task.Run(Func{Task})"/> does, so it never runs on the
    /// member's activation), with the lane as the state of a delegate made once: no closure and no delegate per start,
    /// which comes once per burst of a member's events. Under the lane's lock, while none runs.
    /// </summary>
    private void StartSending(Lane lane)
    {
        lane.Running = true;
        lane.Sending = Task.Factory.StartNew(_send ??= state => SendAsync((Lane)state!), lane, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
    }

    private async Task SendAsync(Lane lane)
    {
        var memberId = lane.MemberId;
        while (true)
        {
            // The queue's first `sent` effects stay where they are while this sender runs: only it removes from the
            // queue, and a member's emit only appends.
            int sent;
            IReadOnlyList<MetricContribution> contributions;
            lock (lane)
            {
                if (lane.Queue.Count == 0 || _stopped)
                {
                    // Decided under the lock: a contribution queued from here on finds no sender and starts one.
                    Stop(memberId, lane);
                    return;
                }

                sent = lane.Queue.Count;
                contributions = ContributionsOf(lane.Queue);
            }

            try
            {
                await _sink!.ApplyAsync(contributions);
            }
            catch (Exception ex)
            {
                lock (lane)
                {
                    Stop(memberId, lane);
                }

                if (ex is OperationCanceledException)
                {
                    throw;
                }

                LogSendFailed(ex, memberId, sent);
                return; // still queued: the member's next emit sends them again
            }

            lock (lane)
            {
                lane.Confirm(sent);
            }
        }
    }

    /// <summary>
    /// The contributions of <paramref name="queued"/>, in order: one effect's own list as it is (the sink only reads it,
    /// and an effect's contributions never change), several in one list made at their total size.
    /// </summary>
    private static IReadOnlyList<MetricContribution> ContributionsOf(List<RecordMetrics> queued)
    {
        if (queued.Count == 1)
        {
            return queued[0].Contributions;
        }

        var total = 0;
        foreach (var effect in queued)
        {
            total += effect.Contributions.Count;
        }

        var contributions = new List<MetricContribution>(total);
        foreach (var effect in queued)
        {
            contributions.AddRange(effect.Contributions);
        }

        return contributions;
    }

    /// <summary>The lane's sender stops; a lane its member released meanwhile goes with it. Under the lane's lock.</summary>
    private void Stop(string memberId, Lane lane)
    {
        lane.Running = false;
        if (lane.Released)
        {
            _lanes.TryRemove(KeyValuePair.Create(memberId, lane));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: sending {Count} metric contributions failed; they stay in the outbox and are sent again at the member's next emit")]
    private partial void LogSendFailed(Exception ex, string memberId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "The silo stopped with {Count} metric contributions of {Members} members not sent; they stay in the members' outboxes and each member's next activation sends them")]
    private partial void LogLeftForNextActivation(int count, int members);
}
