using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>Support's desk limit bounds a member's day (programme-local, Asia/Shanghai by default), per kind, not one request.</summary>
public class SupportDeskLimitTests
{
    private const long Limit = 1_000;

    [Fact]
    public void SupportsGrowthAdjustmentsToOneMemberStopAtTheLimitForTheDayAndAReplayCountsOnce()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero)); // 10:00 in Shanghai
        member.Purchase("O-1", 200m);

        var first = AdjustmentPolicy.Apply(member.State, "g1", "growth", 600, "goodwill", member.Options, member.Now, Limit);
        var replay = AdjustmentPolicy.Apply(member.State, "g1", "growth", 600, "goodwill", member.Options, member.Now, Limit);
        var points = AdjustmentPolicy.Apply(member.State, "p1", "points", -300, "typo", member.Options, member.Now, Limit);
        var upToTheLimit = AdjustmentPolicy.Apply(member.State, "g2", "growth", -400, "undo part", member.Options, member.Now, Limit);
        var beyond = AdjustmentPolicy.Apply(member.State, "g3", "growth", 1, "one more", member.Options, member.Now, Limit);

        Assert.Equal(AdjustmentStatuses.Applied, first.Status);
        Assert.Equal(AdjustmentStatuses.Replayed, replay.Status);
        Assert.Equal(AdjustmentStatuses.Applied, points.Status); // another kind: its own total
        Assert.Equal(AdjustmentStatuses.Applied, upToTheLimit.Status); // |+600| + |−400| = 1,000: at the limit
        Assert.Equal(AdjustmentStatuses.OverDeskLimit, beyond.Status);
        Assert.Contains("limit is 1000 growth", beyond.Detail, StringComparison.Ordinal);
        Assert.Contains("1000 already adjusted today", beyond.Detail, StringComparison.Ordinal);
        Assert.Contains("admin", beyond.Detail, StringComparison.Ordinal);
        Assert.Empty(beyond.NewEntries);
        Assert.Equal(400, member.Growth); // 200 + 600 − 400, the refused one changed nothing
        Assert.Equal(300, SupportDeskLimit.Used(member.State, "points", member.Options, member.Now));

        // An admin is not bound (no limit given), and does not use support's day.
        var byAdmin = AdjustmentPolicy.Apply(member.State, "g4", "growth", 5_000, "store opening", member.Options, member.Now);
        Assert.Equal(AdjustmentStatuses.Applied, byAdmin.Status);
        Assert.Equal(1_000, SupportDeskLimit.Used(member.State, "growth", member.Options, member.Now));
    }

    [Fact]
    public void TheDayEndsAtMidnightInTheProgrammeTimeZoneAndOnlyThatDayIsKept()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 5, 15, 30, 0, TimeSpan.Zero)); // 23:30 in Shanghai
        member.Purchase("O-1", 200m);
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "a1", "points", 1_000, "late parcel", member.Options, member.Now, Limit).Status);
        Assert.Equal(AdjustmentStatuses.OverDeskLimit, AdjustmentPolicy.Apply(member.State, "a2", "points", 1, "more", member.Options, member.Now.AddMinutes(29), Limit).Status);

        member.Now = member.Now.AddMinutes(31); // 00:01 on the 6th in Shanghai, still the 5th in UTC
        var nextDay = AdjustmentPolicy.Apply(member.State, "a3", "points", 1_000, "another parcel", member.Options, member.Now, Limit);

        Assert.Equal(AdjustmentStatuses.Applied, nextDay.Status);
        Assert.Equal(new DateOnly(2026, 12, 6), member.State.SupportDay!.Day);
        Assert.Equal(1_000, member.State.SupportDay.Points);
    }
}
