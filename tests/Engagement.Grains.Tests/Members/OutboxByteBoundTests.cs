using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The outbox is bounded by bytes, not only by count (<see cref="OutboxBytes.Bound"/>): long manual adjustments waiting
/// for a ledger archive that is down make the member refuse changes once their stored JSON passes 64 KiB, long before
/// the count cap of 200, and nothing is lost: once the archive is back the refused adjustments are taken and every one
/// is archived once.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class OutboxByteBoundTests(MemberClusterFixture cluster)
{
    /// <summary>200 Chinese characters (AdjustmentPolicy.MaxReasonLength), 6 bytes each escaped in the stored JSON.</summary>
    private static readonly string LongReason = string.Concat(Enumerable.Repeat("顾客投诉积分未到账经核实后人工补发", 12))[..Domain.Points.AdjustmentPolicy.MaxReasonLength];

    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    private static AdjustmentRequest Adjustment(int i) =>
        new() { AdjustmentId = $"adj-{i:D3}", Kind = "points", Delta = 1, Reason = LongReason };

    [Fact]
    public async Task LongAdjustmentsWithTheArchiveDownAreRefusedAtTheByteBoundThenAllArchivedOnceItIsBack()
    {
        var id = MemberClusterFixture.NewMemberId("obb");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        Assert.Equal("applied", (await member.ApplyEventAsync(Events.Purchase(id, "O-1", 10m, Now.AddMinutes(-1)))).Status);
        var before = (await member.GetViewAsync())!.PointsBalance;
        cluster.Ledger.Fail(id);

        var refused = new List<int>();
        Exception? refusal = null;
        for (var i = 0; i < 150; i++)
        {
            var failure = await Record.ExceptionAsync(() => member.AdjustAsync(Adjustment(i)));
            if (failure is not null)
            {
                refusal ??= failure;
                refused.Add(i);
            }
        }

        // Refused at the byte bound: the first refusal comes after the kept ledger's 50 (stored by sequence) and 47 more
        // stored whole, far below the count cap; from then on every change is refused, nothing applied.
        Assert.Equal(Enumerable.Range(97, 53), refused);
        var backlog = Assert.IsType<MemberBacklogException>(refusal);
        Assert.IsAssignableFrom<TimeoutException>(backlog);
        Assert.Contains("the change is refused, nothing was applied", refusal.Message, StringComparison.Ordinal);
        Assert.InRange(backlog.Bytes, OutboxBytes.Bound + 1, OutboxBytes.Bound + 2_000);
        var stored = cluster.Faults.Stored<MemberGrainState>(id)!;

        // What the emit-first did deliver (every effect but the archive's) was stored before refusing, not dropped by a reload.
        Assert.All(stored.Member.Outbox.Pending, e => Assert.IsType<ArchiveLedgerEntry>(e));
        var storedBytes = OutboxBytes.Stored(stored.Member);
        Assert.InRange(storedBytes, OutboxBytes.Bound, OutboxBytes.Bound + 2_000);
        Assert.InRange(stored.Member.Outbox.Count, 96, MemberOutboxOptions.EmitFirstAbove);
        Assert.Equal(150 - refused.Count, stored.Member.Outbox.Pending.OfType<ArchiveLedgerEntry>().Count(e => IsAdjustment(e.Entry.EventId)));

        // The archive is back: the refused adjustments, sent again, are taken (each first emits what waits).
        cluster.Ledger.Heal(id);
        foreach (var i in refused)
        {
            Assert.Equal("applied", (await member.AdjustAsync(Adjustment(i))).Status);
        }

        var view = await member.GetViewAsync();
        var ledger = await member.GetLedgerAsync(new LedgerQuery { Limit = 500 });
        var archived = (await cluster.Archive.ReadAsync(id, null, null, 500)).Where(e => IsAdjustment(e.EventId)).ToList();
        Assert.Equal(150, archived.Count);
        Assert.Equal(150, archived.Select(e => e.EventId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(archived, e => Assert.EndsWith(LongReason, e.Reason, StringComparison.Ordinal));
        Assert.Equal(before + 150, view!.PointsBalance);
        Assert.Equal(150, ledger.Entries.Count(e => IsAdjustment(e.EventId)));
    }

    [Fact]
    public async Task ShortAdjustmentsWithTheArchiveDownPassTheCountCapAndAreStillTakenFarBelowTheByteBound()
    {
        var id = MemberClusterFixture.NewMemberId("obc");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        Assert.Equal("applied", (await member.ApplyEventAsync(Events.Purchase(id, "O-1", 10m, Now.AddMinutes(-1)))).Status);
        var before = (await member.GetViewAsync())!.PointsBalance;
        cluster.Ledger.Fail(id);

        // Past the count cap the member only emits first; small effects leave the row far from full, so none is refused.
        const int Count = MemberOutboxOptions.EmitFirstAbove + 30;
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal("applied", (await member.AdjustAsync(new AdjustmentRequest { AdjustmentId = $"short-{i:D3}", Kind = "points", Delta = 1, Reason = "x" })).Status);
        }

        var stored = cluster.Faults.Stored<MemberGrainState>(id)!;
        Assert.True(stored.Member.Outbox.Count > MemberOutboxOptions.EmitFirstAbove, $"{stored.Member.Outbox.Count} effects pending");
        Assert.False(OutboxBytes.PastBound(stored.Member));
        Assert.Equal(before + Count, (await member.GetViewAsync())!.PointsBalance);

        cluster.Ledger.Heal(id);
        Assert.Equal("applied", (await member.AdjustAsync(new AdjustmentRequest { AdjustmentId = "short-last", Kind = "points", Delta = 1, Reason = "x" })).Status);
        await member.GetLedgerAsync(new LedgerQuery { Limit = 500 }); // sends the last ledger batch too
        var archived = (await cluster.Archive.ReadAsync(id, null, null, 500)).Where(e => IsAdjustment(e.EventId)).ToList();
        Assert.Equal(Count + 1, archived.Select(e => e.EventId).Distinct(StringComparer.Ordinal).Count());
    }

    private static bool IsAdjustment(string? eventId) => eventId?.StartsWith(Domain.Points.AdjustmentPolicy.EventIdPrefix, StringComparison.Ordinal) == true;
}
