using System.Text.Json;
using Engagement.Grains.Members;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// A member's grain state kept as JSON, as the table provider keeps it: a read replaces memory with what the last
/// successful write stored, and reads and writes can be made to fail (for good, or once) as an outage would.
/// </summary>
internal sealed class JsonMemberState : IPersistentState<MemberGrainState>
{
    private string? _stored;

    public MemberGrainState State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists => _stored is not null;

    /// <summary>Every write throws an <see cref="IOException"/> until cleared.</summary>
    public bool FailWrites { get; set; }

    /// <summary>Every read throws an <see cref="IOException"/> until cleared.</summary>
    public bool FailReads { get; set; }

    /// <summary>What a failing write throws (an <see cref="IOException"/> unless set).</summary>
    public Func<Exception> WriteFault { get; set; } = () => new IOException("storage cannot be written");

    /// <summary>The next write throws an <see cref="IOException"/>, once.</summary>
    public bool FailNextWrite { get; set; }

    /// <summary>After this many more successful writes, the next one throws an <see cref="IOException"/>, once (null: none).</summary>
    public int? FailWriteAfter { get; set; }

    /// <summary>The next read times out as the Azure SDK does (a <see cref="TaskCanceledException"/>), once.</summary>
    public bool TimeOutNextRead { get; set; }

    /// <summary>Called after each successful write (e.g. to pass a deadline at that point).</summary>
    public Action? Wrote { get; set; }

    /// <summary>While set, a read waits for it before it reads (one never completed: a read that never answers).</summary>
    public TaskCompletionSource? HoldReads { get; set; }

    /// <summary>Reads attempted, failed ones too.</summary>
    public int Reads { get; set; }

    /// <summary>Successful writes.</summary>
    public int Writes { get; private set; }

    /// <summary>The JSON of the last successful write.</summary>
    public string Stored => _stored ?? "";

    /// <summary>What the last successful write stored (a copy), or null before the first.</summary>
    public MemberGrainState? Written => _stored is null ? null : JsonSerializer.Deserialize<MemberGrainState>(_stored);

    public async Task ReadStateAsync()
    {
        Reads++;
        if (HoldReads is { } held)
        {
            await held.Task;
        }

        if (FailReads)
        {
            throw new IOException("storage cannot be read");
        }

        if (TimeOutNextRead)
        {
            TimeOutNextRead = false;
            throw new TaskCanceledException("the state table timed out");
        }

        State = Written ?? new();
    }

    public Task WriteStateAsync()
    {
        if (FailWriteAfter is { } left)
        {
            FailWriteAfter = left > 0 ? left - 1 : null;
            FailNextWrite |= left == 0;
        }

        if (FailWrites || FailNextWrite)
        {
            FailNextWrite = false;
            throw WriteFault();
        }

        Writes++;
        _stored = JsonSerializer.Serialize(State);
        Etag = Writes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Wrote?.Invoke();
        return Task.CompletedTask;
    }

    public Task ClearStateAsync()
    {
        _stored = null;
        State = new();
        return Task.CompletedTask;
    }
}
