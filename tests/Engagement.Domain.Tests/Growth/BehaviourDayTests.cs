using System.Text.Json;
using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Growth;

/// <summary>
/// The day a capped behaviour counts on (CONTRACT.md §1.1: the member's local day of occurredAt) is the day its ledger
/// reason names, and it stays that day when the member later changes time zone.
/// </summary>
public class BehaviourDayTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web); // as the grain state serializer writes it

    private static readonly DateTimeOffset ShanghaiLoginAt = new(2026, 12, 4, 18, 26, 0, TimeSpan.Zero); // 02:26 on 12-05 in Shanghai

    [Fact]
    public void ALoginAt0226ShanghaiCountsOnThatShanghaiDayNotOnTheUtcDay()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 4, 19, 0, 0, TimeSpan.Zero));

        var login = member.Behave(MemberEventTypes.Login, ShanghaiLoginAt);

        Assert.Equal("login 1 of 1 on 2026-12-05", Assert.Single(login.NewEntries).Reason);
        Assert.Equal(1, member.Growth);
    }

    [Fact]
    public void AfterMovingToLosAngelesASecondLoginOnTheSameLocalDateIsCapped()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 4, 19, 0, 0, TimeSpan.Zero));
        member.Behave(MemberEventTypes.Login, ShanghaiLoginAt); // 12-05 02:26 on the member's (Shanghai) clock
        member.Now = new DateTimeOffset(2026, 12, 5, 6, 0, 0, TimeSpan.Zero);
        member.UpdateProfile(("timeZone", "America/Los_Angeles"));

        // 10:00 on 12-05 in Los Angeles: the member's clock shows 12-05 again, a date that already had its login.
        member.Now = new DateTimeOffset(2026, 12, 5, 18, 30, 0, TimeSpan.Zero);
        var second = member.Behave(MemberEventTypes.Login, new DateTimeOffset(2026, 12, 5, 18, 0, 0, TimeSpan.Zero));

        Assert.Empty(second.NewEntries);
        Assert.Equal("daily cap of 1 login reached for 2026-12-05; no growth", second.Reason);
        Assert.Equal(1, member.Growth);
    }

    [Fact]
    public void AfterMovingToShanghaiALoginOnTheNextLocalDateEarnsAndItsReasonNamesThatDate()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
        member.UpdateProfile(("timeZone", "America/Los_Angeles")); // before the login: it occurred in Los Angeles
        member.Now = new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);
        var first = member.Behave(MemberEventTypes.Login, new DateTimeOffset(2026, 12, 5, 2, 26, 0, TimeSpan.Zero)); // 18:26 on 12-04 in LA
        Assert.Equal("login 1 of 1 on 2026-12-04", Assert.Single(first.NewEntries).Reason);
        member.Now = new DateTimeOffset(2026, 12, 5, 6, 57, 0, TimeSpan.Zero);
        member.UpdateProfile(("timeZone", "Asia/Shanghai"));

        // 20:00 on 12-05 in Shanghai: a new date on the member's clock (the first login was on 12-04 there and then).
        member.Now = new DateTimeOffset(2026, 12, 5, 12, 30, 0, TimeSpan.Zero);
        var second = member.Behave(MemberEventTypes.Login, new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

        Assert.Null(second.Reason);
        Assert.Equal("login 1 of 1 on 2026-12-05", Assert.Single(second.NewEntries).Reason);
        Assert.Equal(2, member.Growth);
    }

    [Fact]
    public void AfterMovingToLosAngelesALoginKeepsItsDateCappedUntilThatDateLeavesTheKeptDays()
    {
        // 00:30 on 12-01 in Shanghai (16:30 on 11-30 in Los Angeles): counted on 12-01.
        var member = new TestMember(new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero));
        member.Behave(MemberEventTypes.Login, new DateTimeOffset(2026, 11, 30, 16, 30, 0, TimeSpan.Zero));
        member.Now = new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
        member.UpdateProfile(("timeZone", "America/Los_Angeles"));

        // 12:00 on 12-08 in Los Angeles: an event prunes the records; 12-01 is still among the 7 kept days there.
        member.Now = new DateTimeOffset(2026, 12, 8, 20, 0, 0, TimeSpan.Zero);
        member.Behave(MemberEventTypes.Share, member.Now);
        var growth = member.Growth;

        // A late login from 12:00 on 12-01 in Los Angeles: 12-01 already had its login on the member's clock.
        var late = member.Behave(MemberEventTypes.Login, new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.Zero));

        Assert.Empty(late.NewEntries);
        Assert.Equal("daily cap of 1 login reached for 2026-12-01; no growth", late.Reason);
        Assert.Equal(growth, member.Growth);
    }

    [Fact]
    public void ThePinnedDaySurvivesTheStoredJsonOfTheMemberState()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 4, 19, 0, 0, TimeSpan.Zero));
        member.Behave(MemberEventTypes.Login, ShanghaiLoginAt);
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web); // as the grain state serializer writes it

        var stored = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(member.State, web), web)!;

        Assert.Equal(new DateOnly(2026, 12, 5), Assert.Single(stored.BehaviourRecords).Day);
    }

    [Fact]
    public void ARecordWithoutAPinnedDayIsStoredWithoutADayProperty()
    {
        var adjustment = new BehaviourRecord { EventId = "adj-1", Type = GrowthPolicy.AdjustmentRecordType, At = ShanghaiLoginAt, Growth = -3 };

        var json = JsonSerializer.Serialize(adjustment, Web);

        Assert.DoesNotContain("\"day\"", json, StringComparison.Ordinal);
    }
}
