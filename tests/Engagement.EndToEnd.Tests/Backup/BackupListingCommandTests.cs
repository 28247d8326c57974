using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Backup;

/// <summary>
/// <c>Engagement.Silo backups</c> with nothing to list says so, naming the container and account it looked in: a bare
/// header looked like a listing that broke off, or like the wrong account. The operator's command, run as a process
/// against the test run's Azurite, in a container no backup was ever written to.
/// </summary>
public sealed class BackupListingCommandTests
{
    [Fact]
    public async Task AListingWithNoBackupsSaysThereAreNone()
    {
        var container = "none-" + Guid.NewGuid().ToString("N")[..12];

        var (exitCode, output) = await DotnetCommand.RunAsync(
            SiloProcess.LocateSiloDll(),
            ["backups"],
            new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__AzureStorage"] = Azurite.ConnectionString,
                ["Engagement__Backup__Container"] = container,
            },
            TimeSpan.FromMinutes(5)); // a hang guard, not a timing assertion

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}");
        Assert.Contains("name (UTC start)", output, StringComparison.Ordinal);
        Assert.Contains($"(no backups in container {container} of account devstoreaccount1)", output, StringComparison.Ordinal);
    }
}
