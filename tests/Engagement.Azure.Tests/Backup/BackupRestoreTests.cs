using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Storage;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Issue 14: a backup of every engine table to blobs, the tables deleted, the backup restored — every member's
/// state, ledger row and reminder comes back identical. Against Azurite, through the engine's own storage registration.
/// </summary>
public sealed class BackupRestoreTests : IAsyncLifetime
{
    private const int Members = 12;
    private static readonly DateTimeOffset BackupAt = new(2026, 11, 30, 2, 0, 0, TimeSpan.FromHours(8));

    private readonly string _prefix = "Bk" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _container = Azurite.UniqueName("backups-");
    private IHost? _silo;

    private string[] Tables => [_prefix + "GrainState", _prefix + "Reminders", _prefix + "Ledger"];

    private BackupOptions Options => new() { TablePrefix = _prefix, Container = _container, FirstTables = [_prefix + "GrainState"], RetentionDays = 14 };

    private string TouchQueue => "touches-" + _prefix.ToLowerInvariant();

    /// <summary>Named so the silo does not fall back to the engine's shared metrics table; outside <see cref="_prefix"/>, so no backup of it is expected.</summary>
    private string MetricsTable => "metrics" + _prefix;

    public async Task InitializeAsync()
    {
        _silo = AzuriteSilo.Build(new SiloStorage { GrainStateTable = Tables[0], ReminderTable = Tables[1], LedgerTable = Tables[2], MetricsTable = MetricsTable, TouchQueue = TouchQueue }.Settings(), "svc-" + _prefix, (silo, configuration) => silo.AddEngagementAzureStorage(configuration));
        await _silo.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await AzuriteSilo.StopAsync(_silo);
        await AzuriteSilo.DeleteAsync([.. Tables, MetricsTable], TouchQueue);
        await Blobs().GetBlobContainerClient(_container).DeleteIfExistsAsync();
    }

    private static BlobServiceClient Blobs() => new(Azurite.ConnectionString);

    private IServiceProvider Services => _silo!.Services;

