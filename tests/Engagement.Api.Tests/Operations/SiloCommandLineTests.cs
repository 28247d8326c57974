using Engagement.Silo;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The silo's command line (README, "Backups and restore"): <c>--help</c> and a mistyped command must answer without
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

    [Theory]
    [InlineData("")]
    [InlineData("--urls http://127.0.0.1:5080")]
    [InlineData("Engagement:Silo:SiloPort=11112")]
    public async Task OptionsAndSettingsStillStartTheSilo(string commandLine) =>
        Assert.Null(await BackupCommands.TryRunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
}
