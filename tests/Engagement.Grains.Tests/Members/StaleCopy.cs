using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// What the stale-copy tests share (<see cref="StaleCopyNegativeAnswerTests"/>, <see cref="StaleCopyOwedWriteTests"/>):
/// the other copy's write, which makes storage hold a newer state of a member than its activation read, and the points
/// scenario both run.
/// </summary>
internal static class StaleCopy
{
    /// <summary>
    /// Writes, behind the activation's back, a newer state of member <paramref name="id"/> into the first silo's state
    /// storage: storage's own (a new one when none is stored yet), first shown to <paramref name="check"/> as read, then
    /// changed by <paramref name="change"/> and written with its ETag.
    /// </summary>
    public static async Task WriteNewerAsync(InProcessTestCluster cluster, string id, Action<MemberState> change, Action<MemberGrainState>? check = null)
    {
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.State);
        var grainId = cluster.Client.GetGrain<IMemberGrain>(id).GetGrainId();
        var stored = new GrainState<MemberGrainState>();
        await storage.ReadStateAsync("member", grainId, stored);
        stored.State ??= new MemberGrainState(); // none stored yet
        check?.Invoke(stored.State);
        change(stored.State.Member);
        await storage.WriteStateAsync("member", grainId, stored);
    }

    /// <summary>
    /// The activation of member <paramref name="id"/> sees a purchase of 300 CNY (10 minutes before <paramref name="now"/>);
    /// the other copy stores a second one of 200 CNY through <paramref name="writeNewer"/>; then one point more than the
    /// activation saw is redeemed.
    /// </summary>
    /// <returns>The member, the redemption's answer and the balance it must leave (what storage held less the points redeemed).</returns>
    public static async Task<(IMemberGrain Member, RedemptionResult Result, long Expected)> RedeemMoreThanSeenAsync(
        IClusterClient client, DateTimeOffset now, string id, Func<string, Action<MemberState>, Task> writeNewer)
    {
        var member = client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, id + "-O1", 300m, now.AddMinutes(-10)));
        var seen = (await member.GetViewAsync())!.PointsBalance;

        long stored = 0;
        await writeNewer(id, m =>
        {
            var outcome = MemberDecider.Apply(m, MemberMapper.ToDomain(Events.Purchase(id, id + "-O2", 200m, now.AddMinutes(-5))), new ProgramOptions(), now);
            Assert.True(outcome.StateChanged);
            stored = outcome.Reply.PointsBalance;
        });
        Assert.True(stored > seen + 1, $"storage holds more points ({stored}) than the activation saw ({seen})");

        var result = await member.RedeemAsync(new RedemptionRequest { RedemptionId = id + "-R1", Points = seen + 1 });
        return (member, result, stored - seen - 1);
    }
}
