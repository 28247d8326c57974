using System.Collections.Concurrent;

namespace Engagement.Azure.Streaming;

/// <summary>
/// Why each message's delivery failed on one receiver, kept for its poison reason (<see cref="MessageAdmission"/> asks
/// once, when the message goes to the poison queue) until the message is deleted or dead-lettered. One text per message,
/// the first failure seen: a message that came back (abandoned, or its visibility timeout ran out while a delivery still
/// ran, as on a silo stalled for seconds) and fails again keeps the earlier failure, its cause and its time, rather than
/// starting afresh: a later delivery may fail for a knock-on cause (the member still settling the first refusal, a
/// delivery cut short) that would hide why the message first failed. The one exception: a failure whose cause this silo
/// did not see gives way to a later one whose cause it saw.
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
    /// stays), or the one kept has no cause and this one has (<paramref name="explained"/>).
    /// </summary>
    public void Record(string messageId, string text, bool explained)
    {
        if (_byMessage.Count >= maxKept && !_byMessage.ContainsKey(messageId))
        {
            _byMessage.Clear();
        }

        var failure = new Failure(text, explained);
        _byMessage.AddOrUpdate(messageId, failure, (_, kept) => !kept.Explained && explained ? failure : kept);
    }

    /// <summary>The failure kept for <paramref name="messageId"/>, forgotten once taken; null when none.</summary>
    public string? Take(string messageId) => _byMessage.TryRemove(messageId, out var failure) ? failure.Text : null;

    /// <summary>The message was deleted after its events were applied: its failure, if any, is no longer kept.</summary>
    public void Forget(string messageId) => _byMessage.TryRemove(messageId, out _);

    private sealed record Failure(string Text, bool Explained);
}
