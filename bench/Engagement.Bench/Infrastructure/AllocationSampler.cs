using System.Diagnostics.Tracing;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Which types a run allocates, from the runtime's own allocation sampling (the GC's AllocationTick event, one per
/// ~100 KB allocated, naming the type whose allocation crossed the mark): in-process, no tools needed. Each tick stands
/// for the ~100 KB before it, so the shares are statistical, good to a few percent over a run of megabytes.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int AllocationTickEventId = 10;
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _on;

    /// <summary>Starts sampling (the GC keyword at verbose level of the runtime provider).</summary>
    public void Start() => _on = true;

    /// <summary>Stops sampling; the types seen so far stay.</summary>
    public void Stop() => _on = false;

    /// <summary>The <paramref name="count"/> types with the most bytes sampled, largest first.</summary>
    public IReadOnlyList<(string Type, long Bytes)> Top(int count)
    {
        lock (_gate)
        {
            return [.. _bytes.OrderByDescending(t => t.Value).Take(count).Select(t => (t.Key, t.Value))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_on || eventData.EventId != AllocationTickEventId || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var type = "?";
        long amount = 0;
        for (var i = 0; i < names.Count; i++)
        {
            switch (names[i])
            {
                case "TypeName": type = payload[i] as string ?? "?"; break;
                case "AllocationAmount64": amount = Convert.ToInt64(payload[i], System.Globalization.CultureInfo.InvariantCulture); break;
                default: break;
            }
        }

        lock (_gate)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}
