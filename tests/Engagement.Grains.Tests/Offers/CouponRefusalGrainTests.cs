using Azure;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Campaigns;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Engagement.Grains.Tests.Offers;

/// <summary>
/// A coupon refused at the till leaves a trace (docs/offers.md §7): an Information log line and, stored with one write, a
/// note in the coupon's history; the same refused request again writes nothing, and a refusal whose write fails still
/// answers the refusal and leaves no note behind (memory never ahead of storage).
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class CouponRefusalGrainTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    private async Task<(string Member, string Code)> HoldingAsync()
    {
        var member = "CR" + Guid.NewGuid().ToString("N")[..10];
        await cluster.Client.GetGrain<IMemberGrain>(member).ApplyEventAsync(Events.Purchase(member, "O1", 100m, Now.AddMinutes(-5)));
        var issued = await cluster.Client.GetGrain<ICouponHolder>(member).IssueCouponAsync(new CouponGrant
        {
            GrantId = "campaign:C-500-100", OfferId = "C-500-100", Kind = "threshold", Value = 100m, MinSpend = 500m, ValidDays = 7,
        });
        return (member, issued.Coupon!.Code);
    }

    private static CouponRedeemRequest Request(string redemptionId, decimal amount) =>
        new() { RedemptionId = redemptionId, StoreId = "S001", RegionId = "east", OrderAmount = amount };

    [Fact]
    public async Task ARefusalIsLoggedAndStoredOnceInTheCouponsHistoryNewestFirst()
    {
        var (member, code) = await HoldingAsync();
        var holder = cluster.Client.GetGrain<ICouponHolder>(member);
        var writes = cluster.Faults.WritesOf(member);

        var refused = await holder.RedeemCouponAsync(code, Request("pos-S001-1", 499.99m));
        var replay = await holder.RedeemCouponAsync(code, Request("pos-S001-1", 499.99m));

        Assert.Equal((false, "below_min_spend"), (refused.Accepted, refused.Reason));
        Assert.Equal((false, "below_min_spend"), (replay.Accepted, replay.Reason));
        Assert.Equal(writes + 1, cluster.Faults.WritesOf(member));
        var history = (await holder.GetCouponAsync(code))!.History;
        var note = Assert.Single(history, h => h.Kind == CouponHistoryEntry.RefusedKind);
        Assert.Equal(("below_min_spend", "pos-S001-1", "S001"), (note.Refusal, note.RedemptionId, note.StoreId));
        Assert.Null(note.From);

        cluster.Time.Advance(TimeSpan.FromMinutes(1)); // the customer adds to the basket; the till tries again
        Assert.True((await holder.RedeemCouponAsync(code, Request("pos-S001-2", 500m))).Accepted);
        var after = (await holder.GetCouponsAsync()).Single(c => c.Code == code).History;
        Assert.Equal((CouponHistoryEntry.StatusKind, "redeemed"), (after[0].Kind, after[0].To));
        Assert.Equal("pos-S001-1", after[1].RedemptionId);
        Assert.Contains(cluster.Logs.Lines(LogLevel.Information, member), l => l.Message.Contains($"coupon …{code[^4..]} refused at S001: below_min_spend (redemption pos-S001-1)", StringComparison.Ordinal));
        Assert.DoesNotContain(cluster.Logs.Lines(LogLevel.Information, member), l => l.Message.Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARefusalWhoseWriteFailsStillAnswersTheRefusalAndLeavesNoNote()
    {
        var (member, code) = await HoldingAsync();
        var holder = cluster.Client.GetGrain<ICouponHolder>(member);

        cluster.Faults.Fail(member, StorageFault.Write);
        var refused = await holder.RedeemCouponAsync(code, Request("pos-S001-1", 100m));
        cluster.Faults.Heal(member);

        Assert.Equal((false, "below_min_spend"), (refused.Accepted, refused.Reason));
        Assert.True(cluster.Faults.FailuresOf(member) > 0);
        Assert.DoesNotContain((await holder.GetCouponAsync(code))!.History, h => h.Kind == CouponHistoryEntry.RefusedKind);

        Assert.False((await holder.RedeemCouponAsync(code, Request("pos-S001-1", 100m))).Accepted);
        Assert.Single((await holder.GetCouponAsync(code))!.History, h => h.Kind == CouponHistoryEntry.RefusedKind);
    }

    [Fact]
    public async Task ARefusalWhoseNoteIsRefusedOnItsETagIsDecidedAgainOnWhatStorageHolds()
    {
        var (member, code) = await HoldingAsync();
        var holder = cluster.Client.GetGrain<ICouponHolder>(member);

        // Another activation of the member (a silo handover) redeemed the coupon and stored it; this one never saw it.
        var storage = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.State);
        var grainId = cluster.Client.GetGrain<IMemberGrain>(member).GetGrainId();
        var stored = new GrainState<MemberGrainState>();
        await storage.ReadStateAsync("member", grainId, stored);
        Assert.True(MemberCoupons.Redeem(stored.State!.Member, code, "pos-other", new CouponOrder(600m, "S001", "east"), new ProgramOptions(), Now).Reply.Accepted);
        await storage.WriteStateAsync("member", grainId, stored);

        // Its write is refused on the ETag, as the table refuses a stale copy's.
        cluster.Faults.FailWritesAfter(member, 0, what => new InconsistentStateException(
            what, "stored-etag", "this-copy-etag", new RequestFailedException(412, "The table refused the write.", "UpdateConditionNotSatisfied", null)));
        var refused = await holder.RedeemCouponAsync(code, Request("pos-S001-1", 100m));
        cluster.Faults.Heal(member);

        // Storage's answer (the coupon is used), not the stale copy's (spend more, then be refused again).
        Assert.Equal((false, CouponRefusals.Used), (refused.Accepted, refused.Reason));
        Assert.Equal("redeemed", (await holder.GetCouponAsync(code))!.Status);
    }

    [Fact]
    public async Task ARefusalWhoseNoteIsRefusedOnceOnItsETagIsDecidedAgainAndTheNewRefusalIsStored()
    {
        // The normal path of the re-decide: the stale copy's note refused once on its ETag, the member reloads, decides
        // again on what storage holds, and that refusal's note is written (the test above goes through the double failure).
        var (member, code) = await HoldingAsync();
        var holder = cluster.Client.GetGrain<ICouponHolder>(member);

        // Another activation of the member (a silo handover) redeemed the coupon and stored it; this one never saw it.
        var storage = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.State);
        var grainId = cluster.Client.GetGrain<IMemberGrain>(member).GetGrainId();
        var stored = new GrainState<MemberGrainState>();
        await storage.ReadStateAsync("member", grainId, stored);
        Assert.True(MemberCoupons.Redeem(stored.State!.Member, code, "pos-other", new CouponOrder(600m, "S001", "east"), new ProgramOptions(), Now).Reply.Accepted);
        await storage.WriteStateAsync("member", grainId, stored);
        var writes = cluster.Faults.WritesOf(member);

        // Only the stale copy's write is refused on the ETag, as the table refuses it; the write after the reload succeeds.
        cluster.Faults.FailNextWrite(member, what => new InconsistentStateException(
            what, "stored-etag", "this-copy-etag", new RequestFailedException(412, "The table refused the write.", "UpdateConditionNotSatisfied", null)));
        var refused = await holder.RedeemCouponAsync(code, Request("pos-S001-1", 100m));

        Assert.Equal((false, CouponRefusals.Used), (refused.Accepted, refused.Reason));
        Assert.Equal(1, cluster.Faults.FailuresOf(member));
        Assert.Equal(writes + 1, cluster.Faults.WritesOf(member));
        var coupon = (await holder.GetCouponAsync(code))!; // read back from storage: this call's first write failed
        Assert.Equal("redeemed", coupon.Status);
        var note = Assert.Single(coupon.History, h => h.Kind == CouponHistoryEntry.RefusedKind);
        Assert.Equal((CouponRefusals.Used, "pos-S001-1"), (note.Refusal, note.RedemptionId));
        Assert.DoesNotContain(cluster.Logs.Lines(LogLevel.Warning, member), l => l.Message.Contains("could not be stored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARefusalWhoseReminderMoveFailsBeforeTheWriteIsAnErrorAndLeavesNoNote()
    {
        // The refusal's step moves the member's reminder to the coupon's expiry reminder (3 days before it expires) when
        // that is due before the reminder's next tick: a minute before it, the move runs, and fails, before any write.
        var (member, code) = await HoldingAsync();
        var holder = cluster.Client.GetGrain<ICouponHolder>(member);
        var reminderAt = (await holder.GetCouponAsync(code))!.ValidUntil.AddDays(-3);
        cluster.Time.Advance(reminderAt - Now - TimeSpan.FromMinutes(1));
        var writes = cluster.Faults.WritesOf(member);

        cluster.Faults.Fail(member, StorageFault.Reminder);
        await Assert.ThrowsAnyAsync<Exception>(() => holder.RedeemCouponAsync(code, Request("pos-S001-9", 100m)));
        cluster.Faults.Heal(member);

        Assert.True(cluster.Faults.FailuresOf(member) > 0);
        Assert.Equal(writes, cluster.Faults.WritesOf(member));
        Assert.DoesNotContain((await holder.GetCouponAsync(code))!.History, h => h.Kind == CouponHistoryEntry.RefusedKind);
        var retried = await holder.RedeemCouponAsync(code, Request("pos-S001-9", 100m));
        Assert.Equal((false, "below_min_spend"), (retried.Accepted, retried.Reason));
        Assert.Single((await holder.GetCouponAsync(code))!.History, h => h.Kind == CouponHistoryEntry.RefusedKind);
    }
}
