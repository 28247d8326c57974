using System.Text.Json;
using Engagement.Azure.Storage;
using Engagement.Azure.Tests.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Program;
using Engagement.Grains.Members;

namespace Engagement.Azure.Tests.Storage;

/// <summary>
/// The largest member state the row holds goes through the official table provider behind the engine's guard and reads
/// back whole, on Azurite; a member state of the every-cap size (<see cref="MemberStateSizes.EveryCapAtOnceBytes"/>, every
/// collection at its default cap at once) is refused before anything is written: the known limit, on real storage.
/// </summary>
[Collection(StorageSiloCollection.Name)]
public sealed class LargestMemberStateTests(StorageSiloFixture silo)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AMemberStateJustUnderTheRowIsWrittenAndReadBackWhole()
    {
        // Manual adjustments with 200-character Chinese reasons (6 bytes a character escaped in the stored JSON), the
        // kept ledger's 50 stored by sequence in the outbox and the older ones whole, until the state is within 2,000
        // bytes of the row: the provider splits it over its string properties, and every byte comes back.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var stored = Grown(StorageSiloFixture.MaxGrainStateBytes - 2_000);
        var member = stored.Member;

        var json = Json(stored);
        Assert.InRange(json.Length, StorageSiloFixture.MaxGrainStateBytes - 2_000, StorageSiloFixture.MaxGrainStateBytes);
        Assert.Contains("\"$effect\":\"ledger-ref\"", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        var state = new TestGrainState<MemberGrainState>(stored);

        await silo.Storage.WriteStateAsync("member", grain, state);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);

        Assert.Equal(json, Json(back.State));
        Assert.Equal(member.Outbox.Count, back.State.Member.Outbox.Count);
        Assert.True(OutboxBytes.PastBound(back.State.Member));
    }

    [Fact]
    public async Task AMemberStateOfTheEveryCapSizeIsRefusedAndTheStoredOneKept()
    {
        // The member at every default cap at once measures EveryCapAtOnceBytes (MemberStateSerializationTests), over the
        // row: its write is refused by the guard, the stored version stays, and its ETag is not moved.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var state = new TestGrainState<MemberGrainState>(MemberStates.WithHistory());
        await silo.Storage.WriteStateAsync("member", grain, state);
        var etag = state.ETag;
        var small = Json(state.State);

        state.State = Grown(MemberStateSizes.EveryCapAtOnceBytes);
        var error = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => silo.Storage.WriteStateAsync("member", grain, state));

        Assert.True(error.ActualBytes >= MemberStateSizes.EveryCapAtOnceBytes, $"{error.ActualBytes} bytes");
        Assert.Equal(StorageSiloFixture.MaxGrainStateBytes, error.LimitBytes);
        Assert.Equal(etag, state.ETag);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);
        Assert.Equal(small, Json(back.State));
        Assert.Equal(etag, back.ETag);
    }

    /// <summary>A member with history whose outbox holds long negative adjustments until its state is at least <paramref name="bytes"/>.</summary>
    private static MemberGrainState Grown(int bytes)
    {
        var stored = MemberStates.WithHistory();
        var member = stored.Member;
        var options = new ProgramOptions();
        var now = member.LastActivityAt ?? DateTimeOffset.UnixEpoch;
        var reason = string.Concat(Enumerable.Repeat("顾客投诉积分未到账经核实后人工补发", 12))[..Domain.Points.AdjustmentPolicy.MaxReasonLength];
        for (var i = 0; Json(stored).Length < bytes; i++)
        {
            var decision = Domain.Points.AdjustmentPolicy.Apply(member, $"adj-{i:D4}", Domain.Points.AdjustmentPolicy.PointsKind, 1, reason, options, now.AddMinutes(i));
            foreach (var entry in decision.NewEntries)
            {
                member.Outbox.Add(new ArchiveLedgerEntry(entry));
            }
        }

        return stored;
    }

    private static byte[] Json(MemberGrainState state) => JsonSerializer.SerializeToUtf8Bytes(state, Web);
}
