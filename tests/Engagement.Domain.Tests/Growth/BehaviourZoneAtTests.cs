using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Growth;

/// <summary>
/// A late share, review or login counts its daily cap on its local day in the zone the member had at its occurredAt
/// (CONTRACT.md §1.1: "daily caps count the member's local day of occurredAt", with the effect it would have had in
/// order), not in a zone the member moved to before it arrived.
/// </summary>
public class BehaviourZoneAtTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web); // as the grain state serializer writes it

    [Fact]
    public void ALateLoginFromBeforeAZoneChangeCountsOnItsDayInTheZoneTheMemberHadThen()
    {
        // 20:00 on 03-09 in Shanghai: the login of 03-09. At 12:00 on 03-10 (Shanghai) the member moves to London.
        var member = new TestMember(TestMember.Shanghai(2026, 3, 9, 20, 0));
        member.Behave(MemberEventTypes.Login, member.Now);
        member.Now = TestMember.Shanghai(2026, 3, 10, 12, 0);
        member.UpdateProfile(("timeZone", "Europe/London"));
        member.Now = TestMember.Shanghai(2026, 3, 11, 12, 0);
        var stored = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(member.State, Web), Web)!;

        // 02:00 on 03-10 in Shanghai, where the member was then (18:00 on 03-09 in London): in order, the login of 03-10.
        var late = MemberEngine.Apply(
            stored, new MemberEvent("e-late", MemberEventTypes.Login, TestMember.Shanghai(2026, 3, 10, 2, 0)), member.Options, member.Now);

        Assert.Null(late.Reason);
        Assert.Equal("login 1 of 1 on 2026-03-10", Assert.Single(late.NewEntries).Reason);
        Assert.Equal(2, late.GrowthValue);
    }
}
