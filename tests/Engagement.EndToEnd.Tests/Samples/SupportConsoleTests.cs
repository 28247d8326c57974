using System.Globalization;
using System.Net;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Samples;

/// <summary>
/// The SupportConsole sample as support runs it (<c>dotnet SupportConsole.dll MEMBER</c>), against a real silo's gateway:
/// a member with one purchase reads "1 purchase", not "1 purchases". The engine clock is pinned (the silo's
/// <see cref="SiloSettings.Clock"/>), and the purchase is dated by it.
/// </summary>
public sealed class SupportConsoleTests
{
    [Fact]
    public async Task OnePurchaseIsCountedInTheSingular()
    {
        var settings = SiloSettings.ForTest("support");
        await using var silo = await SiloProcess.StartAsync(settings);
        using var http = silo.CreateClient();
        using var posted = await http.PostEventsAsync(new
        {
            eventId = "sc-e1", type = "purchase", memberId = "SC000001", occurredAt = settings.Clock.GetUtcNow(),
            orderId = "sc-O1", amount = 268.50m, currency = "CNY",
        });
        Assert.True(posted.StatusCode == HttpStatusCode.Accepted, await posted.Content.ReadAsStringAsync());

        var (exitCode, output) = await DotnetCommand.RunAsync(
            DotnetCommand.LocateSampleDll("SupportConsole"),
            [
                "SC000001",
                "--gateway-port", settings.GatewayPort.ToString(CultureInfo.InvariantCulture),
                "--service-id", settings.ServiceId,
                "--cluster-id", settings.ClusterId,
            ],
            new Dictionary<string, string>(),
            TimeSpan.FromMinutes(3)); // a hang guard, not a timing assertion

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}");
        Assert.Contains(" d, 1 purchase, 268.50 CNY)", output, StringComparison.Ordinal);
    }
}
