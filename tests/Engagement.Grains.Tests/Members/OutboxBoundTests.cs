using Engagement.Contracts.Members;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// An outbox grown by a receiver failing for a long time does not keep a member from writing once the receiver is back:
/// the member emits it before deciding, so the change's write is not refused by the state bound.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class OutboxBoundTests(MemberClusterFixture cluster)
{
    private const int MemberOutboxOptionsLimit = 64;

    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AMemberWhoseStateReachedTheBoundWhileTheArchiveWasDownWritesAgainOnceItIsBack()
    {
        var id = MemberClusterFixture.NewMemberId("ob");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        cluster.Faults.BoundOutbox(id, 220); // the state bound, reached at 220 pending effects here
        cluster.Ledger.Fail(id);

        // Purchases while the archive is down: their ledger entries pile up until the state is too large to write.
        var refused = false;
        for (var i = 0; i < 200 && !refused; i++)
        {
            refused = await Record.ExceptionAsync(() => member.ApplyEventAsync(Events.Purchase(id, $"O{i}", 10m, Now.AddMinutes(-1)))) is not null;
        }

        Assert.True(refused);

        // The archive is back: the next purchase is stored, and the entries that waited are archived.
        cluster.Ledger.Heal(id);
        var failure = await Record.ExceptionAsync(() => member.ApplyEventAsync(Events.Purchase(id, "O-after", 10m, Now.AddMinutes(-1))));

        Assert.Null(failure);
        var stored = cluster.Faults.Stored<MemberGrainState>(id)!;
        Assert.Contains(stored.Member.Ledger, e => e.EventId == "p-O-after");
        Assert.True(stored.Member.Outbox.Count < MemberOutboxOptionsLimit, $"{stored.Member.Outbox.Count} effects still pending");
        Assert.True((await cluster.Archive.ReadAsync(id, null, null, 500)).Count > 200);
    }
}
