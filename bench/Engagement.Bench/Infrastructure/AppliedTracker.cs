using System.Collections.Concurrent;
using System.Diagnostics;
using Engagement.Contracts.Events;
using Engagement.Grains.Members;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Publish-to-applied latency per event. The publisher stamps each event just before it sends it; the counting
/// grain storage calls <see cref="OnWritten"/> when a member's state write has returned from storage. An event
/// counts as applied at the first completed write whose state contains it — a purchase by its order
/// (<c>Member.Orders</c>), any other event by its id (<c>Member.RecentEventIds</c>). That is the moment the
/// engine's promise holds: the event's effect is durable (the queue message is deleted only later).
/// </summary>
internal sealed class AppliedTracker
{
    private readonly ConcurrentDictionary<string, List<Pending>> _byMember = new(StringComparer.Ordinal);
    private readonly List<double> _latenciesMs = [];
    private long _published;
    private long _applied;

    public long Published => Interlocked.Read(ref _published);

    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Call just before the event is sent.</summary>
    public void Publishing(EngagementEvent evt)
    {
        var pending = new Pending(evt.EventId, evt.Type == EventTypes.Purchase ? evt.OrderId : null, Stopwatch.GetTimestamp());
        var list = _byMember.GetOrAdd(evt.MemberId, _ => []);
        lock (list)
        {
            list.Add(pending);
        }

        Interlocked.Increment(ref _published);
    }

    /// <summary>Hook for <see cref="CountingGrainStorage"/>: a state write completed.</summary>
    public void OnWritten(GrainId grainId, object? state)
    {
        if (state is not MemberGrainState member || !_byMember.TryGetValue(grainId.Key.ToString()!, out var list))
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        lock (list)
        {
            for (var i = list.Count - 1; i >= 0; i--)
            {
                var pending = list[i];
                if (!Contains(member, pending))
                {
                    continue;
                }

                list.RemoveAt(i);
                var ms = Stopwatch.GetElapsedTime(pending.PublishedAt, now).TotalMilliseconds;
                lock (_latenciesMs)
                {
                    _latenciesMs.Add(ms);
                }

                Interlocked.Increment(ref _applied);
            }
        }
    }

    /// <summary>Latencies recorded so far (a phase's start, for <see cref="SortedLatencies(int)"/>).</summary>
    public int LatencyCount
    {
        get
        {
            lock (_latenciesMs)
            {
                return _latenciesMs.Count;
            }
        }
    }

    /// <summary>The latencies so far, sorted, in milliseconds; <paramref name="skip"/>: leave out the first that many recorded (an earlier phase's).</summary>
    public List<double> SortedLatencies(int skip = 0)
    {
        List<double> copy;
        lock (_latenciesMs)
        {
            copy = [.. _latenciesMs.Skip(skip)];
        }

        copy.Sort();
        return copy;
    }

    private static bool Contains(MemberGrainState state, Pending pending)
    {
        if (pending.OrderId is { } orderId)
        {
            var orders = state.Member.Orders;
            for (var i = orders.Count - 1; i >= 0; i--)
            {
                if (string.Equals(orders[i].OrderId, orderId, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        var ids = state.Member.RecentEventIds;
        for (var i = ids.Count - 1; i >= 0; i--)
        {
            if (string.Equals(ids[i], pending.EventId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Pending(string EventId, string? OrderId, long PublishedAt);
}
