// SupportConsole: what a support agent sees for one member, straight from the member's grain.
//   dotnet run --project client-samples/SupportConsole -- M000001 [--ledger 10]
//        [--cluster-id engagement-dev] [--service-id engagement] [--membership-table EngagementSilos]
//        [--gateway-port 30000 (localhost clustering instead of the membership table)]
// The silos are found in the cluster's Azure membership table, on the account of ConnectionStrings__AzureStorage, else
// AZURE_STORAGE_CONNECTION_STRING (default: Azurite on loopback), so any silo of the cluster can answer; the account and
// table endpoint it reads are printed on stderr.
using System.Globalization;
using ClientSamples;
using Engagement.Contracts.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

const string usage = "usage: SupportConsole <memberId> [--ledger N] [--cluster-id engagement-dev] [--service-id engagement] [--membership-table EngagementSilos] [--gateway-port 30000]";
SupportArgs? options;
try
{
    options = SupportArgs.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(usage);
    return 2;
}

if (options is null)
{
    Console.Error.WriteLine(usage);
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// As the silo and scripts/poison-queue.cs read it: the silo's own setting, else what scripts/azurite start prints.
var (connectionString, connectionSource) = Environment.GetEnvironmentVariable("ConnectionStrings__AzureStorage") is { Length: > 0 } cs
    ? (cs, "ConnectionStrings__AzureStorage")
    : Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } azurite
        ? (azurite, "AZURE_STORAGE_CONNECTION_STRING")
        : ("UseDevelopmentStorage=true", "the default UseDevelopmentStorage=true");
builder.UseOrleansClient(client =>
{
    if (options.GatewayPort is { } port)
    {
        client.UseLocalhostClustering(port, options.ServiceId, options.ClusterId);
        return;
    }

    client.Configure<Orleans.Configuration.ClusterOptions>(o =>
    {
        o.ClusterId = options.ClusterId;
        o.ServiceId = options.ServiceId;
    });
    var tables = new Azure.Data.Tables.TableServiceClient(connectionString);
    Console.Error.WriteLine($"finding the silos in table {options.MembershipTable} on account {tables.AccountName} at {tables.Uri.GetLeftPart(UriPartial.Path)} (connection from {connectionSource})");
    client.UseAzureStorageClustering(o =>
    {
        o.TableServiceClient = tables;
        o.TableName = options.MembershipTable;
    });
});
using var host = builder.Build();
try
{
    await host.StartAsync();
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    Console.Error.WriteLine($"cannot reach a gateway of cluster {options.ClusterId}: {ex.Message}\nIs the engine running? scripts/run");
    return 1;
}

var member = host.Services.GetRequiredService<IClusterClient>().GetGrain<IMemberGrain>(options.MemberId);
var view = await member.GetViewAsync();
if (view is null)
{
    Console.WriteLine($"Member {options.MemberId} has never been seen.");
    await host.StopAsync();
    return 3;
}

