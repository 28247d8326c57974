using System.Text;
using System.Text.Json;
using Engagement.Azure.Storage;
using Engagement.Azure.Tests.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Testing;

namespace Engagement.Azure.Tests.Storage;

/// <summary>
/// The largest member state the row holds goes through the official table provider behind the engine's guard and reads
/// back whole, on Azurite: a Chinese-heavy one just under the bound counted as the provider limits it (characters of the
/// JSON it stores, Chinese unescaped: StoredStateText), far over it in UTF-8 bytes, and one of the every-cap member's size
/// (<see cref="MemberStateSizes.EveryCapAtOnceCharacters"/>, every collection at its default cap at once); one over the bound is
/// refused before anything is written.
/// </summary>
[Collection(StorageSiloCollection.Name)]
public sealed class LargestMemberStateTests(StorageSiloFixture silo)
{
    [Fact]
    public async Task AChineseHeavyMemberStateJustUnderTheRowIsWrittenAndReadBackWhole()
    {
        // Manual adjustments with 200-character Chinese reasons (one stored character each, three UTF-8 bytes), the kept
        // ledger's 50 stored by sequence in the outbox and the older ones whole, until the state is within 2,000
        // characters of the row: the provider splits its text over its 15 string properties of 32K characters, and every
        // character comes back.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var stored = Grown(StorageSiloFixture.MaxGrainStateBytes - 2_000);
        var member = stored.Member;

        var json = Json(stored);
        Assert.InRange(StoredStateText.Characters(json), StorageSiloFixture.MaxGrainStateBytes - 2_000, StorageSiloFixture.MaxGrainStateBytes);
        Assert.InRange(json.Length, StorageSiloFixture.MaxGrainStateBytes * 3 / 2, StoredStateText.ProviderByteCapacity);
        var text = Encoding.UTF8.GetString(json);
        Assert.Contains("\"$effect\":\"ledger-ref\"", text, StringComparison.Ordinal);
        Assert.Contains("顾客投诉积分未到账", text, StringComparison.Ordinal);
        var state = new TestGrainState<MemberGrainState>(stored);

        await silo.Storage.WriteStateAsync("member", grain, state);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);

        Assert.Equal(json, Json(back.State));
        Assert.Equal(member.Outbox.Count, back.State.Member.Outbox.Count);
        Assert.True(OutboxBytes.PastBound(back.State.Member));
    }

    [Fact]
    public async Task AMemberStateOfTheEveryCapSizeIsWrittenAndReadBackWhole()
    {
        // The member at every default cap at once measures EveryCapAtOnceCharacters stored (MemberStateSerializationTests),
        // under the default row bound: a state of that size is written and read back whole.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var state = new TestGrainState<MemberGrainState>(Grown(MemberStateSizes.EveryCapAtOnceCharacters));
        var json = Json(state.State);
        Assert.InRange(StoredStateText.Characters(json), MemberStateSizes.EveryCapAtOnceCharacters, MemberStateSizes.EveryCapAtOnceCharacters + 2_000);

        await silo.Storage.WriteStateAsync("member", grain, state);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);

        Assert.Equal(json, Json(back.State));
        Assert.Equal(state.ETag, back.ETag);
    }

    [Fact]
    public async Task AMemberStateOverTheRowIsRefusedAndTheStoredOneKept()
    {
        // Over the bound as the provider counts it: the write is refused by the guard, the stored version stays, and its
        // ETag is not moved.
        var grain = GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);
        var state = new TestGrainState<MemberGrainState>(MemberStates.WithHistory());
        await silo.Storage.WriteStateAsync("member", grain, state);
        var etag = state.ETag;
        var small = Json(state.State);

        state.State = Grown(StorageSiloFixture.MaxGrainStateBytes + 1);
        var error = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => silo.Storage.WriteStateAsync("member", grain, state));

        Assert.Equal(StoredStateText.Characters(Json(state.State)), error.ActualBytes);
        Assert.Equal(StorageSiloFixture.MaxGrainStateBytes, error.LimitBytes);
        Assert.Equal(etag, state.ETag);
        var back = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, back);
        Assert.Equal(small, Json(back.State));
        Assert.Equal(etag, back.ETag);
    }

    /// <summary>
    /// A member with history whose outbox holds long negative adjustments until its stored size (characters of the JSON
    /// the storage writes) is at least <paramref name="stored"/>.
    /// </summary>
    private static MemberGrainState Grown(int stored)
    {
        var state = MemberStates.WithHistory();
        var member = state.Member;
        var options = new ProgramOptions();
        var now = member.LastActivityAt ?? DateTimeOffset.UnixEpoch;
        var reason = LongAdjustments.Reason;
        for (var i = 0; StoredStateText.Characters(Json(state)) < stored; i++)
        {
            var decision = Domain.Points.AdjustmentPolicy.Apply(member, $"adj-{i:D4}", Domain.Points.AdjustmentPolicy.PointsKind, 1, reason, options, now.AddMinutes(i));
            foreach (var entry in decision.NewEntries)
            {
                member.Outbox.Add(new ArchiveLedgerEntry(entry));
            }
        }

        return state;
    }

    /// <summary>The state's JSON as the grain storage writes it.</summary>
    private static byte[] Json(MemberGrainState state) => JsonSerializer.SerializeToUtf8Bytes(state, JsonGrainStateSerializer.Options);
}
