using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Microsoft.Extensions.Logging;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A member whose outbox is backed up past its byte bound (the ledger archive down) refuses a broadcast's delivery with
/// <see cref="MemberBacklogException"/>: the fan-out counts it as not reached and completes its page and the campaign,
/// instead of failing the page on it again and again until the archive is back.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class BackedUpMemberFanOutTests(CampaignClusterFixture cluster)
{
    private static readonly string LongReason = string.Concat(Enumerable.Repeat("顾客投诉积分未到账经核实后人工补发", 12))[..Domain.Points.AdjustmentPolicy.MaxReasonLength];

    [Fact]
    public async Task A_backed_up_member_is_not_reached_and_the_fan_out_completes_for_everyone_else()
    {
        var scope = "bu" + Guid.NewGuid().ToString("N")[..8];
        var now = cluster.Time.GetUtcNow();
        var members = await CreateMembersAsync(cluster.Client, now, scope, 6);
        var backedUp = members.First(m => !m.GlobalControl);
        var grain = cluster.Client.GetGrain<IMemberGrain>(backedUp.Id);
        cluster.Ledger.Fail(backedUp.Id);
        try
        {
            MemberBacklogException? refusal = null;
            for (var i = 0; i < 150 && refusal is null; i++)
            {
                refusal = await Record.ExceptionAsync(() => grain.AdjustAsync(new AdjustmentRequest { AdjustmentId = $"adj-{i:D3}", Kind = "points", Delta = 1, Reason = LongReason })) as MemberBacklogException;
            }

            Assert.NotNull(refusal);
            var audience = new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] };
            var done = await CreateAndRunAsync(cluster.Client, Broadcast(scope + "-all", now, audience));

            var memberships = await MembershipsAsync(cluster.Client, members, scope + "-all");
            Assert.Null(memberships[backedUp.Id]);
            Assert.All(members.Where(m => m != backedUp), m => Assert.NotNull(memberships[m.Id]));
            Assert.Equal(6, done.Progress.Total);
            Assert.Equal(5, done.Progress.Reached);
            Assert.Single(cluster.Logs.Lines(LogLevel.Warning, $"Campaign {scope}-all: {backedUp.Id} refused the delivery, its outbox is backed up"));
            Assert.Empty(cluster.Logs.Lines(LogLevel.Warning, $"Campaign {scope}-all fan-out stopped"));
        }
        finally
        {
            cluster.Ledger.Heal(backedUp.Id);
        }

        // The archive is back: the member takes changes again.
        Assert.Equal("applied", (await grain.AdjustAsync(new AdjustmentRequest { AdjustmentId = "adj-after", Kind = "points", Delta = 1, Reason = "x" })).Status);
    }
}
