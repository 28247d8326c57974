using System.Text;
using System.Text.Json;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;

namespace Engagement.Grains.Tests.Hosting;

/// <summary>
/// The pinned row of a member whose points-expiry notice waited for the morning in the shape stored before long order ids
/// were kept as keys (StateRows: MemberGrainState.long-id-waiting-notice, how it was made in that folder's README.md): its
/// lot under the full 128-character Chinese id, the notice's touch id made from that id, and no <c>validUntil</c> on the
/// notice. Loaded through the storage's own serializer (<see cref="JsonGrainStateSerializer"/>), the notice survives the
/// ticks (it goes by the expiry its offer states, not by a touch id no kept lot makes any more) and is withdrawn only when
/// its points are gone.
/// </summary>
public sealed class StoredLongIdNoticeRowTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    internal const string MemberId = "M-notice";

    /// <summary>128 code points, all Chinese but the POS's order number.</summary>
    internal static readonly string CjkOrderId = "订" + new string('单', 123) + "0001";

    /// <summary>The purchase of 100 CNY (200 points, the first-purchase double): its lot expires 2027-01-05 02:00 +08:00.</summary>
    internal static readonly DateTimeOffset Bought = new(2026, 1, 5, 2, 0, 0, Shanghai);

    /// <summary>30 days before the expiry, in quiet hours: the notice was decided then and waits for the morning.</summary>
    internal static readonly DateTimeOffset Night = new(2026, 12, 6, 2, 0, 0, Shanghai);

    private static readonly DateTimeOffset Morning = new(2026, 12, 6, 9, 0, 0, Shanghai);

    private const string Offer200 = "points:200;expiresAt:2027-01-04T18:00:00Z";

    private static readonly string OldTouchId = TouchIds.For(MemberId, TouchKinds.PointsExpiryNotice, null, null, CjkOrderId);

    private static MemberState Load() =>
        new JsonGrainStateSerializer().Deserialize<MemberGrainState>(new BinaryData(StoredStateRowsTests.Row("MemberGrainState.long-id-waiting-notice"))).Member;

    private static MemberState StoredAndReadBack(MemberState member)
    {
        var serializer = new JsonGrainStateSerializer();
        return serializer.Deserialize<MemberGrainState>(serializer.Serialize(new MemberGrainState { Member = member })).Member;
    }

    [Fact]
    public void The_row_holds_the_full_id_a_notice_with_no_valid_until_and_its_touch_id_made_from_the_full_id()
    {
        var row = Encoding.UTF8.GetString(StoredStateRowsTests.Row("MemberGrainState.long-id-waiting-notice"));
        // The row was written with web defaults: its Chinese escaped.
        Assert.Contains(JsonSerializer.Serialize(CjkOrderId, StoredStateRowsTests.AsTheRowsWereWritten), row, StringComparison.Ordinal);
        Assert.DoesNotContain(OrderIds.Key(CjkOrderId), row, StringComparison.Ordinal);
        Assert.DoesNotContain("\"validUntil\"", row, StringComparison.Ordinal);

        var member = Load();
        var notice = Assert.Single(member.Touches.Decisions, d => d.Kind == TouchKinds.PointsExpiryNotice);
        Assert.Equal((OldTouchId, TouchDecisions.Deferred, Offer200, (DateTimeOffset?)null), (notice.TouchId, notice.Decision, notice.Offer, notice.ValidUntil));
        Assert.NotEqual(TouchIds.For(MemberId, TouchKinds.PointsExpiryNotice, null, null, OrderIds.Key(CjkOrderId)), notice.TouchId);

        // The lot reads back under its key, so no kept lot makes the notice's touch id any more.
        var lot = Assert.Single(PointsWallet.Lots(member));
        Assert.Equal((OrderIds.Key(CjkOrderId), 200L), (lot.LotId, lot.Remaining));
        Assert.NotNull(lot.NoticeSentAt);
    }

    [Fact]
    public void The_waiting_notice_survives_a_tick_in_quiet_hours_and_goes_out_in_the_morning_stating_the_lots_points()
    {
        var options = new ProgramOptions();
        var member = Load();

        // An hour later, still quiet hours: the tick leaves the notice waiting (neither withdrawn nor sent).
        var night = MemberTick.Run(member, options, Night.AddHours(1));
        Assert.DoesNotContain(night.Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);
        member = StoredAndReadBack(member);
        Assert.Equal(TouchDecisions.Deferred, Assert.Single(member.Touches.Decisions, d => d.TouchId == OldTouchId).Decision);

        var sent = Assert.Single(MemberTick.Run(member, options, Morning).Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);
        Assert.Equal((TouchDecisions.Sent, OldTouchId, Offer200), (sent.Decision, sent.TouchId, sent.Offer));
        Assert.Equal(Offer200, Assert.Single(TouchGovernor.PendingPublish(member), t => t.TouchId == OldTouchId).Offer);
    }

    [Theory]
    [InlineData(150, "points:50;expiresAt:2027-01-04T18:00:00Z")]
    [InlineData(200, null)]
    public void The_waiting_notice_states_the_points_left_and_is_withdrawn_only_when_none_are(long spent, string? offer)
    {
        var options = new ProgramOptions();
        var member = Load();
        var redeemed = RedemptionPolicy.Redeem(member, "R-1", spent, null, null, options, Morning.AddHours(-1));
        Assert.Equal((RedemptionStatuses.Accepted, 200 - spent), (redeemed.Status, redeemed.PointsBalance));

        var back = StoredAndReadBack(member);
        var settled = Assert.Single(MemberTick.Run(back, options, Morning).Touches, t => t.Kind == TouchKinds.PointsExpiryNotice);

        Assert.Equal(OldTouchId, settled.TouchId);
        if (offer is not null)
        {
            Assert.Equal((TouchDecisions.Sent, offer), (settled.Decision, settled.Offer));
            Assert.Equal(offer, Assert.Single(TouchGovernor.PendingPublish(back)).Offer);
        }
        else
        {
            Assert.Equal(TouchDecisions.Suppressed, settled.Decision);
            Assert.Contains("no points left to expire", settled.Reason, StringComparison.Ordinal);
            Assert.Empty(TouchGovernor.PendingPublish(back));
        }
    }
}
