using System.Globalization;
using System.Net;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Samples;

/// <summary>
/// The SupportConsole sample as support runs it (<c>dotnet SupportConsole.dll MEMBER</c>), against a real silo's gateway:
/// a member with one purchase reads "1 purchase", not "1 purchases". The engine clock is pinned (the silo's
/// <see cref="SiloSettings.Clock"/>), and the purchase is dated by it. The silo is <see cref="SharedSilo"/>'s; the
/// member id is this run's own.
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class SupportConsoleTests(SharedSilo shared)
{
    [Fact]
    public async Task OnePurchaseIsCountedInTheSingularAndItsLedgerLineShowsTheSaleTimeInShanghaiBesideTheUpload()
    {
        var silo = shared.Silo;
        var settings = silo.Settings;
        using var http = silo.CreateClient();
        var saleAt = settings.Clock.GetUtcNow().AddDays(-2);
        using var posted = await http.PostEventsAsync(new
        {
            eventId = "sc-e1", type = "purchase", memberId = "SC000001", occurredAt = saleAt,
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
        // An upload two days after the sale: the ledger line leads with the sale's time, both instants with the +08:00 offset
        // the last activity shows.
        var sale = Shanghai(saleAt);
        Assert.Contains($"last activity {sale}", output, StringComparison.Ordinal);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("[points.earn.first-purchase-double]", StringComparison.Ordinal));
        Assert.Contains($"  {sale}  points", line, StringComparison.Ordinal);
        Assert.Matches(@"\(recorded \d{4}-\d{2}-\d{2} \d{2}:\d{2} \+08:00\)", line);
    }

    private static string Shanghai(DateTimeOffset instant) =>
        instant.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
}
