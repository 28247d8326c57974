using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// Silo-local copy of the active triggered campaigns, so a member matches its events against them without a call
/// per event. Re-read from <see cref="ICampaignRegistryGrain"/> when older than
/// <see cref="CampaignOptions.TriggeredRefreshInterval"/> (wall clock: this is a cache age, not a business rule),
/// and at once when a campaign grain on this silo changed the registry. A registry that cannot answer (a response
/// timeout, a storage failure or timeout) leaves members matching on the last list, logged as a warning, never failing an event.
/// </summary>
public sealed partial class ActiveCampaignCache(IGrainFactory grains, IOptions<CampaignOptions> options, ILogger<ActiveCampaignCache> logger) : IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private IReadOnlyList<CampaignDefinition> _active = [];
    private long _loadedAt = long.MinValue;

    /// <summary>The active triggered campaigns, highest priority first; stale by at most the refresh interval.</summary>
    public async ValueTask<IReadOnlyList<CampaignDefinition>> GetAsync()
    {
        if (!IsStale())
        {
            return _active;
        }

        await _refresh.WaitAsync();
        try
        {
            if (IsStale())
            {
                try
                {
                    _active = await grains.GetGrain<ICampaignRegistryGrain>(0).ListActiveAsync();
                }
                catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
                {
                    // Keep matching on the last list; try again after one interval. No token of ours is in this call:
                    // a cancellation out of it is a TaskCanceledException nobody here asked for (e.g. Orleans'
                    // activation timeout, or a port's SDK timeout in a callee), a failure like Orleans'
                    // TimeoutException. A failure of the registry's own state storage arrives wrapped in an
                    // OrleansException, a failure too.
                    LogRefreshFailed(ex);
                }

                Volatile.Write(ref _loadedAt, Environment.TickCount64);
            }
        }
        finally
        {
            _refresh.Release();
        }

        return _active;
    }

    public void Dispose() => _refresh.Dispose();

    /// <summary>The next read goes to the registry.</summary>
    public void Invalidate() => Volatile.Write(ref _loadedAt, long.MinValue);

    private bool IsStale()
    {
        var loadedAt = Volatile.Read(ref _loadedAt);
        return loadedAt == long.MinValue || Environment.TickCount64 - loadedAt >= (long)options.Value.TriggeredRefreshInterval.TotalMilliseconds;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the active triggered campaigns failed; matching on the last list")]
    private partial void LogRefreshFailed(Exception ex);
}