    [Fact]
    public async Task BackupDeleteRestoreGivesBackEveryMemberLedgerRowAndReminderIdentical()
    {
        var storage = Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);
        var ledger = Services.GetRequiredService<ILedgerArchive>();
        var reminders = Services.GetRequiredService<IReminderTable>();
        var serializer = new JsonGrainStateSerializer();
        var written = new Dictionary<GrainId, string>();
        for (var i = 0; i < Members; i++)
        {
            var memberId = $"M{i:D3}";
            var grain = GrainId.Create("member", memberId);
            var member = MemberStates.WithHistory(i);
            await storage.WriteStateAsync("member", grain, new TestGrainState<MemberGrainState>(member));
            await ledger.AppendAsync(memberId, member.PendingArchive!.Select(View).ToList());
            await reminders.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "lifecycle", StartAt = BackupAt.UtcDateTime, Period = TimeSpan.FromDays(1) });
            written[grain] = serializer.Serialize(member).ToString();
        }

        var before = await SnapshotAsync();
        Assert.Equal(Members, before[Tables[0]].Count);
        Assert.Equal(Members, before[Tables[1]].Count);
        Assert.True(before[Tables[2]].Count >= Members * 4, "every member has several ledger rows");

        var backup = new TableBackup(StorageClients.Tables(), Blobs(), Options, new FakeTimeProvider(BackupAt), NullLogger<TableBackup>.Instance);
        var manifest = await backup.RunAsync(TableBackup.NameFor(BackupAt)); // the 02:00 slot's, as the schedule names it

        Assert.Equal("20261129-180000", manifest.Name);
        Assert.Equal(BackupManifest.Complete, manifest.Status);
        Assert.Equal(Tables[0], manifest.Tables[0].Table);
        Assert.Equal(Tables.Order(StringComparer.Ordinal), manifest.Tables.Select(t => t.Table).Order(StringComparer.Ordinal));
        Assert.All(manifest.Tables, t => Assert.Equal(before[t.Table].Count, t.Rows));
        Assert.All(manifest.Tables, t => Assert.Matches("^[0-9a-f]{64}$", t.Sha256));

        foreach (var table in Tables)
        {
            await StorageClients.Tables().DeleteTableAsync(table);
        }

        var progress = new List<string>();
        var restored = await new TableRestore(StorageClients.Tables(), Blobs(), Options).RunAsync(manifest.Name, new ListProgress(progress));

        Assert.All(manifest.Tables, t => Assert.Equal(t.Rows, restored[t.Table]));
        Assert.Contains(progress, p => p.StartsWith("verified ", StringComparison.Ordinal));
        Assert.Contains(progress, p => p.StartsWith("restored ", StringComparison.Ordinal));
        var after = await SnapshotAsync();
        foreach (var table in Tables)
        {
            Assert.Equal(before[table], after[table]);
        }

        foreach (var (grain, json) in written)
        {
            var read = new TestGrainState<MemberGrainState>(new MemberGrainState());
            await storage.ReadStateAsync("member", grain, read);
            Assert.Equal(json, serializer.Serialize(read.State).ToString());
            Assert.NotNull(await reminders.ReadRow(grain, "lifecycle"));
        }

        var page = await ledger.ReadAsync("M003", kind: null, before: null, limit: 50);
        Assert.Equal(MemberStates.WithHistory(3).PendingArchive!.Count, page.Count);
    }

    [Fact]
    public async Task ARestoreRefusesTablesThatHoldRowsAndADamagedBackupWritesNothing()
    {
        var storage = Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);
        await storage.WriteStateAsync("member", GrainId.Create("member", "X1"), new TestGrainState<MemberGrainState>(MemberStates.WithHistory()));
        var manifest = await new TableBackup(StorageClients.Tables(), Blobs(), Options, new FakeTimeProvider(BackupAt), NullLogger<TableBackup>.Instance).RunAsync();
        var restore = new TableRestore(StorageClients.Tables(), Blobs(), Options);

        var occupied = await Assert.ThrowsAsync<InvalidOperationException>(() => restore.RunAsync(manifest.Name));
        Assert.Contains("already holds rows", occupied.Message, StringComparison.Ordinal);

        // Damage the grain-state blob: the restore checks every table before writing any.
        var blob = Blobs().GetBlobContainerClient(_container).GetBlobClient(TableBackup.TableBlobName(manifest.Name, Tables[0]));
        await using (var stream = await blob.OpenWriteAsync(overwrite: true))
        await using (var gzip = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionLevel.Fastest))
        {
            await gzip.WriteAsync("""{"pk":"x","rk":"y","p":{}}"""u8.ToArray().Append((byte)'\n').ToArray());
        }

        foreach (var table in Tables)
        {
            await StorageClients.Tables().DeleteTableAsync(table);
        }

        var damaged = await Assert.ThrowsAsync<InvalidDataException>(() => restore.RunAsync(manifest.Name));
        Assert.Contains(Tables[0], damaged.Message, StringComparison.Ordinal);
        await foreach (var table in StorageClients.Tables().QueryAsync(t => t.Name == Tables[0]))
        {
            Assert.Fail($"table {table.Name} was created by a restore that should have written nothing");
        }
    }

    [Fact]
    public async Task ARestoreBrokenOffByAStorageFaultIsResumedAndGivesBackTheSameTables()
    {
        var storage = Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);
        var ledger = Services.GetRequiredService<ILedgerArchive>();
        var reminders = Services.GetRequiredService<IReminderTable>();
        for (var i = 0; i < Members; i++)
        {
            var grain = GrainId.Create("member", $"M{i:D3}");
            var member = MemberStates.WithHistory(i);
            await storage.WriteStateAsync("member", grain, new TestGrainState<MemberGrainState>(member));
            await ledger.AppendAsync($"M{i:D3}", member.PendingArchive!.Select(View).ToList());
            await reminders.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "lifecycle", StartAt = BackupAt.UtcDateTime, Period = TimeSpan.FromDays(1) });
        }

        var before = await SnapshotAsync();
        var partitions = before.Sum(t => t.Value.Select(r => System.Text.Json.JsonDocument.Parse(r).RootElement.GetProperty("pk").GetString()).Distinct(StringComparer.Ordinal).Count());
        var manifest = await new TableBackup(StorageClients.Tables(), Blobs(), Options, new FakeTimeProvider(BackupAt), NullLogger<TableBackup>.Instance).RunAsync();
        foreach (var table in Tables)
        {
            await StorageClients.Tables().DeleteTableAsync(table);
        }

        // Storage stops answering after 15 transactions (four in flight at a time): the restore breaks off mid-way.
        const int BeforeTheFault = 15;
        var fault = new BatchesFailAfter(BeforeTheFault);
        var time = new FakeTimeProvider(BackupAt.AddDays(1));
        var broken = new TableRestore(fault.Tables(), Blobs(), Options, time: time) { Parallelism = 4 };
        var failure = await Record.ExceptionAsync(() => broken.RunAsync(manifest.Name));
        Assert.True(failure is global::Azure.RequestFailedException or AggregateException, $"the restore did not break off on the fault: {failure}");
        Assert.True(partitions > BeforeTheFault + 4, $"{partitions} transactions: the fault came too late to break a restore off");

        // Run again: refused without --resume (the tables hold rows), finished with it, writing only what was left.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => new TableRestore(StorageClients.Tables(), Blobs(), Options).RunAsync(manifest.Name));
        Assert.Contains("--resume", refused.Message, StringComparison.Ordinal);
        var counting = new BatchesFailAfter(int.MaxValue);
        var progress = new List<string>();
        var restored = await new TableRestore(counting.Tables(), Blobs(), Options, time: time) { Parallelism = 4 }.RunAsync(manifest.Name, resume: true, new ListProgress(progress));

        Assert.Contains(progress, p => p.StartsWith("resuming: ", StringComparison.Ordinal));
        Assert.Contains(progress, p => p.Contains("rows/s", StringComparison.Ordinal));
        Assert.True(counting.Sent <= partitions - BeforeTheFault + 4, $"the resume wrote {counting.Sent} of {partitions} transactions again; {BeforeTheFault} had succeeded");
        Assert.All(manifest.Tables, t => Assert.Equal(t.Rows, restored[t.Table]));
        var after = await SnapshotAsync();
        foreach (var table in Tables)
        {
            Assert.Equal(before[table], after[table]);
        }

        Assert.False(await Blobs().GetBlobContainerClient(_container).GetBlobClient(RestoreJournal.BlobName(manifest.Name, StorageClients.Tables().AccountName)).ExistsAsync(), "the journal of a finished restore is left");
    }

    [Fact]
    public void TheScheduleRunsThreeTimesADayInTheProgrammesTimeZone()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var times = new BackupOptions().ParsedTimes();
        var now = new DateTimeOffset(2026, 11, 30, 9, 59, 0, TimeSpan.FromHours(8));

        var slots = new List<DateTimeOffset>();
        for (var i = 0; i < 4; i++)
        {
            now = BackupScheduler.NextSlot(now, times, zone);
            slots.Add(now);
        }

        Assert.Equal(
            ["2026-11-30T10:00+08:00", "2026-11-30T18:00+08:00", "2026-12-01T02:00+08:00", "2026-12-01T10:00+08:00"],
            slots.Select(s => TimeZoneInfo.ConvertTime(s, zone).ToString("yyyy-MM-ddTHH:mmzzz", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private async Task<Dictionary<string, List<string>>> SnapshotAsync()
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in Tables)
        {
            var rows = new List<string>();
            await foreach (var entity in StorageClients.Tables().GetTableClient(table).QueryAsync<TableEntity>())
            {
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                EntityJson.WriteLine(entity, buffer);
                rows.Add(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
            }

            result[table] = rows;
        }

        return result;
    }

    private static Contracts.Members.LedgerEntryView View(Domain.Ledger.LedgerEntry entry) => new()
    {
        Sequence = entry.Sequence,
        At = entry.At,
        Kind = entry.Kind,
        Delta = entry.Delta,
        BalanceAfter = entry.BalanceAfter,
        Reason = entry.Reason,
        RuleId = entry.RuleId,
        EventId = entry.EventId,
    };

    /// <summary>
    /// A table client on the test Azurite whose entity-group transactions after the first <c>after</c> go to a closed
    /// port (127.0.0.1:9): real connection failures, one retry, as on an account that stops answering.
    /// </summary>
    internal sealed class BatchesFailAfter(int after) : global::Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private int _sent;

        /// <summary>Transactions that reached Azurite.</summary>
        public int Sent => Math.Min(Volatile.Read(ref _sent), after);

        public TableServiceClient Tables()
        {
            var options = new TableClientOptions { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1), NetworkTimeout = TimeSpan.FromSeconds(5) } };
            options.AddPolicy(this, global::Azure.Core.HttpPipelinePosition.PerRetry);
            return new TableServiceClient(Azurite.ConnectionString, options);
        }

        public override void Process(global::Azure.Core.HttpMessage message, ReadOnlyMemory<global::Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            Redirect(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(global::Azure.Core.HttpMessage message, ReadOnlyMemory<global::Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            Redirect(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Redirect(global::Azure.Core.HttpMessage message)
        {
            if (message.Request.Method == global::Azure.Core.RequestMethod.Post && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal)
                && Interlocked.Increment(ref _sent) > after)
            {
                message.Request.Uri.Port = 9;
            }
        }
    }

    private sealed class ListProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
