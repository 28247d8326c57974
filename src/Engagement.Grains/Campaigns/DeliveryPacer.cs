namespace Engagement.Grains.Campaigns;

/// <summary>
/// Spaces a campaign's deliveries to at most <c>perSecond</c> (wall clock: connector throughput, not a business
/// rule); 0 = no limit. Used from one activation's turns only, so it needs no lock.
/// </summary>
internal sealed class DeliveryPacer(int perSecond)
{
    private long _next;

    /// <summary>Waits for the next free slot.</summary>
    public async Task PaceAsync(CancellationToken cancellationToken)
    {
        if (perSecond <= 0)
        {
            return;
        }

        var now = TimeProvider.System.GetTimestamp();
        var step = TimeProvider.System.TimestampFrequency / perSecond;
        var slot = Math.Max(now, _next);
        _next = slot + step;
        if (slot > now)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)(slot - now) / TimeProvider.System.TimestampFrequency), TimeProvider.System, cancellationToken);
        }
    }
}
