using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The outbox is bounded by bytes, not only by count (<see cref="OutboxBytes.Bound"/>): many small effects pass the
/// count cap and are still taken far below the byte bound. The long adjustments that reach the byte bound run on the
/// real table provider (Engagement.Azure.Tests, <c>OutboxByteBoundOnAzuriteTests</c>), whose row the bound protects.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class OutboxByteBoundTests(MemberClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

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
