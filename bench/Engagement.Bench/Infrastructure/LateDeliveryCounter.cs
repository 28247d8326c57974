using Serilog.Core;
using Serilog.Events;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Counts the queue cache's "failed delivery" warnings of every bench silo (issue 10's ordering target): each names an
/// event that later events of its member overtake, to be applied late as of its occurredAt (CONTRACT.md §1.1).
/// The lines themselves still go to the console.
/// </summary>
internal sealed class LateDeliveryCounter : ILogEventSink
{
    private static long _count;

    /// <summary>Late deliveries logged by any bench silo of this process so far.</summary>
    public static long Count => Interlocked.Read(ref _count);

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Level >= LogEventLevel.Warning && logEvent.MessageTemplate.Text.Contains("failed delivery", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _count);
        }
    }
}
