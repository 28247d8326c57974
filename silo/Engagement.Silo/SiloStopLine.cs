using Engagement.Azure.Streaming;

namespace Engagement.Silo;

/// <summary>
/// What the silo's stop line waits for: the queue receivers handing back. Orleans (10.4) bounds its own wait for a
/// pulling agent's stop and lets the receiver finish in the background, so without this the receivers' totals lines
/// (<c>Stopped receiving from …</c>) could land after the stop line (docs/running-locally.md, "A stop ends …").
/// </summary>
public static class SiloStopLine
{
    /// <summary>
    /// Once the host's services have stopped: waits, at most <see cref="SiloHostOptions.QueueHandBackWait"/> on the
    /// real clock, for every queue receiver of this silo to hand back (its totals logged). When some have not handed back
    /// yet, says first which and for how long it waits (one Information line), so a process killed during the wait
    /// shows why its stop line never came. Never throws for the wait running out.
    /// </summary>
    /// <param name="handBacks">The silo's <see cref="QueueHandBacks"/>, resolved before the stop (the host's services may be
    /// disposed by then); null, a host without queue streams, waits for nothing.</param>
    /// <param name="logger">The silo's own logger (the stop line's).</param>
    /// <param name="options">The silo's settings: <see cref="SiloHostOptions.QueueHandBackWait"/>.</param>
    /// <returns>The storage queues (names, ordinal order) whose receivers had still not handed back; empty when all had.</returns>
    public static async Task<IReadOnlyList<string>> AwaitQueueHandBacksAsync(QueueHandBacks? handBacks, ILogger logger, SiloHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        if (handBacks is null || handBacks.Pending is not { Count: > 0 } pending)
        {
            return [];
        }

        if (options.QueueHandBackWait > TimeSpan.Zero && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                "Waiting up to {HandBackWaitSeconds:0.0} s for the queue receivers of {QueuesNotHandedBack} to hand back",
                options.QueueHandBackWait.TotalSeconds,
                pending);
        }

        return await handBacks.WaitAsync(options.QueueHandBackWait);
    }
}
