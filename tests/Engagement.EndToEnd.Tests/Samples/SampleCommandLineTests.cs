using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Samples;

/// <summary>
/// The client samples refuse an option they do not know, naming it and the closest known one, with their usage exit
/// code (1; SupportConsole's is 2), before they send anything. CampaignTrigger used to keep unknown options in a dictionary nobody read:
/// <c>--tier V9</c> was dropped, the audience left empty (every member), and the campaign went to everyone. Each sample
/// runs as the operator runs it (<c>dotnet X.dll</c>), against an API address nothing listens on, so a tool that
/// got past its command line would say it cannot reach it.
/// </summary>
public sealed class SampleCommandLineTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2); // a hang guard, not a timing assertion

    [Fact]
    public async Task CampaignTriggerRefusesAMistypedAudienceFilterInsteadOfBroadcasting()
    {
        var nowhere = $"http://127.0.0.1:{SiloProcess.FreePort()}";

        var (exitCode, output) = await DotnetCommand.RunAsync(
            DotnetCommand.LocateSampleDll("CampaignTrigger"),
            ["--api", nowhere, "--tier", "V9", "--chanel", "sms", "--no-follow"],
            new Dictionary<string, string>(),
            Guard);

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains("unknown option --tier (did you mean --tiers?)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", output, StringComparison.Ordinal);
        Assert.DoesNotContain("created campaign", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CampaignTriggerNamesAMistypedOptionWithNoKnownOneNearIt()
    {
        var (exitCode, output) = await DotnetCommand.RunAsync(
            DotnetCommand.LocateSampleDll("CampaignTrigger"),
            ["--api", $"http://127.0.0.1:{SiloProcess.FreePort()}", "--audience-everyone", "yes"],
            new Dictionary<string, string>(),
            Guard);

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains("unknown option --audience-everyone" + Environment.NewLine, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurchasePublisherRefusesAnUnknownOptionTheSameWay()
    {
        var (exitCode, output) = await DotnetCommand.RunAsync(
            DotnetCommand.LocateSampleDll("PurchasePublisher"),
            ["--member", "10", "--dry-run"],
            new Dictionary<string, string>(),
            Guard);

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains("unknown option --member (did you mean --members?)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SupportConsoleRefusesAnUnknownOptionInsteadOfReadingItsValueAsTheMember()
    {
        // "--ledgr 5" used to make "5" the member id: the agent saw "Member 5 has never been seen".
        var (exitCode, output) = await DotnetCommand.RunAsync(
            DotnetCommand.LocateSampleDll("SupportConsole"),
            ["M000001", "--ledgr", "5", "--gateway-port", SiloProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string>(),
            Guard);

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        Assert.Contains("unknown option --ledgr (did you mean --ledger?)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timeout", "x", "--timeout takes seconds, a number above 0, not 'x'")]
    [InlineData("--api", "not a url", "--api takes an http:// or https:// address, not 'not a url'")]
    [InlineData("--max-grants", "5k", "--max-grants takes a whole number, not '5k'")]
    [InlineData("--unit-cost", "ten", "--unit-cost takes a number, not 'ten'")]
    [InlineData("--arms", "a:x", "--arms takes name:weight pairs (a:1,b:1), not 'a:x'")]
    public async Task CampaignTriggerRefusesAValueItsOptionCannotTakeNamingTheOption(string option, string value, string message)
    {
        // These threw FormatException / UriFormatException: a stack trace and exit code 134 instead of the usage's 1.
        var (exitCode, output) = await DotnetCommand.RunAsync(
            DotnetCommand.LocateSampleDll("CampaignTrigger"),
            option == "--api" ? [option, value, "--no-follow"] : ["--api", $"http://127.0.0.1:{SiloProcess.FreePort()}", option, value, "--no-follow"],
            new Dictionary<string, string>(),
            Guard);

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--ledger", "abc", "--ledger takes a whole number from 1 to 500, not 'abc'")]
    [InlineData("--gateway-port", "x", "--gateway-port takes a whole number from 1 to 65535, not 'x'")]
    public async Task SupportConsoleRefusesAValueItsOptionCannotTakeNamingTheOption(string option, string value, string message)
    {
        var (exitCode, output) = await DotnetCommand.RunAsync(
            DotnetCommand.LocateSampleDll("SupportConsole"),
            ["M000001", option, value],
            new Dictionary<string, string>(),
            Guard);

        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{output}");
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CampaignTriggerRefusesDefinitionFlagsBesideAFileInsteadOfDroppingThem()
    {
        // The file's definition was sent as it is: "--tiers V2" dropped, and the file's empty audience is every member.
        var file = Path.Combine(Path.GetTempPath(), $"ct-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"id":"ct-file","name":"file","kind":"broadcast","audience":{}}""");
        try
        {
            var (exitCode, output) = await DotnetCommand.RunAsync(
                DotnetCommand.LocateSampleDll("CampaignTrigger"),
                ["--api", $"http://127.0.0.1:{SiloProcess.FreePort()}", "--file", file, "--tiers", "V2", "--no-follow"],
                new Dictionary<string, string>(),
                Guard);

            Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
            Assert.Contains("--file is the whole definition; --tiers would be ignored", output, StringComparison.Ordinal);
            Assert.DoesNotContain("cannot reach", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task CampaignTriggerRefusesAnOptionGivenTwiceInsteadOfKeepingTheLast()
    {
        var (exitCode, output) = await DotnetCommand.RunAsync(
            DotnetCommand.LocateSampleDll("CampaignTrigger"),
            ["--api", $"http://127.0.0.1:{SiloProcess.FreePort()}", "--tiers", "V2", "--tiers", "V3", "--no-follow"],
            new Dictionary<string, string>(),
            Guard);

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains("--tiers is given twice; give it once (a list option takes commas: --tiers V2,V3)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", output, StringComparison.Ordinal);
    }
}