var c = CultureInfo.InvariantCulture;
// Every instant is shown in the member's zone (the programme's, Asia/Shanghai, unless the member set one) with its offset,
// so the ledger's times and the last activity read alike, whatever offset the engine stored them with (ledger: UTC).
var zone = TimeZoneInfo.TryFindSystemTimeZoneById(view.TimeZone, out var found) ? found : TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
string Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd HH:mm zzz", c);
string LocalDate(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd", c);
Console.WriteLine($"Member {view.MemberId}  tier {view.Tier}  region {view.RegionId ?? "-"}  time zone {view.TimeZone}");
Console.WriteLine($"  points balance   {view.PointsBalance.ToString("N0", c)}");
Console.WriteLine($"  growth (365 d)   {view.GrowthValue.ToString("N0", c)}{(view.TierGraceUntil is { } grace ? $"  (tier held in grace until {LocalDate(grace)})" : "")}");
Console.WriteLine($"  lifecycle        {view.LifecycleStage}{(view.WinBackLevel > 0 ? $", win-back L{view.WinBackLevel}" : "")}, last activity {(view.LastActivityAt is { } last ? Local(last) : "never")}");
Console.WriteLine($"  RFM              {view.Rfm.Score} {view.Rfm.Segment}, value class {view.Rfm.ValueClass} (recency {view.Rfm.RecencyDays?.ToString(c) ?? "-"} d, {view.Rfm.Frequency} purchase{(view.Rfm.Frequency == 1 ? "" : "s")}, {view.Rfm.Monetary.ToString("N2", c)} CNY)");
Console.WriteLine($"  benefits         {(view.Benefits.Count == 0 ? "none" : string.Join(", ", view.Benefits.Select(b => b.Name)))}");
Console.WriteLine($"  touches          {view.Caps.MarketingToday}/{view.Caps.MarketingDailyLimit} today, {view.Caps.MarketingLast7Days}/{view.Caps.MarketingWeeklyLimit} in 7 days{(view.Caps.OptedOutChannels.Count > 0 ? ", opted out: " + string.Join(", ", view.Caps.OptedOutChannels) : "")}");
foreach (var lot in view.PointsLots.Take(5))
{
    Console.WriteLine($"  lot {lot.LotId,-24} {lot.Remaining,8:N0} of {lot.Original,8:N0}  expires {LocalDate(lot.ExpiresAt)}");
}

var ledger = await member.GetLedgerAsync(new LedgerQuery { Limit = options.LedgerLines });
Console.WriteLine();
Console.WriteLine($"Latest {ledger.Entries.Count} ledger entries (newest first; when each change took effect, and when the engine recorded it if later):");
foreach (var e in ledger.Entries)
{
    // occurredAt: the event's own time (a sale an offline POS uploaded days later shows the sale's day); at: its recording.
    var recorded = e.At - e.OccurredAt >= TimeSpan.FromMinutes(1) ? $"  (recorded {Local(e.At)})" : "";
    Console.WriteLine($"  #{e.Sequence,-5} {Local(e.OccurredAt)}  {e.Kind,-6} {e.Delta,+9:+#,0;-#,0;0} → {e.BalanceAfter,9:N0}  {e.Reason}  [{e.RuleId}]{recorded}");
}

await host.StopAsync();
return 0;

internal sealed record SupportArgs(string MemberId, int LedgerLines, int? GatewayPort, string ClusterId, string ServiceId, string MembershipTable)
{
    /// <summary>The options above, without the leading <c>--</c>; any other is refused, naming the closest of these.</summary>
    private static readonly string[] KnownOptions = ["ledger", "gateway-port", "cluster-id", "service-id", "membership-table", "help"];

    /// <summary>
    /// Reads the command line; null for <c>--help</c> or no member id. Throws <see cref="ArgumentException"/> for an
    /// unknown option (an option's value was read as the member id before), a second member id, a missing value, or a
    /// value its option cannot take (<c>--ledger abc</c>, <c>--gateway-port x</c>), naming the option.
    /// </summary>
    public static SupportArgs? Parse(string[] args)
    {
        string? memberId = null;
        var ledger = 10;
        int? port = null;
        string clusterId = "engagement-dev", serviceId = "engagement", table = "EngagementSilos";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--ledger": ledger = Number("--ledger", Next(), 1, 500); break;
                case "--gateway-port": port = Number("--gateway-port", Next(), 1, 65535); break;
                case "--cluster-id": clusterId = Next(); break;
                case "--service-id": serviceId = Next(); break;
                case "--membership-table": table = Next(); break;
                case "-h" or "--help": return null;
                case var name when name.StartsWith("--", StringComparison.Ordinal):
                    throw new ArgumentException(OptionNames.Unknown(name[2..], KnownOptions));
                case var id when memberId is not null:
                    throw new ArgumentException($"one member at a time: '{memberId}' and then '{id}'");
                default: memberId = args[i]; break;
            }
        }

        return memberId is null ? null : new SupportArgs(memberId, ledger, port, clusterId, serviceId, table);
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; otherwise an <see cref="ArgumentException"/> naming the option.</summary>
    private static int Number(string option, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{option} takes a whole number from {min} to {max}, not '{value}'");
}
