using Azure;
using Engagement.Azure.Backup;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Issue 14 §4: a silo that skipped a backup reports it failed only when its claim stops being touched for
/// <see cref="BackupOptions.StalledAfter"/> — never while the silo taking it is alive and touching it.
/// </summary>
public sealed class ClaimWatchTests
{
    private static readonly DateTimeOffset Slot = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(10);

    [Fact]
    public void AClaimTouchedEveryQuarterIsNeverStalledHoweverLongTheBackupRuns()
    {
        var watch = new ClaimWatch(StalledAfter);
        for (var minute = 0; minute <= 6 * 60; minute++)
        {
            // The holder touches every 2.5 minutes; the watcher looks every minute.
            var etag = new ETag($"\"v{minute * 2 / 5}\"");
            Assert.False(watch.Observe(etag, Slot.AddMinutes(minute)), $"stalled at minute {minute}");
        }
    }

    [Fact]
    public void AClaimUntouchedForStalledAfterIsStalledCountedFromItsLastChange()
    {
        var watch = new ClaimWatch(StalledAfter);
        Assert.False(watch.Observe(new ETag("\"a\""), Slot.AddMinutes(1)));
        Assert.False(watch.Observe(new ETag("\"b\""), Slot.AddMinutes(4)));
        Assert.False(watch.Observe(new ETag("\"b\""), Slot.AddMinutes(13).AddSeconds(59)));
        Assert.Equal(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(59), watch.Quiet);
        Assert.True(watch.Observe(new ETag("\"b\""), Slot.AddMinutes(14)));
        Assert.Equal(StalledAfter, watch.Quiet);
    }

    [Fact]
    public void AClaimNeverSeenToChangeCountsFromTheFirstLook()
    {
        var watch = new ClaimWatch(StalledAfter);
        Assert.False(watch.Observe(new ETag("\"dead\""), Slot.AddMinutes(3)));
        Assert.False(watch.Observe(new ETag("\"dead\""), Slot.AddMinutes(12)));
        Assert.True(watch.Observe(new ETag("\"dead\""), Slot.AddMinutes(13)));
    }

    [Fact]
    public void AfterTwoFailedLooksInARowTheQuietDuringThemCountsAsHalfStalledAfterAtMost()
    {
        // Storage could not say from 2.5 to 10 minutes: the holder's touches may have failed as the looks did.
        var watch = new ClaimWatch(StalledAfter);
        Assert.False(watch.Observe(new ETag("\"a\""), Slot));
        watch.LookFailed();
        watch.LookFailed();
        watch.LookFailed();
        Assert.False(watch.Observe(new ETag("\"a\""), Slot.AddMinutes(12.5)));
        Assert.Equal(TimeSpan.FromMinutes(5), watch.Quiet);
        Assert.False(watch.Observe(new ETag("\"a\""), Slot.AddMinutes(15)));
        Assert.True(watch.Observe(new ETag("\"a\""), Slot.AddMinutes(17.5)));
    }

    [Fact]
    public void OneFailedLookBetweenTwoThatAnsweredDoesNotHoldOffAStall()
    {
        var watch = new ClaimWatch(StalledAfter);
        Assert.False(watch.Observe(new ETag("\"dead\""), Slot));
        watch.LookFailed();
        Assert.False(watch.Observe(new ETag("\"dead\""), Slot.AddMinutes(5)));
        watch.LookFailed();
        Assert.True(watch.Observe(new ETag("\"dead\""), Slot.AddMinutes(10)));
    }
}
