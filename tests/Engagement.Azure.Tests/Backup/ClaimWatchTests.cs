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

    [Fact]
    public void FlappingStorageForgivesAnUnchangedClaimOnceNotForEver()
    {
        // Two failed looks, then one that answers, over and over: the dead claim's quiet is cut to half of StalledAfter
        // once; after that it counts on, and the claim is stalled by 1.5 × StalledAfter (plus a look) from the first look.
        var watch = new ClaimWatch(StalledAfter);
        var dead = new ETag("\"dead\"");
        Assert.False(watch.Observe(dead, Slot));
        var stalledAt = (DateTimeOffset?)null;
        for (var look = 1; look <= 40 && stalledAt is null; look++)
        {
            var at = Slot.AddMinutes(2.5 * look);
            if (look % 3 != 0)
            {
                watch.LookFailed();
            }
            else if (watch.Observe(dead, at))
            {
                stalledAt = at;
            }
        }

        Assert.NotNull(stalledAt);
        Assert.True(stalledAt <= Slot + StalledAfter + StalledAfter / 2 + StalledAfter / 4, $"stalled only at {stalledAt}");
    }

    [Fact]
    public void AClaimThatChangesIsForgivenAgainAfterTheNextOutage()
    {
        // Forgiving is once per ETag: a holder seen touching again is given the same grace after a later outage.
        var watch = new ClaimWatch(StalledAfter);
        Assert.False(watch.Observe(new ETag("\"a\""), Slot));
        watch.LookFailed();
        watch.LookFailed();
        Assert.False(watch.Observe(new ETag("\"a\""), Slot.AddMinutes(12.5)));
        Assert.False(watch.Observe(new ETag("\"b\""), Slot.AddMinutes(15)));
        watch.LookFailed();
        watch.LookFailed();
        Assert.False(watch.Observe(new ETag("\"b\""), Slot.AddMinutes(27.5)));
        Assert.Equal(TimeSpan.FromMinutes(5), watch.Quiet);
    }
}
