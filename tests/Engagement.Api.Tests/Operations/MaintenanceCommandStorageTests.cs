using System.Text.RegularExpressions;
using Engagement.Silo;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The maintenance commands (docs/backups.md, "The commands: backup, backups, restore") without <c>ConnectionStrings:AzureStorage</c>: they used the
/// local emulator without a word, so a <c>backups</c> on an operator's host without the setting listed an emulator's
/// backups (or failed on a connection refused) instead of production's. Outside Development they now refuse; in
/// Development they say so with a Warning, logged through Serilog in the silo's console format (ISO-8601 timestamp)
/// on standard error. Run in-process with the console captured; the listing itself reads the test run's Azurite
/// (<c>ConnectionStrings:BackupStorage</c>), in a container no backup was ever written to.
/// </summary>
[Collection(ConsoleOutputCollection.Name)]
public sealed partial class MaintenanceCommandStorageTests
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

    /// <summary>
    /// The warning is a Serilog line as the silo writes it (<c>[2026-12-05 14:02:11.123 +00:00 WRN] Source: …</c>), on
    /// standard error; the plain console logger wrote <c>warn: Engagement.Silo.BackupCommands[0]</c> with no time at all,
    /// on standard output, among the listing.
    /// </summary>
    [Fact]
    public async Task ACommandLogsThroughSerilogWithTheSilosIsoTimestamps()
    {
        var (_, output, errors) = await RunAsync(
            ["backups", "environment=Development", "ConnectionStrings:AzureStorage=", $"ConnectionStrings:BackupStorage={Variable("AZURE_STORAGE_BACKUP_CONNECTION_STRING")}", $"Engagement:Backup:Container={_container}"]);

        var warning = Assert.Single(errors.Split('\n'), l => l.Contains("development storage emulator", StringComparison.Ordinal));
        Assert.Matches(SiloLine(), warning);
        Assert.DoesNotContain("development storage emulator", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The settings as an operator types them for the silo (<c>--Section:Key value</c>, <c>--Section:Key=value</c>) are
    /// read: they were refused as unknown options. The listing names the container given that way.
    /// </summary>
    [Fact]
    public async Task SettingsWrittenAsTheSiloTakesThemAreRead()
    {
        var (exitCode, output, errors) = await RunAsync(
            ["backups", "--environment", "Production", "--ConnectionStrings:AzureStorage", Variable("AZURE_STORAGE_CONNECTION_STRING"), $"--ConnectionStrings:BackupStorage={Variable("AZURE_STORAGE_BACKUP_CONNECTION_STRING")}", "--Engagement:Backup:Container", _container]);

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}\n{errors}");
        Assert.Contains($"(no backups in container {_container} of account engagementbackup)", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// <c>backup dryrun=1</c> took <c>dryrun</c> for a setting and ran a real backup; it is refused (exit 2) before
    /// anything runs, naming the word and the forms a setting is written in. Without the refusal it backs up the test
    /// run's Azurite into this test's container (exit 0).
    /// </summary>
    [Fact]
    public async Task AWordValueThatIsNoSettingIsRefusedNamingWhatIsAccepted()
    {
        var (exitCode, output, errors) = await RunAsync(
            ["backup", "dryrun=1", "environment=Production", $"ConnectionStrings:AzureStorage={Variable("AZURE_STORAGE_CONNECTION_STRING")}", $"ConnectionStrings:BackupStorage={Variable("AZURE_STORAGE_BACKUP_CONNECTION_STRING")}", $"Engagement:Backup:Container={_container}", "Engagement:Backup:TablePrefix=clinone"]);

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}\n{errors}");
        Assert.Contains("unknown option 'dryrun=1' for backup", errors, StringComparison.Ordinal);
        Assert.Contains("Section:Key=value, --Section:Key=value or --Section:Key value", errors, StringComparison.Ordinal);
        Assert.Equal("", output);
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

    [GeneratedRegex(@"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{2}:\d{2} WRN\] Engagement\.Silo\.BackupCommands: ConnectionStrings:AzureStorage is not set: backups uses the development storage emulator \(UseDevelopmentStorage=true\), as the Development environment allows")]
    private static partial Regex SiloLine();
}
