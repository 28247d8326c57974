namespace Engagement.Grains.Members;

/// <summary>
/// The gate's second read before a negative answer (docs/scaling.md "What the logs show on a rolling stop"): after a silo
/// handover two activations of one member can briefly coexist, and a copy that read storage before the other's last
/// write would answer from that older state. Its writes are ETag-checked; its answers given with no write are not, so
/// those that drive money or stock read storage once more first.
/// </summary>
internal sealed partial class MemberWriteGate
{
    /// <summary><see cref="_failedWrites"/> when the current call began (<see cref="EnsureCurrentAsync"/>): more now, and memory may hold what storage lacks.</summary>
    private int _failedWritesAtCall;

    /// <summary>
    /// Before a negative answer given with no write ("not paid", "not enough points"): another activation of the member
    /// may have written it since this one read it (the handover window of a silo stopping, docs/scaling.md "What the logs show
    /// on a rolling stop"), so the state is read again, at the cost of one storage read per such answer, for the caller
    /// to decide again on what storage holds. A write merely owed (<see cref="_writeOwed"/>: effects confirmed since the
    /// last write, or a wake count reset) does not stop it: storage still lists those effects as pending and re-emitting
    /// them is harmless, and after nearly every change with campaigns on one is owed, so skipping then would leave the
    /// stale answer in place. False, without reading, only when one of this call's writes failed (memory may hold a
    /// change storage lacks). Inside a change, call it only while the change has changed nothing. Throws when storage
    /// cannot be read.
    /// </summary>
    public async Task<bool> ReadAgainAsync()
    {
        if (_failedWrites != _failedWritesAtCall)
        {
            return false;
        }

        await ReloadAsync(afterFailure: false);
        return true;
    }

    /// <summary>
    /// Inside a change whose write storage refused on its ETag (another activation wrote the member since this one read
    /// it): reads the state from storage, dropping the refused change (never stored, so nothing owed is lost), for the
    /// caller to decide once more on it. The change stays marked ahead of storage. Throws when storage cannot be read.
    /// </summary>
    public Task ReadAfterRefusedWriteAsync() => ReloadAsync(afterFailure: false);
}
