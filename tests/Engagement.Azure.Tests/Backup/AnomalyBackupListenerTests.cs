using Engagement.Azure.Backup;
using Engagement.Contracts.Programme;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Issue 14 §4: a failed backup raises the programme's <c>data.anomaly</c> alert (source <c>backup</c>), and the next
/// backup that completes resolves it. The failure is real (an account nobody listens on), the success is a real
/// backup on Azurite.
/// </summary>
public sealed class AnomalyBackupListenerTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 2, 0, 0, TimeSpan.FromHours(8));

    private sealed class RecordingReporter : IDataAnomalyReporter
    {
        public List<string> Calls { get; } = [];

        public Task RaiseAsync(string source, string message, CancellationToken cancellationToken = default)
        {
            Calls.Add("raise:" + source);
            return Task.CompletedTask;
        }

        public Task ResolveAsync(string source, CancellationToken cancellationToken = default)
        {
            Calls.Add("resolve:" + source);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task AFailedBackupRaisesDataAnomalyAndTheNextCompleteBackupResolvesIt()
    {
        var reporter = new RecordingReporter();
        IBackupFailureListener[] listeners = [new AnomalyBackupFailureListener(reporter)];
        await using var table = await BackedUpTable.CreateAsync("An", "GrainState", null);
        table.Options.RetentionDays = 14;

        // Nobody listens on port 9 (discard): the backup fails at once, without retries.
        var failing = new TableBackup(BackedUpTable.UnreachableTables(), table.Blobs, table.Options, new FakeTimeProvider(At), NullLogger<TableBackup>.Instance, listeners);
        await Assert.ThrowsAnyAsync<Exception>(() => failing.RunAsync());
        Assert.Equal(["raise:backup"], reporter.Calls);

        var working = new TableBackup(table.Tables, table.Blobs, table.Options, new FakeTimeProvider(At.AddHours(8)), NullLogger<TableBackup>.Instance, listeners);
        var manifest = await working.RunAsync();
        Assert.Equal(BackupManifest.Complete, manifest.Status);
        Assert.Equal(["raise:backup", "resolve:backup"], reporter.Calls);
    }
}
