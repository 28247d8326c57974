using System.Collections.Concurrent;
using System.Globalization;

namespace Engagement.Azure.Streaming;

/// <summary>
/// Why each message's delivery failed on one receiver, kept for its poison reason (<see cref="MessageAdmission"/> asks
/// once, when the message goes to the poison queue) until the message is deleted or dead-lettered. One text per message,
/// the first failure seen: a message that came back (abandoned, or its visibility timeout ran out while a delivery still
/// ran, as on a silo stalled for seconds) and fails again keeps the earlier failure, its cause and its time, rather than
/// starting afresh: a later delivery may fail for a knock-on cause (the member still settling the first refusal, a
/// delivery cut short) that would hide why the message first failed. When the first failure's cause was not seen by this
/// silo and a later one's is, the first's text and time stay and the later cause is added once:
/// <c>{first} ; cause seen at {T2}: {why}</c> (T2 UTC, the receiver's real clock).
/// </summary>
/// <remarks>At most <c>maxKept</c> messages (<see cref="IngestionOptions.MaxHeldEvents"/>); past it all are dropped (a
/// message that never comes back here, its queue taken by another silo, is never asked for): a poison reason then lacks
/// its detail, nothing else.</remarks>
internal sealed class MessageFailures(int maxKept)
{
    private readonly ConcurrentDictionary<string, Failure> _byMessage = new(StringComparer.Ordinal);

    /// <summary>Messages whose failure is kept now.</summary>
    public int Count => _byMessage.Count;

    /// <summary>
    /// Keeps <paramref name="text"/> as the failure of <paramref name="messageId"/> unless one is kept already (the earlier
    /// stays); when the one kept has no cause and <paramref name="why"/> (the cause of this later failure, at most
    /// <see cref="ConsumerFailures.MaxDetailLength"/> characters) is given, it is added to the kept text with
    /// <paramref name="at"/> (UTC), once: a kept text is at most two failures' long.
    /// </summary>
    public void Record(string messageId, string text, string? why, DateTimeOffset at)
    {
        if (_byMessage.Count >= maxKept && !_byMessage.ContainsKey(messageId))
        {
            _byMessage.Clear();
        }

        _byMessage.AddOrUpdate(
            messageId,
            new Failure(text, why is not null),
            (_, kept) => kept.Explained || why is null
                ? kept
                : new Failure(string.Create(CultureInfo.InvariantCulture, $"{kept.Text}; cause seen at {at:O}: {why}"), true));
    }

    /// <summary>The failure kept for <paramref name="messageId"/>, forgotten once taken; null when none.</summary>
    public string? Take(string messageId) => _byMessage.TryRemove(messageId, out var failure) ? failure.Text : null;

    /// <summary>The message was deleted after its events were applied: its failure, if any, is no longer kept.</summary>
    public void Forget(string messageId) => _byMessage.TryRemove(messageId, out _);

    private sealed record Failure(string Text, bool Explained);
}
