using System.Collections.Concurrent;
using Azure;
using Engagement.Azure.Tests.Programme;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Storage;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Members;

/// <summary>
/// A member's state write that fails ambiguously, on Azurite's table through the official provider: the table stored it
/// and the answer was lost (a timeout; or the Azure SDK's retry of the stored request refused with 412 / 409, which the
/// provider reports as an <see cref="InconsistentStateException"/>, "StoredETag Unknown"), it never reached the table, or
/// it reached the table only after the member read the row again. Whichever it is, the call fails, the activation keeps
/// nothing of the change (ARCHITECTURE.md, "The member hot path") and the event received again (as the queue redelivers it)
/// is applied exactly once. After a write stored, lost or refused before the member's next read, the next write carries
/// the ETag storage holds (no 412 of its own); after a write stored only after that read, the next write meets exactly one
/// 412 (the row changed under it), keeps nothing of it, and the redelivery after it answers from the row. Engine clock
/// pinned (<see cref="ProgrammeSilo.Start"/>); the points compared are a twin member's, who met no fault.
/// </summary>
public sealed class AmbiguousMemberWriteTests
{
    private static readonly DateTimeOffset Bought = ProgrammeSilo.Start.AddHours(-2);

    [Theory]
    [InlineData(AmbiguousWrite.StoredThenTimeout, false)]
    [InlineData(AmbiguousWrite.StoredThenTimeout, true)]
    [InlineData(AmbiguousWrite.StoredThenRefusedOnRetry, false)]
    [InlineData(AmbiguousWrite.StoredThenRefusedOnRetry, true)]
    [InlineData(AmbiguousWrite.NeverStored, false)]
    [InlineData(AmbiguousWrite.NeverStored, true)]
    [InlineData(AmbiguousWrite.StoredAfterTheNextRead, false)]
    [InlineData(AmbiguousWrite.StoredAfterTheNextRead, true)]
    public async Task AnEventWhoseWriteFailedAmbiguouslyIsAppliedOnceWhenReceivedAgain(AmbiguousWrite fault, bool firstWrite)
    {
        var writes = new AmbiguousMemberWrites();
        await using var silo = new ProgrammeSilo { WrapGrainStorage = storage => new AmbiguousMemberWriteStorage(storage, writes) };
        await silo.StartAsync();
        var id = "amb-" + Guid.NewGuid().ToString("N")[..8];
        var twin = id + "-twin";
        var member = silo.Grains.GetGrain<IMemberGrain>(id);
        var events = new[] { Register(id), Purchase(id, "o1", 268.50m), Purchase(id, "o2", 99.90m) };
        var faulted = firstWrite ? 0 : 1; // the register's write inserts the row; a purchase's replaces it on its ETag

        for (var i = 0; i < events.Length; i++)
        {
            if (i != faulted)
            {
                Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(events[i])).Status);
                continue;
            }

            writes.Next(id, fault);
            await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(events[i]));
            Assert.Equal(0, writes.Armed);

            // Received again, as the queue redelivers it: applied once, whether or not the failed write was stored.
            var (again, refused) = await ReceiveAgainAsync(member, events[i], fault);
            Assert.Equal(fault is AmbiguousWrite.StoredAfterTheNextRead ? 1 : 0, refused);
            Assert.Equal(fault is AmbiguousWrite.NeverStored ? ApplyStatus.Applied : ApplyStatus.Duplicate, again.Status);
            Assert.Equal(ApplyStatus.Duplicate, (await member.ApplyEventAsync(events[i])).Status);
        }

        // The twin receives the same events with no fault: the member holds exactly what the twin holds.
        var twinMember = silo.Grains.GetGrain<IMemberGrain>(twin);
        foreach (var e in events)
        {
            Assert.Equal(ApplyStatus.Applied, (await twinMember.ApplyEventAsync(e with { MemberId = twin })).Status);
        }

        var view = (await member.GetViewAsync())!;
        var twinView = (await twinMember.GetViewAsync())!;
        Assert.True(twinView.PointsBalance > 0, "the purchases earned points");
        Assert.Equal(twinView.PointsBalance, view.PointsBalance);
        Assert.Equal(twinView.GrowthValue, view.GrowthValue);
        var ledger = await PointsByEventAsync(member);
        Assert.Equal(await PointsByEventAsync(twinMember), ledger);

        // Storage holds what the member shows: the row read afresh, not the activation's memory.
        await silo.StopAsync();
        await silo.StartAsync();
        Assert.Equal(view.PointsBalance, (await silo.Grains.GetGrain<IMemberGrain>(id).GetViewAsync())!.PointsBalance);
    }

    /// <summary>
    /// The event received again until the member answers, as the queue redelivers a message whose delivery failed. Only
    /// for <see cref="AmbiguousWrite.StoredAfterTheNextRead"/> may the first time meet the ETag conflict of the write
    /// stored late (an <see cref="InconsistentStateException"/>, a refusal that leaves nothing behind), and then once
    /// only; for every other fault, and any other failure, the first redelivery answers or the test fails. Returns the
    /// answer and how many times the redelivery was refused with the ETag conflict.
    /// </summary>
    private static async Task<(ApplyResult Result, int Refused)> ReceiveAgainAsync(IMemberGrain member, EngagementEvent evt, AmbiguousWrite fault)
    {
        for (var refused = 0; ; refused++)
        {
            try
            {
                return (await member.ApplyEventAsync(evt), refused);
            }
            catch (InconsistentStateException) when (fault is AmbiguousWrite.StoredAfterTheNextRead && refused == 0)
            {
            }
        }
    }

    /// <summary>The member's points ledger entries as (eventId, delta), in order of eventId then delta: each event's entries once.</summary>
    private static async Task<List<(string? EventId, long Delta)>> PointsByEventAsync(IMemberGrain member) =>
        (await member.GetLedgerAsync(new LedgerQuery { Kind = "points", Limit = 500 })).Entries
            .Select(e => (e.EventId, e.Delta)).Order().ToList();

    private static EngagementEvent Register(string id) => new()
    {
        EventId = id + "-reg", Type = EventTypes.Register, MemberId = id, OccurredAt = Bought.AddDays(-1), RegionId = "amb",
    };

    private static EngagementEvent Purchase(string id, string order, decimal amount) => new()
    {
        EventId = id + "-" + order, Type = EventTypes.Purchase, MemberId = id, OccurredAt = Bought, RegionId = "amb", OrderId = order, Amount = amount,
    };
}

