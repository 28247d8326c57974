using Engagement.Contracts.Members;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// Ledger entries wait in the member's stored outbox and are archived in batches (one table transaction for many
/// events), yet every read of the ledger, and every deactivation, sees or archives all of them.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class LedgerBatchTests(MemberClusterFixture cluster)
{
    private static readonly DateTimeOffset At = MemberClusterFixture.Start;

    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task EntriesOfAFewEventsWaitForABatchButTheLedgerReadShowsAndArchivesEveryOne()
    {
        var id = MemberClusterFixture.NewMemberId("LB");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        for (var i = 0; i < 3; i++)
        {
            await member.ApplyEventAsync(Events.Purchase(id, $"O{i}", 100m + i, Now.AddMinutes(-10 + i)));
        }

        Assert.Empty(await ArchivedAsync(id));

        var ledger = await member.GetLedgerAsync(new LedgerQuery { Limit = 100 });
        var archived = await ArchivedAsync(id);
        Assert.NotEmpty(ledger.Entries);
        Assert.Equal(ledger.Entries.Select(e => e.Sequence).Order(), archived.Select(e => e.Sequence).Order());
        Assert.Equal(Enumerable.Range(1, ledger.Entries.Count).Select(i => (long)i), archived.Select(e => e.Sequence).Order());
    }

    [Fact]
    public async Task AFullBatchIsArchivedWithoutAnyRead()
    {
        var id = MemberClusterFixture.NewMemberId("LB");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var batch = new MemberOutboxOptions().LedgerBatch;
        for (var i = 0; i < batch + 5; i++)
        {
            await member.ApplyEventAsync(Events.Purchase(id, $"O{i}", 10m + i, Now.AddMinutes(-100 + i)));
        }

        // Every purchase writes at least one entry, so at least one batch filled: archived in sequence order from 1, at least a batch long.
        var archived = (await ArchivedAsync(id)).Select(e => e.Sequence).Order().ToList();
        Assert.True(archived.Count >= batch, $"{archived.Count} archived entries, a batch is {batch}");
        Assert.Equal(Enumerable.Range(1, archived.Count).Select(i => (long)i), archived);
    }

    [Fact]
    public async Task DeactivationArchivesWhatWaits()
    {
        var id = MemberClusterFixture.NewMemberId("LB");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, "O1", 300m, Now.AddMinutes(-2)));
        await member.ApplyEventAsync(Events.Purchase(id, "O2", 40m, Now.AddMinutes(-1)));
        Assert.Empty(await ArchivedAsync(id));

        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var archived = await ArchivedAsync(id);
        Assert.True(archived.Count >= 2, $"{archived.Count} archived entries after deactivation");
        var ledger = await cluster.Client.GetGrain<IMemberGrain>(id).GetLedgerAsync(new LedgerQuery { Limit = 100 });
        Assert.Equal(ledger.Entries.Select(e => e.Sequence).Order(), archived.Select(e => e.Sequence).Order());
    }

    [Fact]
    public async Task TheEmitterHoldsLedgerEntriesUntilABatchIsPendingButSendsOtherEffectsAtOnce()
    {
        var ledger = new RecordingHandler<ArchiveLedgerEntry>();
        var journal = new RecordingHandler<JournalWinBackStep>();
        var emitter = new MemberEffectEmitter([ledger, journal], Options.Create(new MemberOutboxOptions { LedgerBatch = 3 }), NullLogger<MemberEffectEmitter>.Instance);
        var outbox = new MemberOutbox();
        outbox.Add(Entry(1));
        outbox.Add(Entry(2));
        outbox.Add(new JournalWinBackStep(At, "winback.level", 1, At));

        var first = await emitter.EmitAsync("M", outbox);

        Assert.True(first.Any);
        Assert.Empty(ledger.Calls);
        Assert.Single(journal.Calls);
        Assert.Equal(["ledger:1", "ledger:2"], outbox.Pending.Select(e => e.Id));

        outbox.Add(Entry(3));
        await emitter.EmitAsync("M", outbox);

        Assert.Equal([3], ledger.Calls.Select(c => c.Count));
        Assert.Empty(outbox.Pending);

        outbox.Add(Entry(4));
        Assert.False((await emitter.EmitAsync("M", outbox)).Any);
        Assert.True((await emitter.EmitAsync("M", outbox, everything: true)).Any);
        Assert.Equal([3, 1], ledger.Calls.Select(c => c.Count));
        Assert.Empty(outbox.Pending);
    }

    private async Task<IReadOnlyList<LedgerEntryView>> ArchivedAsync(string memberId) =>
        await cluster.Archive.ReadAsync(memberId, null, null, 1000);

    private static ArchiveLedgerEntry Entry(long sequence) => new(new LedgerEntry
    {
        Sequence = sequence, At = At, Kind = "points", Delta = 10, BalanceAfter = 10 * sequence, Reason = "test", RuleId = "points.earn",
    });

    private sealed class RecordingHandler<TEffect> : MemberEffectHandler<TEffect>
        where TEffect : MemberEffect
    {
        public List<List<TEffect>> Calls { get; } = [];

        protected override Task<int> EmitAsync(string memberId, List<TEffect> effects)
        {
            Calls.Add(effects);
            return Task.FromResult(effects.Count);
        }
    }
}
