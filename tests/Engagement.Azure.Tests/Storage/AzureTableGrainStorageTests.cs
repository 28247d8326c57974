using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Storage;

public sealed class TestState
{
    public string Name { get; set; } = "";

    public int Count { get; set; }

    public List<string> Items { get; set; } = [];
}

/// <summary>The Orleans grain storage contract, exercised directly on Azurite (no silo).</summary>
public sealed class AzureTableGrainStorageTests : IAsyncLifetime
{
    private const string StateName = "member";
    private readonly string _tableName = StorageClients.TableName("gs");
    private readonly GrainId _grain = GrainId.Create("member", "M1");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => StorageClients.DeleteTableQuietlyAsync(_tableName);

    private AzureTableGrainStorage CreateStorage(string serviceId = "svc-a", Action<AzureTableGrainStorageOptions>? configure = null)
    {
        var options = new AzureTableGrainStorageOptions { ConnectionString = Azurite.ConnectionString, TableName = _tableName };
        configure?.Invoke(options);
        return new AzureTableGrainStorage(
            "test",
            options,
            Options.Create(new ClusterOptions { ClusterId = "c", ServiceId = serviceId }),
            NullLogger<AzureTableGrainStorage>.Instance);
    }

    private static async Task<TestGrainState<TestState>> ReadAsync(AzureTableGrainStorage storage, GrainId grain, string stateName = StateName)
    {
        var state = new TestGrainState<TestState>(new TestState { Name = "stale in-memory value" });
        await storage.ReadStateAsync(stateName, grain, state);
        return state;
    }

