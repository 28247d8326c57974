using Engagement.Azure.Ledger;
using Engagement.Contracts.Members;
using Engagement.Grains.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement.Azure.Tests.Infrastructure;

/// <summary>The ledger archive, whose appends fail while <see cref="Down"/> (reads still work): a member's outbox then backs up.</summary>
public sealed class DownLedgerArchive
{
    public bool Down { get; set; }

    public ILedgerArchive Over(ILedgerArchive inner) => new Wrapper(this, inner);

    /// <summary>Makes the silo's ledger archive the engine's Azure table archive (<see cref="AzureTableLedgerArchive"/>) behind this switch.</summary>
    public void StandIn(IServiceCollection services)
    {
        services.RemoveAll<ILedgerArchive>();
        services.AddSingleton<ILedgerArchive>(sp => Over(sp.GetRequiredService<AzureTableLedgerArchive>()));
    }

    private sealed class Wrapper(DownLedgerArchive switchboard, ILedgerArchive inner) : ILedgerArchive
    {
        public Task AppendAsync(string memberId, IReadOnlyList<LedgerEntryView> entries, CancellationToken cancellationToken = default) =>
            switchboard.Down ? throw new IOException("the ledger table did not answer") : inner.AppendAsync(memberId, entries, cancellationToken);

        public Task<IReadOnlyList<LedgerEntryView>> ReadAsync(string memberId, string? kind, long? before, int limit, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(memberId, kind, before, limit, cancellationToken);
    }
}
