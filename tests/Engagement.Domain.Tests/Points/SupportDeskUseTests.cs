using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// The figures of support's daily limit (<see cref="SupportDeskUse"/>, <see cref="SupportDeskLimit.Judge"/>) are the
/// domain's: the API's 403 (<c>reason</c> <c>daily_limit</c>) used to work out the requested size itself, beside the
/// domain's own judgement. Edges: exactly at the limit, one over, takes counting like gives, a new programme-local day.
/// </summary>
public class SupportDeskUseTests
{
    private const long Limit = 1_000;

    /// <summary>10:00 on 2026-12-05 in Asia/Shanghai.</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    private static TestMember WithPointsUsed(long delta, DateTimeOffset now)
    {
        var member = new TestMember(now);
        member.Purchase("O-1", 2_000m);
        Assert.Equal(AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "a1", "points", delta, "goodwill", member.Options, now, Limit).Status);
        return member;
    }

    [Theory]
    [InlineData(600, 400, false, 400)] // 600 + 400 = 1,000: exactly at the limit is within it
    [InlineData(600, 401, true, 400)] // one point over
    [InlineData(600, -401, true, 400)] // a take counts by its size, like a give
    [InlineData(-600, -400, false, 400)] // takes only: |−600| + |−400| = 1,000
    [InlineData(1_000, 1, true, 0)] // nothing left
    public void TheDaysUseCountsSizesAndPassesTheLimitOnlyAboveIt(long first, long delta, bool passes, long remaining)
    {
        var member = WithPointsUsed(first, Now);

        var use = SupportDeskLimit.Judge(member.State, "points", delta, Limit, member.Options, Now);

        Assert.Equal(new SupportDeskUse("points", Limit, Math.Abs(first), Math.Abs(delta), new DateOnly(2026, 12, 5), "Asia/Shanghai"), use);
        Assert.Equal(passes, use.PassesLimit);
        Assert.Equal(remaining, use.Remaining);
        Assert.Equal(passes, SupportDeskLimit.Exceeds(member.State, "points", delta, Limit, member.Options, Now) is not null);
        Assert.Equal(passes ? AdjustmentStatuses.OverDeskLimit : AdjustmentStatuses.Applied, AdjustmentPolicy.Apply(member.State, "a2", "points", delta, "more", member.Options, Now, Limit).Status);
    }

    /// <summary>
    /// A new local day in the programme's zone (the zone the day is kept in, <see cref="ProgramOptions.DefaultTimeZone"/>)
    /// starts from nothing, while the UTC date has not changed; another kind is its own total.
    /// </summary>
    [Fact]
    public void ANewProgrammeLocalDayStartsFromNothing()
    {
        var lastMinute = new DateTimeOffset(2026, 12, 5, 15, 59, 0, TimeSpan.Zero); // 23:59 on the 5th in Shanghai
        var member = WithPointsUsed(1_000, lastMinute);

        var sameDay = SupportDeskLimit.Judge(member.State, "points", 1, Limit, member.Options, lastMinute);
        var growth = SupportDeskLimit.Judge(member.State, "growth", 1_000, Limit, member.Options, lastMinute);
        var nextDay = SupportDeskLimit.Judge(member.State, "points", 1_000, Limit, member.Options, lastMinute.AddMinutes(1)); // 00:00 on the 6th

        Assert.True(sameDay.PassesLimit);
        Assert.Equal(new DateOnly(2026, 12, 5), sameDay.Day);
        Assert.False(growth.PassesLimit);
        Assert.Equal(0, growth.Used);
        Assert.False(nextDay.PassesLimit);
        Assert.Equal((0L, new DateOnly(2026, 12, 6), 1_000L), (nextDay.Used, nextDay.Day, nextDay.Remaining));
    }

    /// <summary>The figures of a refusal the member reported: |delta| is the requested size, a take too.</summary>
    [Fact]
    public void ARefusalsFiguresNameTheSizeRequested()
    {
        var use = SupportDeskLimit.Refused("growth", -900, Limit, 150, new DateOnly(2026, 12, 5), "Asia/Shanghai");

        Assert.Equal(new SupportDeskUse("growth", Limit, 150, 900, new DateOnly(2026, 12, 5), "Asia/Shanghai"), use);
        Assert.True(use.PassesLimit);
        Assert.Equal(850, use.Remaining);
    }
}
