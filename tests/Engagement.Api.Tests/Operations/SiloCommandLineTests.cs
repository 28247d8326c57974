using Engagement.Silo;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The silo's command line (docs/backups.md, "The commands: backup, backups, restore"): <c>--help</c> and a mistyped command must answer without
/// starting a silo. A silo started by mistake on an operator's host joins the cluster at the same address and port as the
/// one already running there, which Orleans then declares dead ("older clone") and stops: seen with
/// <c>dotnet Engagement.Silo.dll --help</c> beside <c>scripts/run</c>. These cases touch no storage.
/// </summary>
public sealed class SiloCommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task HelpPrintsTheCommandsInsteadOfStartingASilo(string argument) =>
        Assert.Equal(0, await BackupCommands.TryRunAsync([argument]));

    [Theory]
    [InlineData("bakup")]
    [InlineData("restor")]
    public async Task AMistypedCommandIsRefusedInsteadOfStartingASilo(string argument) =>
        Assert.Equal(2, await BackupCommands.TryRunAsync([argument, "--backup", "20261130-020000"]));

    /// <summary>
    /// A typo of an option (<c>--dryrun</c>) was dropped by the configuration reader and the command ran for real; now it is
    /// refused before anything runs (exit 2). The settings point at the test run's Azurite and an empty container, so that
    /// without the refusal the listing and the restore run there (exit 0 and 1), touching nothing.
    /// </summary>
    [Theory]
    [InlineData("backups --dryrun")]
    [InlineData("backups -n")]
    [InlineData("backups extra")]
    [InlineData("backups --resume")]
    [InlineData("restore --backup 20261130-020000 --dryrun")]
    [InlineData("restore --dry-run --backup 20261130-020000")]
    [InlineData("backup dryrun=1")]
    [InlineData("backups dryrun=1")]
    [InlineData("restore --backup 20261130-020000 dryrun=1")]
    [InlineData("backups -Engagement:Backup:Container=x")]
    [InlineData("backups /Engagement:Backup:Container=x")]
    public async Task AnUnknownOptionIsRefusedBeforeTheCommandRuns(string commandLine) =>
        Assert.Equal(2, await BackupCommands.TryRunAsync([.. commandLine.Split(' '), .. Azurite()]));

    [Theory]
    [InlineData("restore --backup 20261130-020000 --resume Engagement:Backup:Container=x")]
    [InlineData("restore --backup=20261130-020000 ConnectionStrings:AzureStorage=UseDevelopmentStorage=true")]
    [InlineData("backups Engagement:Backup:Container=x environment=Development")]
    [InlineData("backup")]
    [InlineData("backups --Engagement:Backup:Container=x")]
    [InlineData("backups --Engagement:Backup:Container x --ConnectionStrings:AzureStorage UseDevelopmentStorage=true")]
    [InlineData("backup --environment Development Environment=Development")]
    [InlineData("restore --backup 20261130-020000 --Engagement:Backup:Container x --resume")]
    public void TheCommandsOwnOptionsAndSettingsAreAccepted(string commandLine) =>
        Assert.Null(MaintenanceCommandLine.FirstUnknown(commandLine.Split(' ')));

    /// <summary>
    /// A <c>word=value</c> was taken as a setting whatever the word, so <c>backup dryrun=1</c> ran a real backup; a
    /// setting's key is a configuration path (with ':') or the host's <c>environment</c>. A <c>--Section:Key</c> with no
    /// value after it is dropped by the configuration reader, so it is refused too, and so is a key without a value. A
    /// <c>--Section:Key</c> or <c>--backup</c> followed by a <c>--</c> argument is refused: the configuration reader would
    /// take that argument as the value, and a <c>--resume</c> there is taken out as restore's flag before, so the check
    /// passed what then ran as a resume against the default container.
    /// </summary>
    [Theory]
    [InlineData("backup dryrun=1", "dryrun=1")]
    [InlineData("backups Engagement:Backup:Container=x --dryrun=1", "--dryrun=1")]
    [InlineData("backups Engagement:Backup:Container", "Engagement:Backup:Container")]
    [InlineData("backups --Engagement:Backup:Container", "--Engagement:Backup:Container")]
    [InlineData("restore --backup 20261130-020000 backup=20261130-020000", "backup=20261130-020000")]
    [InlineData("backups =x", "=x")]
    [InlineData("restore --backup 20261130-020000 --Engagement:Backup:Container --resume", "--Engagement:Backup:Container")]
    [InlineData("backups --Engagement:Backup:Container --ConnectionStrings:AzureStorage=x", "--Engagement:Backup:Container")]
    [InlineData("restore --backup --Engagement:Backup:Container=x", "--backup")]
    [InlineData("restore --backup --resume", "--backup")]
    public void AWordThatIsNoSettingIsRefused(string commandLine, string refused) =>
        Assert.Equal(refused, MaintenanceCommandLine.FirstUnknown(commandLine.Split(' ')));

    /// <summary>
    /// The silo takes <c>/Section:Key=value</c>; the commands refuse it on purpose (one spelling of a dashed setting), and
    /// the refusal says so and what to write instead, rather than leave the operator to guess why the silo's form fails.
    /// </summary>
    [Theory]
    [InlineData("backup")]
    [InlineData("backups")]
    [InlineData("restore")]
    public void TheRefusalSaysTheSlashFormIsRefusedOnPurpose(string command)
    {
        Assert.Equal("/Engagement:Backup:Container=x", MaintenanceCommandLine.FirstUnknown([command, "/Engagement:Backup:Container=x"]));
        Assert.Contains("/Section:Key=value, which the silo also takes, is refused on purpose: write --Section:Key=value", MaintenanceCommandLine.Accepted(command), StringComparison.Ordinal);
        Assert.Contains("/Section:Key=value, which the silo takes, is refused on purpose", BackupCommands.Usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--urls http://127.0.0.1:5080")]
    [InlineData("Engagement:Silo:SiloPort=11112")]
    public async Task OptionsAndSettingsStillStartTheSilo(string commandLine) =>
        Assert.Null(await BackupCommands.TryRunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    /// <summary>
    /// The silo honours <c>ASPNETCORE_ENVIRONMENT</c>; its maintenance commands read only <c>DOTNET_ENVIRONMENT</c> and
    /// <c>environment=</c>, so an operator who set only <c>ASPNETCORE_ENVIRONMENT=Development</c> was refused the emulator
    /// as "environment is Production" (and a Staging one read another appsettings file than the silo). Now it is the
    /// fallback when neither of the other two names an environment.
    /// </summary>
    [Theory]
    [InlineData(null, null, "", null)]
    [InlineData(null, "Development", "", "Development")]
    [InlineData(null, "Staging", "Engagement:Backup:Container=x", "Staging")]
    [InlineData("Production", "Development", "", null)]
    [InlineData(null, "Development", "environment=Production", null)]
    [InlineData(null, "Development", "--environment=Production", null)]
    [InlineData(null, "Development", "--environment Production", null)]
    [InlineData(null, " ", "", null)]
    public void AspNetCoreEnvironmentIsTheFallbackWhenNeitherOtherNamesOne(string? dotnet, string? aspNetCore, string settings, string? expected)
    {
        var variables = new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = dotnet, ["ASPNETCORE_ENVIRONMENT"] = aspNetCore };
        Assert.Equal(expected, MaintenanceCommandLine.AspNetCoreEnvironmentFallback(
            settings.Split(' ', StringSplitOptions.RemoveEmptyEntries), name => variables.GetValueOrDefault(name)));
    }

    private static string[] Azurite() =>
    [
        "ConnectionStrings:AzureStorage=" + Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING"),
        "ConnectionStrings:BackupStorage=",
        "Engagement:Backup:Container=cli-none-" + Guid.NewGuid().ToString("N")[..12],
    ];
}
