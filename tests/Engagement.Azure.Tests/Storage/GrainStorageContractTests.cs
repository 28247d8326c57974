using System.Text;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Azure.Tests.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Storage;

public sealed class TestState
{
    public string Name { get; set; } = "";

    public int Count { get; set; }

    public List<string> Items { get; set; } = [];
}

/// <summary>
/// What the engine relies on from grain storage (the official Azure table provider behind the engine's guard),
/// pinned against Azurite: readable JSON, optimistic concurrency, refusal of oversized state, exact round trips.
/// </summary>
[Collection(StorageSiloCollection.Name)]
public sealed class GrainStorageContractTests(StorageSiloFixture silo)
{
    private const string StateName = "member";

    private static GrainId NewGrain() => GrainId.Create("member", "M-" + Guid.NewGuid().ToString("N")[..10]);

    private async Task<TestGrainState<T>> ReadAsync<T>(GrainId grain)
        where T : new()
    {
        var state = new TestGrainState<T>(new T());
        await silo.Storage.ReadStateAsync(StateName, grain, state);
        return state;
    }

    /// <summary>The HTTP status and error code of the table call under a refusal (null if none is wrapped).</summary>
    private static (int Status, string? Code)? StatusUnder(Exception refused)
    {
        for (var e = refused.InnerException; e is not null; e = e.InnerException)
        {
            if (e is global::Azure.RequestFailedException failed)
            {
                return (failed.Status, failed.ErrorCode);
            }
        }

        return null;
    }

    [Fact]
    public async Task AWrittenStateReadsBackAndItsRowHoldsReadableJson()
    {
        var grain = NewGrain();
        var state = new TestGrainState<TestState>(new TestState { Name = "via silo", Count = 3, Items = ["a", "b"] });

        await silo.Storage.WriteStateAsync(StateName, grain, state);
        var read = await ReadAsync<TestState>(grain);

        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal("via silo", read.State.Name);
        Assert.Equal(["a", "b"], read.State.Items);

        var rows = new List<TableEntity>();
        await foreach (var row in silo.GrainStateRows.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        var json = Assert.Single(rows, r => (r.GetString("StringData") ?? "").Contains("via silo", StringComparison.Ordinal)).GetString("StringData");
        Assert.Equal("""{"name":"via silo","count":3,"items":["a","b"]}""", json);
    }

    [Fact]
    public async Task AWriteWithAStaleETagIsRefusedWithInconsistentStateException()
    {
        var grain = NewGrain();
        await silo.Storage.WriteStateAsync(StateName, grain, new TestGrainState<TestState>(new TestState { Name = "v1" }));
        var first = await ReadAsync<TestState>(grain);
        var second = await ReadAsync<TestState>(grain);

        first.State.Name = "first wins";
        await silo.Storage.WriteStateAsync(StateName, grain, first);
        second.State.Name = "second is stale";

        var refused = await Assert.ThrowsAnyAsync<InconsistentStateException>(() => silo.Storage.WriteStateAsync(StateName, grain, second));
        Assert.Equal((412, "UpdateConditionNotSatisfied"), StatusUnder(refused)); // what StorageConflict keys on
        Assert.True(Engagement.Grains.Storage.StorageConflict.IsETagConflict(refused));
        Assert.Equal("first wins", (await ReadAsync<TestState>(grain)).State.Name);
    }

    [Fact]
    public async Task AFirstWriteOverAnExistingRowIsRefusedWithInconsistentStateException()
    {
        var grain = NewGrain();
        var early = await ReadAsync<TestState>(grain);
        await silo.Storage.WriteStateAsync(StateName, grain, new TestGrainState<TestState>(new TestState { Name = "other silo" }));

        early.State.Name = "late";

        Assert.Null(early.ETag);
        var refused = await Assert.ThrowsAnyAsync<InconsistentStateException>(() => silo.Storage.WriteStateAsync(StateName, grain, early));
        Assert.Equal((409, "EntityAlreadyExists"), StatusUnder(refused));
        Assert.True(Engagement.Grains.Storage.StorageConflict.IsETagConflict(refused));
        Assert.Equal("other silo", (await ReadAsync<TestState>(grain)).State.Name);
    }

    [Fact]
    public async Task AStateOverTheBoundIsRefusedBeforeWritingAndStorageKeepsThePreviousVersion()
    {
        var grain = NewGrain();
        var state = new TestGrainState<TestState>(new TestState { Name = "small" });
        await silo.Storage.WriteStateAsync(StateName, grain, state);
        var etag = state.ETag;

        state.State.Name = new string('x', StorageSiloFixture.MaxGrainStateBytes);
        var error = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => silo.Storage.WriteStateAsync(StateName, grain, state));

        Assert.Equal(StorageSiloFixture.MaxGrainStateBytes, error.LimitBytes);
        Assert.True(error.ActualBytes > StorageSiloFixture.MaxGrainStateBytes);
        Assert.Contains(grain.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxGrainStateBytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(etag, state.ETag);
        var stored = await ReadAsync<TestState>(grain);
        Assert.Equal("small", stored.State.Name);
        Assert.Equal(etag, stored.ETag);
    }

    [Fact]
    public async Task AStateJustUnderTheDefaultBoundIsWrittenWhole()
    {
        // ASCII, one UTF-16 character per byte: the most characters a state at the bound can have: all 15 of the
        // provider's properties of 32K characters (960 KiB of the entity's 1 MiB), read back whole.
        var grain = NewGrain();
        var overhead = Encoding.UTF8.GetByteCount("""{"name":"","count":0,"items":[]}""");
        var state = new TestGrainState<TestState>(new TestState { Name = new string('y', StorageSiloFixture.MaxGrainStateBytes - overhead) });

        await silo.Storage.WriteStateAsync(StateName, grain, state);

        Assert.Equal(state.State.Name, (await ReadAsync<TestState>(grain)).State.Name);
    }

    [Fact]
    public async Task ClearingResetsTheStateAndALaterWriteSucceeds()
    {
        var grain = NewGrain();
        var state = new TestGrainState<TestState>(new TestState { Name = "to clear" });
        await silo.Storage.WriteStateAsync(StateName, grain, state);

        await silo.Storage.ClearStateAsync(StateName, grain, state);
        var cleared = await ReadAsync<TestState>(grain);
        Assert.False(cleared.RecordExists);
        Assert.Equal("", cleared.State.Name);

        cleared.State.Name = "again";
        await silo.Storage.WriteStateAsync(StateName, grain, cleared);
        Assert.Equal("again", (await ReadAsync<TestState>(grain)).State.Name);
    }

    [Fact]
    public async Task AMemberStateRoundTripsThroughTableStorageByteForByte()
    {
        var grain = NewGrain();
        var member = MemberStates.WithHistory();
        var serializer = new JsonGrainStateSerializer();
        var before = serializer.Serialize(member).ToArray();
        Assert.Contains("\"orders\"", Encoding.UTF8.GetString(before), StringComparison.OrdinalIgnoreCase);

        await silo.Storage.WriteStateAsync("member", grain, new TestGrainState<MemberGrainState>(member));
        var read = new TestGrainState<MemberGrainState>(new MemberGrainState());
        await silo.Storage.ReadStateAsync("member", grain, read);

        Assert.Equal(Encoding.UTF8.GetString(before), Encoding.UTF8.GetString(serializer.Serialize(read.State).ToArray()));
    }
}
