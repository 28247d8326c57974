using System.Globalization;
using System.Text;

namespace Engagement.Contracts.Events;

/// <summary>
/// Which queue a member's events go to (CONTRACT.md §1): <c>fnv1a32(utf8(memberId)) mod N</c>, so one
/// member's events stay in order. Producers in any language can compute the same value.
/// </summary>
public static class QueuePartitioner
{
    /// <summary>The default queue-name prefix; queues are <c>{prefix}-0</c> … <c>{prefix}-{N-1}</c>.</summary>
    public const string DefaultQueueNamePrefix = "engagement-events";

    /// <summary>The dead-letter queue of the event queues.</summary>
    public const string PoisonQueueName = "engagement-events-poison";

    /// <summary>The outbox queue of touches for channel connectors (CONTRACT.md §3).</summary>
    public const string TouchesQueueName = "engagement-touches";

    public const uint FnvOffsetBasis = 2166136261;
    public const uint FnvPrime = 16777619;

    /// <summary>FNV-1a, 32-bit, over the UTF-8 bytes of <paramref name="value"/>.</summary>
    public static uint Fnv1a32(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var hash = FnvOffsetBasis;
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var buffer = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var count = Encoding.UTF8.GetBytes(value, buffer);
        foreach (var b in buffer[..count])
        {
            hash ^= b;
            hash = unchecked(hash * FnvPrime);
        }

        return hash;
    }

    /// <summary>The queue index, 0 … <paramref name="queueCount"/> − 1, of a member.</summary>
    public static int QueueIndex(string memberId, int queueCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        return (int)(Fnv1a32(memberId) % (uint)queueCount);
    }

    /// <summary><c>engagement-events-{index}</c>.</summary>
    public static string QueueName(int index) => QueueName(DefaultQueueNamePrefix, index);

    /// <summary><c>{prefix}-{index}</c>, for deployments (and tests) that use another prefix.</summary>
    public static string QueueName(string prefix, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}-{index}");
    }

    /// <summary>The poison queue that belongs to a queue-name prefix: <c>{prefix}-poison</c>.</summary>
    public static string PoisonQueueNameFor(string prefix) => prefix + "-poison";
}