/// <summary>How a faulted member state write fails (<see cref="AmbiguousMemberWrites"/>).</summary>
public enum AmbiguousWrite
{
    /// <summary>The table stored the write; its answer was lost (a timeout). The activation keeps the ETag it wrote with, as the provider does on any failure.</summary>
    StoredThenTimeout,

    /// <summary>
    /// The table stored the write; the Azure SDK's retry of the same request then met its own write: 412 on a replace, 409
    /// on an insert, which the official provider reports as an <see cref="InconsistentStateException"/> ("StoredETag Unknown").
    /// </summary>
    StoredThenRefusedOnRetry,

    /// <summary>The write never reached the table (a timeout before it was sent).</summary>
    NeverStored,

    /// <summary>The write timed out on its way and reached the table only after the member's next read of its row (a request held up in the network).</summary>
    StoredAfterTheNextRead,
}

/// <summary>The member state writes to fail next, one per call of <see cref="Next"/>, for the one member named.</summary>
public sealed class AmbiguousMemberWrites
{
    private readonly ConcurrentQueue<(string MemberId, AmbiguousWrite Fault)> _armed = new();

    /// <summary>Faults armed and not yet met.</summary>
    public int Armed => _armed.Count;

    /// <summary>The next state write of member <paramref name="memberId"/> fails as <paramref name="fault"/> says.</summary>
    public void Next(string memberId, AmbiguousWrite fault) => _armed.Enqueue((memberId, fault));

    /// <summary>The fault armed for this write of <paramref name="memberId"/>, taken; null for a write to let through.</summary>
    internal AmbiguousWrite? Take(string memberId) =>
        _armed.TryPeek(out var next) && next.MemberId == memberId && _armed.TryDequeue(out next) ? next.Fault : null;
}

/// <summary>
/// The grain storage in front of the engine's (the official Azure table provider on Azurite): member state writes armed in
/// <see cref="AmbiguousMemberWrites"/> fail as their <see cref="AmbiguousWrite"/> says; every other call passes through.
/// </summary>
internal sealed class AmbiguousMemberWriteStorage(IGrainStorage inner, AmbiguousMemberWrites writes) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const string MemberState = "member";

    /// <summary>A write held back (<see cref="AmbiguousWrite.StoredAfterTheNextRead"/>): made right after the member's next read.</summary>
    private Func<Task>? _late;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.ReadStateAsync(stateName, grainId, grainState);
        if (stateName == MemberState && Interlocked.Exchange(ref _late, null) is { } late)
        {
            await late();
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName != MemberState || writes.Take(grainId.Key.ToString()!) is not { } fault)
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        var (etag, exists) = (grainState.ETag, grainState.RecordExists);
        switch (fault)
        {
            case AmbiguousWrite.StoredThenTimeout:
                await inner.WriteStateAsync(stateName, grainId, grainState);
                (grainState.ETag, grainState.RecordExists) = (etag, exists);
                throw new TimeoutException("simulated: the table stored the member's write, its answer was lost");
            case AmbiguousWrite.StoredThenRefusedOnRetry:
                await inner.WriteStateAsync(stateName, grainId, grainState);
                (grainState.ETag, grainState.RecordExists) = (etag, exists);
                var refusal = etag is null
                    ? new RequestFailedException(409, "simulated: the retried insert met its own row", StorageConflict.EntityAlreadyExists, null)
                    : new RequestFailedException(412, "simulated: the retried replace met its own write", StorageConflict.UpdateConditionNotSatisfied, null);
                throw new InconsistentStateException(refusal.Message, "Unknown", etag, refusal);
            case AmbiguousWrite.NeverStored:
                throw new TimeoutException("simulated: the member's write timed out before it reached the table");
            default:
                // The request as sent: this state object and ETag (a reload gives the grain a new state object).
                var sent = new GrainState<T>(grainState.State, etag);
                _late = () => inner.WriteStateAsync(stateName, grainId, sent);
                throw new TimeoutException("simulated: the member's write timed out on its way to the table");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    /// <summary>The provider's own start (its table created).</summary>
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
