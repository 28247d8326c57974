using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Backup;

/// <summary>
/// Issue 14: a failed backup is logged as an error (by the default <c>IBackupFailureListener</c>, where the
/// <c>data.anomaly</c> alert hooks in) and the operator's command says it failed.
/// </summary>
[Trait("Category", "Backup")]
[ExpectedSeconds(25)]
public sealed class BackupFailureTests
{
    [Fact]
    public async Task ABackupOfAnUnreachableAccountIsLoggedAsFailedAndExitsWithOne()
    {
        // An account on ports nothing listens on: the storage SDK gives up after its retries.
        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        var gone = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};"
            + $"BlobEndpoint=http://127.0.0.1:{SiloProcess.FreePort()}/devstoreaccount1;"
            + $"QueueEndpoint=http://127.0.0.1:{SiloProcess.FreePort()}/devstoreaccount1;"
            + $"TableEndpoint=http://127.0.0.1:{SiloProcess.FreePort()}/devstoreaccount1;";

        var (exitCode, output) = await DotnetCommand.SiloAsync(gone, "backup");

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Matches(@"Backup \d{8}-\d{6} to container engagement-backups FAILED after 0 complete tables", output);
        // Logged at Error, through Serilog in the silo's console format (docs/backups.md, "The schedule").
        Assert.Matches(@"\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{2}:\d{2} ERR\] Engagement\.Azure\.Backup\.TableBackup: ", output);
        Assert.Contains("backup failed:", output, StringComparison.Ordinal);
    }
}
