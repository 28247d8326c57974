using Engagement.Azure.Hosting;
using Engagement.Azure.Ledger;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Members.Effects;
using Engagement.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Members;

/// <summary>
/// The outbox's byte bound (<see cref="OutboxBytes.Bound"/>) protects the real table provider's row: with the ledger
/// archive (the engine's own, on Azurite) down, 150 manual adjustments with 200-character Chinese reasons are refused
/// from the byte bound on, every state the member wrote is read back whole from Azurite's table by the engine's grain
/// storage, and once the archive is back the refused adjustments are taken and every one is archived once in the
/// Azurite ledger table. Engine clock pinned (a <see cref="FakeTimeProvider"/> at 10:00 in Shanghai).
/// </summary>
public sealed class OutboxByteBoundOnAzuriteTests : IAsyncLifetime
{
    private readonly string _suffix = Azurite.UniqueName("obb");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
    private readonly DownLedgerArchive _archive = new();
    private IHost? _host;

    private SiloStorage Storage => SiloStorage.Named(_suffix);

    private IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _host = AzuriteSilo.Build(Storage.Settings(), "obb-" + _suffix, (silo, configuration) =>
        {
            silo.AddEngagementGrains(configuration);
            silo.AddEngagementAzureStorage(configuration);
            silo.AddEngagementInMemoryPorts();
            _archive.StandIn(silo.Services); // the engine's Azure ledger archive, down on demand
        }, _clock);
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await AzuriteSilo.StopAsync(_host);
        await Storage.DeleteAsync();
    }

    [Fact]
    public async Task LongAdjustmentsWithTheArchiveDownAreRefusedAtTheByteBoundOnTheTableProviderThenAllArchivedOnceItIsBack()
    {
        var id = "obb" + Guid.NewGuid().ToString("N")[..12];
        var member = Services.GetRequiredService<IGrainFactory>().GetGrain<IMemberGrain>(id);
        var now = _clock.GetUtcNow();
        var purchase = new EngagementEvent { EventId = id + "-p1", Type = EventTypes.Purchase, MemberId = id, OccurredAt = now.AddMinutes(-1), OrderId = "O-1", Amount = 10m };
        Assert.Equal("applied", (await member.ApplyEventAsync(purchase)).Status);
        var before = (await member.GetViewAsync())!.PointsBalance;
        _archive.Down = true;

        var refused = new List<int>();
        var failures = new List<Exception>();
        for (var i = 0; i < 150; i++)
        {
            var failure = await Record.ExceptionAsync(() => member.AdjustAsync(LongAdjustments.Numbered(i)));
            if (failure is not null)
            {
                failures.Add(failure);
                refused.Add(i);
            }
        }

        var refusal = failures.FirstOrDefault();

        // Refused at the byte bound: the first refusal after the kept ledger's 50 (stored by sequence) and 47 more stored
        // whole; from then on every change is refused, nothing applied. Every write before it fit the table's row.
        Assert.Equal(Enumerable.Range(97, 53), refused);
        Assert.All(failures, f => Assert.IsType<MemberBacklogException>(f));
        var backlog = Assert.IsType<MemberBacklogException>(refusal);
        Assert.IsAssignableFrom<TimeoutException>(backlog); // "not now": HTTP 503, a queue event received again later
        Assert.Contains("the change is refused, nothing was applied", backlog.Message, StringComparison.Ordinal);
        Assert.InRange(backlog.Bytes, OutboxBytes.Bound + 1, OutboxBytes.Bound + 2_000);

        // What Azurite's table holds, read back by the engine's grain storage: the outbox at the bound, archive rows only.
        var stored = await ReadStoredAsync(id);
        Assert.All(stored.Member.Outbox.Pending, e => Assert.IsType<ArchiveLedgerEntry>(e));
        Assert.InRange(OutboxBytes.Stored(stored.Member), OutboxBytes.Bound, OutboxBytes.Bound + 2_000);
        Assert.InRange(stored.Member.Outbox.Count, 96, MemberOutboxOptions.EmitFirstAbove);
        Assert.Equal(150 - refused.Count, stored.Member.Outbox.Pending.OfType<ArchiveLedgerEntry>().Count(e => IsAdjustment(e.Entry.EventId)));

        // The archive is back: the refused adjustments, sent again, are taken (each first emits what waits).
        _archive.Down = false;
        foreach (var i in refused)
        {
            Assert.Equal("applied", (await member.AdjustAsync(LongAdjustments.Numbered(i))).Status);
        }

        var view = await member.GetViewAsync();
        var ledger = await member.GetLedgerAsync(new LedgerQuery { Limit = 500 });
        var archived = (await Services.GetRequiredService<AzureTableLedgerArchive>().ReadAsync(id, null, null, 500)).Where(e => IsAdjustment(e.EventId)).ToList();
        Assert.Equal(150, archived.Count);
        Assert.Equal(150, archived.Select(e => e.EventId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(archived, e => Assert.EndsWith(LongAdjustments.Reason, e.Reason, StringComparison.Ordinal));
        Assert.Equal(before + 150, view!.PointsBalance);
        Assert.Equal(150, ledger.Entries.Count(e => IsAdjustment(e.EventId)));
    }

    private async Task<MemberGrainState> ReadStoredAsync(string memberId)
    {
        var state = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState).ReadStateAsync("member", GrainId.Create("member", memberId), state);
        return state.State;
    }

    private static bool IsAdjustment(string? eventId) => eventId?.StartsWith(Domain.Points.AdjustmentPolicy.EventIdPrefix, StringComparison.Ordinal) == true;
}
