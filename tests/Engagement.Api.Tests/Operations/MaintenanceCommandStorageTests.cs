using Engagement.Silo;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The maintenance commands (README, "Backups and restore") without <c>ConnectionStrings:AzureStorage</c>: they used the
/// local emulator without a word, so a <c>backups</c> on an operator's host without the setting listed an emulator's
/// backups (or failed on a connection refused) instead of production's. Outside Development they now refuse; in
/// Development they say so with a Warning. Run in-process with the console captured; the listing itself reads the test run's Azurite
/// (<c>ConnectionStrings:BackupStorage</c>), in a container no backup was ever written to.
/// </summary>
[Collection(ConsoleOutputCollection.Name)]
public sealed class MaintenanceCommandStorageTests
{
    private readonly string _container = "cli-none-" + Guid.NewGuid().ToString("N")[..12];

    [Theory]
    [InlineData("")]
    [InlineData("UseDevelopmentStorage=true")]
    public async Task OutsideDevelopmentACommandWithoutAStorageAccountIsRefused(string configured)
    {
        var (exitCode, output, errors) = await RunAsync(
            ["backups", "environment=Production", $"ConnectionStrings:AzureStorage={configured}", $"ConnectionStrings:BackupStorage={Variable("AZURE_STORAGE_BACKUP_CONNECTION_STRING")}", $"Engagement:Backup:Container={_container}"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("ConnectionStrings:AzureStorage", errors, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__AzureStorage", errors, StringComparison.Ordinal);
        Assert.Contains("Production", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("name (UTC start)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InDevelopmentACommandWithoutAStorageAccountWarnsThatItUsesTheEmulator()
    {
        var (exitCode, output, errors) = await RunAsync(
            ["backups", "environment=Development", "ConnectionStrings:AzureStorage=", $"ConnectionStrings:BackupStorage={Variable("AZURE_STORAGE_BACKUP_CONNECTION_STRING")}", $"Engagement:Backup:Container={_container}"]);

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}\n{errors}");
        var warning = Assert.Single((output + errors).Split('\n'), l => l.Contains("development storage emulator", StringComparison.Ordinal));
        Assert.Contains("ConnectionStrings:AzureStorage", warning, StringComparison.Ordinal);
        Assert.Contains($"(no backups in container {_container} of account engagementbackup)", output, StringComparison.Ordinal);
    }

    private static async Task<(int? ExitCode, string Output, string Errors)> RunAsync(string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var (originalOut, originalError) = (System.Console.Out, System.Console.Error);
        try
        {
            System.Console.SetOut(output);
            System.Console.SetError(errors);
            var exitCode = await BackupCommands.TryRunAsync(args);
            return (exitCode, output.ToString(), errors.ToString());
        }
        finally
        {
            System.Console.SetOut(originalOut);
            System.Console.SetError(originalError);
        }
    }

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with scripts/test (it starts Azurite with the accounts the tests use).");
}
