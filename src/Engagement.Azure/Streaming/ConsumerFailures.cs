using System.Globalization;

namespace Engagement.Azure.Streaming;

/// <summary>
/// Why the consumer of each stream item last failed on this silo, by the item's sequence number: the pulling agent's
/// failure handler (<see cref="EngagementStreamFailureHandler"/>) is given no exception, only the item's token, so the
/// failure is taken on its way back from the consumer (<see cref="ConsumerFailureFilter"/>) and handed to the poison
/// reason when the delivery finally fails (<see cref="MessageLeases.Abandon"/>): e.g. a member refused as too large
/// names Engagement:Storage:MaxGrainStateBytes. Only the innermost exception's type and message, at most
/// <see cref="MaxDetailLength"/> characters; at most <see cref="MaxKept"/> items (past it all are dropped: a reason then
/// lacks its detail, nothing else).
/// </summary>
public sealed class ConsumerFailures
{
    /// <summary>Items whose last failure is kept at most.</summary>
    public const int MaxKept = 1_000;

    /// <summary>The longest detail kept, characters (a longer one is cut and ends with "…").</summary>
    public const int MaxDetailLength = 400;

    // One lock over the map and its count: a drop-all past the bound racing an add or a take on another pulling agent
    // left the count off from what was kept (a lock per bucket cannot make Clear and the count move together).
    private readonly Dictionary<long, string> _bySequence = [];
    private readonly Lock _gate = new();

    // Written under _gate, read without it: a delivered item (the common case) skips the lock while none is kept.
    private int _count;

    /// <summary>Items whose last failure is kept now; never more than <see cref="MaxKept"/>.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Keeps <paramref name="failure"/> as the last failure of the item numbered <paramref name="sequence"/>.</summary>
    public void Record(long sequence, Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var detail = Describe(failure);
        lock (_gate)
        {
            if (_bySequence.Count >= MaxKept && !_bySequence.ContainsKey(sequence))
            {
                _bySequence.Clear();
            }

            _bySequence[sequence] = detail;
            Volatile.Write(ref _count, _bySequence.Count);
        }
    }

    /// <summary>The last failure kept for the item numbered <paramref name="sequence"/>, forgotten once taken; null when none.</summary>
    public string? Take(long sequence)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_bySequence.Remove(sequence, out var detail))
            {
                return null;
            }

            Volatile.Write(ref _count, _bySequence.Count);
            return detail;
        }
    }

    /// <summary>The item numbered <paramref name="sequence"/> was delivered: its earlier failure, if any, is no longer kept.</summary>
    public void Forget(long sequence) => Take(sequence);

    /// <summary>The innermost exception of <paramref name="failure"/> (the cause, not Orleans' wrapper): its type name and message, cut to <see cref="MaxDetailLength"/>.</summary>
    public static string Describe(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var cause = failure.GetBaseException();
        var detail = string.Create(CultureInfo.InvariantCulture, $"{cause.GetType().Name}: {cause.Message}");
        return detail.Length <= MaxDetailLength ? detail : string.Concat(detail.AsSpan(0, MaxDetailLength - 1), "…");
    }
}
