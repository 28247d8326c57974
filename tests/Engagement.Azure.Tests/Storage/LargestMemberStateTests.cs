using System.Text.Json;
using Engagement.Azure.Tests.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Program;
using Engagement.Grains.Members;

namespace Engagement.Azure.Tests.Storage;

/// <summary>
/// The largest state a member writes (<see cref="MemberStateSizes.EveryCapAtOnceBytes"/>, with its outbox at the byte
/// bound) goes through the official table provider behind the engine's guard and reads back whole, on Azurite.
/// </summary>
[Collection(StorageSiloCollection.Name)]
public sealed class LargestMemberStateTests(StorageSiloFixture silo)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AMemberStateOfTheLargestSizeTheRulesAllowIsWrittenAndReadBackWhole()
    {
        // Manual adjustments with 200-character Chinese reasons (6 bytes a character escaped in the stored JSON), the
        // kept ledger's 50 stored by sequence in the outbox and the older ones whole, until the state is at least the
        // largest a member writes: the provider splits it over its string properties, and every byte comes back.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var stored = MemberStates.WithHistory();
        var member = stored.Member;
        var options = new ProgramOptions();
        var now = member.LastActivityAt ?? DateTimeOffset.UnixEpoch;
        var reason = string.Concat(Enumerable.Repeat("顾客投诉积分未到账经核实后人工补发", 12))[..Domain.Points.AdjustmentPolicy.MaxReasonLength];
        for (var i = 0; Json(stored).Length < MemberStateSizes.EveryCapAtOnceBytes; i++)
        {
            var decision = Domain.Points.AdjustmentPolicy.Apply(member, $"adj-{i:D4}", Domain.Points.AdjustmentPolicy.PointsKind, 1, reason, options, now.AddMinutes(i));
            foreach (var entry in decision.NewEntries)
            {
                member.Outbox.Add(new ArchiveLedgerEntry(entry));
            }
        }

        var json = Json(stored);
        Assert.InRange(json.Length, MemberStateSizes.EveryCapAtOnceBytes, MemberStateSizes.EveryCapAtOnceBytes + 2_000);
        Assert.Contains("\"$effect\":\"ledger-ref\"", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        var state = new TestGrainState<MemberGrainState>(stored);

        await silo.Storage.WriteStateAsync("member", grain, state);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);

        Assert.Equal(json, Json(back.State));
        Assert.Equal(member.Outbox.Count, back.State.Member.Outbox.Count);
        Assert.True(OutboxBytes.PastBound(back.State.Member));
    }

    private static byte[] Json(MemberGrainState state) => JsonSerializer.SerializeToUtf8Bytes(state, Web);
}
