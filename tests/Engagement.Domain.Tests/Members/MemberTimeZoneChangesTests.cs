using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// The zone changes a member keeps (<see cref="MemberState.TimeZoneChanges"/>): at most <see cref="MemberTimeZones.ChangesKept"/>,
/// none more than 9 days older than the newest, and a late login between two kept changes is dated in the zone the member
/// had at its occurredAt (CONTRACT.md §1.1).
/// </summary>
public class MemberTimeZoneChangesTests
{
    private const string LosAngeles = "America/Los_Angeles"; // UTC−8 in February
    private const string Shanghai = "Asia/Shanghai";

    [Fact]
    public void TenChangesInThreeDaysKeepTheNewestEightAndALateLoginBetweenThemCountsInTheZoneOfItsInstant()
    {
        // Change k at 12:00 on 1 Feb (Shanghai) + 7 h × k, k = 0..9: to Los Angeles when k is even, to Shanghai when odd.
        var first = TestMember.Shanghai(2026, 2, 1);
        var member = new TestMember(first);
        for (var k = 0; k < 10; k++)
        {
            member.Now = first.AddHours(7 * k);
            member.UpdateProfile(("timeZone", k % 2 == 0 ? LosAngeles : Shanghai));
        }

        var kept = member.State.TimeZoneChanges!;
        Assert.Equal(MemberTimeZones.ChangesKept, kept.Count);
        Assert.Equal(Enumerable.Range(2, 8).Select(k => first.AddHours(7 * k)), kept.Select(c => c.At));
        Assert.Equal(Shanghai, member.State.TimeZone);

        // Between change 6 (to Los Angeles, 06:00 on 3 Feb Shanghai) and change 7 (back to Shanghai, 13:00): in Los Angeles.
        var between = TestMember.Shanghai(2026, 2, 3, 7, 0);
        Assert.Equal(LosAngeles, MemberTimeZones.ZoneAt(member.State, member.Options.DefaultTimeZone, between).Id);
        Assert.Equal(Shanghai, MemberTimeZones.ZoneAt(member.State, member.Options.DefaultTimeZone, first.AddHours(7 * 7)).Id);
        Assert.Equal(Shanghai, MemberTimeZones.ZoneAt(member.State, member.Options.DefaultTimeZone, first.AddHours(7 * 2) - TimeSpan.FromMinutes(1)).Id);

        // 07:00 on 3 Feb in Shanghai is 15:00 on 2 Feb in Los Angeles, where the member was.
        member.Now = TestMember.Shanghai(2026, 2, 4, 12, 0);
        var late = member.Behave(MemberEventTypes.Login, between, "e-late");
        Assert.Null(late.Reason);
        Assert.Equal("login 1 of 1 on 2026-02-02", Assert.Single(late.NewEntries).Reason);

        // A change 10 days after the newest prunes every change more than 9 days older than itself.
        member.Now = first.AddHours(7 * 9).AddDays(10);
        member.UpdateProfile(("timeZone", LosAngeles));
        Assert.Equal(member.Now, Assert.Single(member.State.TimeZoneChanges!).At);
    }
}
