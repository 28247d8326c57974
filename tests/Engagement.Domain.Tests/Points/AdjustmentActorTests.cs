using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// Who made an adjustment is kept with the member (AdjustmentActors, bounded, in the stored JSON), so a replay reports the
/// original maker whoever sends it, and never counts toward support's day again.
/// </summary>
public class AdjustmentActorTests
{
    private const long Limit = 1_000;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web); // as the grain state serializer writes it

    private static readonly AdjustmentActor LiNa = new("Li Na", "support");

    private static readonly AdjustmentActor WangFang = new("Wang Fang", "admin");

    [Fact]
    public void AReplayNamesTheOriginalMakerAfterAStoreAndLoadAndCountsNothingTowardSupportsDay()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
        member.Purchase("O-1", 200m);
        var bySupport = AdjustmentPolicy.Apply(member.State, "s1", "points", 600, "late parcel", member.Options, member.Now, Limit, LiNa);
        var byAdmin = AdjustmentPolicy.Apply(member.State, "a1", "points", 800, "store opening", member.Options, member.Now, by: WangFang);
        var stored = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(member.State, Web), Web)!;

        var adminsBySupport = AdjustmentPolicy.Apply(stored, "a1", "points", 800, "store opening", member.Options, member.Now, Limit, LiNa);
        var ownReplay = AdjustmentPolicy.Apply(stored, "s1", "points", 600, "late parcel", member.Options, member.Now, Limit, LiNa);
        var upToTheLimit = AdjustmentPolicy.Apply(stored, "s2", "points", 400, "another parcel", member.Options, member.Now, Limit, LiNa);

        Assert.Equal((AdjustmentStatuses.Applied, LiNa), (bySupport.Status, bySupport.MadeBy));
        Assert.Equal((AdjustmentStatuses.Applied, WangFang), (byAdmin.Status, byAdmin.MadeBy));
        Assert.Equal((AdjustmentStatuses.Replayed, WangFang), (adminsBySupport.Status, adminsBySupport.MadeBy));
        Assert.Equal((AdjustmentStatuses.Replayed, LiNa), (ownReplay.Status, ownReplay.MadeBy));
        Assert.Equal(AdjustmentStatuses.Applied, upToTheLimit.Status); // 600 + 400: neither replay counted
        Assert.Equal(1_000, SupportDeskLimit.Used(stored, "points", member.Options, member.Now));
    }

    [Fact]
    public void AStateStoredBeforeMakersWereKeptLoadsAndItsReplaysNameNoOne()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
        member.Purchase("O-1", 200m);
        AdjustmentPolicy.Apply(member.State, "old", "points", 5, "goodwill", member.Options, member.Now);
        var json = JsonSerializer.Serialize(member.State, Web);
        Assert.DoesNotContain("adjustmentActors", json, StringComparison.Ordinal); // nothing written until a maker is kept

        var stored = JsonSerializer.Deserialize<MemberState>(json, Web)!;
        var replay = AdjustmentPolicy.Apply(stored, "old", "points", 5, "goodwill", member.Options, member.Now, Limit, LiNa);

        Assert.Equal(AdjustmentStatuses.Replayed, replay.Status);
        Assert.Null(replay.MadeBy);
    }

    [Fact]
    public void TheMemberKeepsTheNewest32MakersWithin30Days()
    {
        var member = new TestMember(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
        member.Purchase("O-1", 200m);
        for (var i = 0; i < 40; i++)
        {
            AdjustmentPolicy.Apply(member.State, "a" + i, "points", 1, "goodwill", member.Options, member.Now, by: WangFang);
        }

        Assert.Equal(AdjustmentActors.MaxKept, member.State.AdjustmentActors!.Count);
        Assert.Null(AdjustmentActors.Of(member.State, "a7"));
        Assert.Equal(WangFang, AdjustmentActors.Of(member.State, "a8"));

        member.Now = member.Now.AddDays(31);
        AdjustmentPolicy.Apply(member.State, "later", "points", 1, "goodwill", member.Options, member.Now, by: LiNa);

        Assert.Equal(LiNa, Assert.Single(member.State.AdjustmentActors).By);
    }
}