    private async Task<TableEntity> RawRowAsync(string serviceId = "svc-a")
    {
        var table = StorageClients.Tables().GetTableClient(_tableName);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.RowKey == StateName))
        {
            if (row.GetString("ServiceId") == serviceId)
            {
                rows.Add(row);
            }
        }

        return Assert.Single(rows);
    }

    [Fact]
    public async Task ReadingAMissingRecordGivesDefaultStateWithoutRecordOrEtag()
    {
        var state = await ReadAsync(CreateStorage(), _grain);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal("", state.State.Name);
        Assert.Empty(state.State.Items);
    }

    [Fact]
    public async Task WrittenStateReadsBackWithTheSameEtagAsReadableCamelCaseJson()
    {
        var storage = CreateStorage();
        var written = new TestGrainState<TestState>(new TestState { Name = "Ada", Count = 3, Items = ["a", "b"] });

        await storage.WriteStateAsync(StateName, _grain, written);
        var read = await ReadAsync(storage, _grain);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("Ada", read.State.Name);
        Assert.Equal(3, read.State.Count);
        Assert.Equal(["a", "b"], read.State.Items);

        var row = await RawRowAsync();
        Assert.Equal(1, row.GetInt32("DataChunks"));
        Assert.Equal("""{"name":"Ada","count":3,"items":["a","b"]}""", row.GetString("Data0"));
        Assert.Equal("member/M1", row.GetString("GrainId"));
    }

    [Fact]
    public async Task AWriterWithAStaleEtagGetsInconsistentStateException()
    {
        var storage = CreateStorage();
        await storage.WriteStateAsync(StateName, _grain, new TestGrainState<TestState>(new TestState { Name = "v1" }));
        var first = await ReadAsync(storage, _grain);
        var second = await ReadAsync(storage, _grain);

        first.State.Name = "first";
        await storage.WriteStateAsync(StateName, _grain, first);
        second.State.Name = "second";
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, _grain, second));

        Assert.Equal(second.ETag, error.CurrentEtag);
        Assert.Equal("first", (await ReadAsync(storage, _grain)).State.Name);
    }

    [Fact]
    public async Task TwoFirstWritersRaceAndOnlyOneInsertWins()
    {
        var silo1 = CreateStorage();
        var silo2 = CreateStorage();

        await silo1.WriteStateAsync(StateName, _grain, new TestGrainState<TestState>(new TestState { Name = "silo1" }));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => silo2.WriteStateAsync(StateName, _grain, new TestGrainState<TestState>(new TestState { Name = "silo2" })));

        Assert.Equal("silo1", (await ReadAsync(silo2, _grain)).State.Name);
    }

    [Fact]
    public async Task ClearLeavesAMarkerThatReadsAsNoRecordAndAWriteAfterClearWorks()
    {
        var storage = CreateStorage();
        var state = new TestGrainState<TestState>(new TestState { Name = "before", Count = 7 });
        await storage.WriteStateAsync(StateName, _grain, state);
        var etagBeforeClear = state.ETag;

        await storage.ClearStateAsync(StateName, _grain, state);

        Assert.False(state.RecordExists);
        Assert.NotNull(state.ETag);
        Assert.NotEqual(etagBeforeClear, state.ETag);
        Assert.Equal("", state.State.Name);
        var afterClear = await ReadAsync(storage, _grain);
        Assert.False(afterClear.RecordExists);
        Assert.Equal(0, afterClear.State.Count);
        Assert.Equal(state.ETag, afterClear.ETag);

        state.State.Name = "after";
        await storage.WriteStateAsync(StateName, _grain, state);
        var reread = await ReadAsync(storage, _grain);
        Assert.True(reread.RecordExists);
        Assert.Equal("after", reread.State.Name);
    }

    [Fact]
    public async Task ClearWithAStaleEtagThrowsAndKeepsTheNewerState()
    {
        var storage = CreateStorage();
        var stale = new TestGrainState<TestState>(new TestState { Name = "v1" });
        await storage.WriteStateAsync(StateName, _grain, stale);
        var fresh = await ReadAsync(storage, _grain);
        fresh.State.Name = "v2";
        await storage.WriteStateAsync(StateName, _grain, fresh);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, _grain, stale));
        Assert.Equal("v2", (await ReadAsync(storage, _grain)).State.Name);
    }

    [Fact]
    public async Task WithDeleteStateOnClearTheRowIsDeletedAndAWriteAfterClearWorks()
    {
        var storage = CreateStorage(configure: o => o.DeleteStateOnClear = true);
        var state = new TestGrainState<TestState>(new TestState { Name = "before" });
        await storage.WriteStateAsync(StateName, _grain, state);

        await storage.ClearStateAsync(StateName, _grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        var table = StorageClients.Tables().GetTableClient(_tableName);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        Assert.Empty(rows);

        state.State.Name = "after";
        await storage.WriteStateAsync(StateName, _grain, state);
        Assert.Equal("after", (await ReadAsync(storage, _grain)).State.Name);

        // A stale activation that never saw the row cannot clear it either.
        var unaware = new TestGrainState<TestState>(new TestState());
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, _grain, unaware));
    }

    [Fact]
    public async Task AStateOfMoreThan200KbIsSplitAcrossPropertiesAndReassembled()
    {
        var storage = CreateStorage();
        var items = Enumerable.Range(0, 3000).Select(i => $"item-{i:D5}-" + new string('x', 80)).ToList();
        var state = new TestGrainState<TestState>(new TestState { Name = "big", Items = items });

        await storage.WriteStateAsync(StateName, _grain, state);
        var read = await ReadAsync(storage, _grain);

        Assert.Equal(items, read.State.Items);
        var row = await RawRowAsync();
        var chunks = row.GetInt32("DataChunks")!.Value;
        var json = string.Concat(Enumerable.Range(0, chunks).Select(i => row.GetString($"Data{i}")));
        Assert.True(json.Length > 200_000, $"JSON was {json.Length} characters");
        Assert.True(chunks >= 7, $"{chunks} chunks");
        Assert.All(Enumerable.Range(0, chunks), i => Assert.True(row.GetString($"Data{i}")!.Length <= 32 * 1024));

        // Shrinking the state must not leave old chunks behind.
        read.State.Items = ["small"];
        await storage.WriteStateAsync(StateName, _grain, read);
        var small = await RawRowAsync();
        Assert.Equal(1, small.GetInt32("DataChunks"));
        Assert.False(small.ContainsKey("Data1"));
        Assert.Equal(["small"], (await ReadAsync(storage, _grain)).State.Items);
    }

    [Fact]
    public async Task ChunksNeverSplitASurrogatePair()
    {
        var storage = CreateStorage(configure: o => o.JsonSerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        // {"name":" is 9 characters, so the emoji's high surrogate lands on the last character of the first chunk.
        var name = new string('a', 32 * 1024 - 10) + "😀" + new string('b', 100);
        var state = new TestGrainState<TestState>(new TestState { Name = name });

        await storage.WriteStateAsync(StateName, _grain, state);

        Assert.Equal(name, (await ReadAsync(storage, _grain)).State.Name);
    }

    [Fact]
    public async Task AStateTooLargeForOneRowIsRefusedWithoutTouchingStorage()
    {
        var storage = CreateStorage();
        var state = new TestGrainState<TestState>(new TestState { Name = new string('x', 16 * 32 * 1024) });

        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.WriteStateAsync(StateName, _grain, state));
        Assert.False((await ReadAsync(storage, _grain)).RecordExists);
    }

    [Fact]
    public async Task TwoServiceIdsSharingOneTableDoNotSeeEachOther()
    {
        var serviceA = CreateStorage("svc-a");
        var serviceB = CreateStorage("svc-b");

        await serviceA.WriteStateAsync(StateName, _grain, new TestGrainState<TestState>(new TestState { Name = "from A" }));
        Assert.False((await ReadAsync(serviceB, _grain)).RecordExists);

        await serviceB.WriteStateAsync(StateName, _grain, new TestGrainState<TestState>(new TestState { Name = "from B" }));
        Assert.Equal("from A", (await ReadAsync(serviceA, _grain)).State.Name);
        Assert.Equal("from B", (await ReadAsync(serviceB, _grain)).State.Name);
    }

    [Fact]
    public async Task StateNamesAndGrainKeysWithCharactersTablesForbidAreEscaped()
    {
        var storage = CreateStorage("svc|with/odd#chars");
        var grain = GrainId.Create("member", "M/1#?\\%|x");
        var other = GrainId.Create("member", "M");

        await storage.WriteStateAsync("state/one?", grain, new TestGrainState<TestState>(new TestState { Name = "odd" }));

        Assert.Equal("odd", (await ReadAsync(storage, grain, "state/one?")).State.Name);
        Assert.False((await ReadAsync(storage, other, "state/one?")).RecordExists);
        Assert.False((await ReadAsync(storage, grain, "state")).RecordExists);
    }

    [Fact]
    public async Task DifferentStateNamesOfOneGrainAreSeparateRows()
    {
        var storage = CreateStorage();
        await storage.WriteStateAsync("profile", _grain, new TestGrainState<TestState>(new TestState { Name = "p" }));
        await storage.WriteStateAsync("wallet", _grain, new TestGrainState<TestState>(new TestState { Name = "w" }));

        Assert.Equal("p", (await ReadAsync(storage, _grain, "profile")).State.Name);
        Assert.Equal("w", (await ReadAsync(storage, _grain, "wallet")).State.Name);
    }
}
