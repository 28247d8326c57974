using Engagement.Azure.Hosting;
using Engagement.Azure.Ledger;
using Engagement.Azure.Tests.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    /// <summary>200 Chinese characters (AdjustmentPolicy.MaxReasonLength), 6 bytes each escaped in the stored JSON.</summary>
    private static readonly string LongReason = string.Concat(Enumerable.Repeat("顾客投诉积分未到账经核实后人工补发", 12))[..Domain.Points.AdjustmentPolicy.MaxReasonLength];

    private readonly string _suffix = Azurite.UniqueName("obb");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
    private readonly DownLedgerArchive _archive = new();
    private IHost? _host;

    private string[] Tables => ["gs" + _suffix, "rem" + _suffix, "ledger" + _suffix, "metrics" + _suffix];

    private IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:AzureStorage"] = Azurite.ConnectionString,
            ["Engagement:Storage:GrainStateTableName"] = Tables[0],
            ["Engagement:Storage:ReminderTableName"] = Tables[1],
            ["Engagement:Storage:LedgerTableName"] = Tables[2],
            ["Engagement:Storage:MetricsTableName"] = Tables[3],
            ["Engagement:Storage:TouchQueueName"] = "touches-" + _suffix,
        });
        builder.Services.AddKeyedSingleton<TimeProvider>(EngagementTime.Key, _clock);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: StorageSiloFixture.FreePort(), gatewayPort: StorageSiloFixture.FreePort(), serviceId: "obb-" + _suffix, clusterId: "c");
            silo.AddEngagementGrains(builder.Configuration);
            silo.AddEngagementAzureStorage(builder.Configuration);
            silo.AddEngagementInMemoryPorts();

            // The engine's Azure ledger archive, down on demand.
            silo.Services.RemoveAll<ILedgerArchive>();
            silo.Services.AddSingleton<ILedgerArchive>(sp => _archive.Over(sp.GetRequiredService<AzureTableLedgerArchive>()));
        });
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        foreach (var table in Tables)
        {
            await StorageClients.DeleteTableQuietlyAsync(table);
        }

        await StorageClients.Queues().GetQueueClient("touches-" + _suffix).DeleteIfExistsAsync();
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
            var failure = await Record.ExceptionAsync(() => member.AdjustAsync(Adjustment(i)));
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
            Assert.Equal("applied", (await member.AdjustAsync(Adjustment(i))).Status);
        }

        var view = await member.GetViewAsync();
        var ledger = await member.GetLedgerAsync(new LedgerQuery { Limit = 500 });
        var archived = (await Services.GetRequiredService<AzureTableLedgerArchive>().ReadAsync(id, null, null, 500)).Where(e => IsAdjustment(e.EventId)).ToList();
        Assert.Equal(150, archived.Count);
        Assert.Equal(150, archived.Select(e => e.EventId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(archived, e => Assert.EndsWith(LongReason, e.Reason, StringComparison.Ordinal));
        Assert.Equal(before + 150, view!.PointsBalance);
        Assert.Equal(150, ledger.Entries.Count(e => IsAdjustment(e.EventId)));
    }

    private static AdjustmentRequest Adjustment(int i) =>
        new() { AdjustmentId = $"adj-{i:D3}", Kind = "points", Delta = 1, Reason = LongReason };

    private async Task<MemberGrainState> ReadStoredAsync(string memberId)
    {
        var state = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState).ReadStateAsync("member", GrainId.Create("member", memberId), state);
        return state.State;
    }

    private static bool IsAdjustment(string? eventId) => eventId?.StartsWith(Domain.Points.AdjustmentPolicy.EventIdPrefix, StringComparison.Ordinal) == true;
}
