using System.Globalization;
using Engagement.Api.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The real host (Program.cs) configured as production would be for protection: a key given only by its SHA-256,
/// and a tight per-key rate limit (5 requests a minute, none queued), so the tests can see a 429. Unsealed only for
/// <see cref="KeyGuessingHostFixture"/>, the same host started apart.
/// </summary>
public class OperationsHostFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "ops-test-admin";
    public const string SupportKey = "ops-test-support";
    public const string LimitedKey = "ops-test-limited";

    /// <summary>An admin key of its own for <see cref="BackupAlertTests"/>: the per-key limit is 5 a minute, and the other tests spend AdminKey's.</summary>
    public const string AlertsKey = "ops-test-alerts";

    /// <summary>Configured only as its hash; the plain text appears nowhere in the host's configuration.</summary>
    public const string HashedKey = "ops-test-hashed-support-key";

    public const int PermitsPerMinute = 5;

    private readonly string _serviceId = "opstests-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The cluster id the host joins (its own, so its membership row is the only one).</summary>
    public string ClusterId => _serviceId;

    /// <summary>
    /// The address the silo advertises and listens on: a loopback address other than the default 127.0.0.1, so the
    /// membership table shows that <c>Engagement:Silo:AdvertisedAddress</c> was used.
    /// </summary>
    public const string AdvertisedAddress = "127.0.0.2";

    /// <summary>The prefix of the host's own event queues (<c>{prefix}-0</c> …) and poison queue (<c>{prefix}-poison</c>).</summary>
    public string QueueNamePrefix { get; } = "opst" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Silo-to-silo port (<c>Engagement:Silo:SiloPort</c>).</summary>
    public int SiloPort { get; } = ApiHostFixtureFreePort();

    /// <summary>Gateway port (<c>Engagement:Silo:GatewayPort</c>).</summary>
    public int GatewayPort { get; } = ApiHostFixtureFreePort();

    public Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public HttpClient Client(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>The instant the tests date their events by; the host's engine clock starts from it.</summary>
    public TestClock Clock { get; } = new(TestClock.DefaultStart);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("AZURE_STORAGE_CONNECTION_STRING is not set: run the tests with scripts/test (it starts Azurite).");
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:AzureStorage", connection);
        builder.UseSetting("Engagement:Testing:ClockStart", Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:SiloPort", SiloPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:GatewayPort", GatewayPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:AdvertisedAddress", AdvertisedAddress);
        builder.UseSetting("Engagement:Silo:ServiceId", _serviceId);
        builder.UseSetting("Engagement:Silo:ClusterId", _serviceId);
        builder.UseSetting("Engagement:Ingestion:QueueNamePrefix", QueueNamePrefix);
        builder.UseSetting("Engagement:Operations:QueueDepthSampleEvery", "00:00:01"); // a scrape sees a count within a second
        builder.UseSetting($"Engagement:Api:Keys:{AdminKey}", "admin");
        builder.UseSetting($"Engagement:Api:Keys:{SupportKey}", "support");
        builder.UseSetting($"Engagement:Api:Keys:{LimitedKey}", "support");
        builder.UseSetting($"Engagement:Api:Keys:{AlertsKey}", "admin");
        builder.UseSetting($"Engagement:Api:KeyHashes:{ApiKeyHashes.Hash(HashedKey).ToUpperInvariant()}", "support");
        builder.UseSetting("Engagement:Api:RateLimit:PermitLimit", PermitsPerMinute.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Api:RateLimit:Window", "00:01:00");
        builder.UseSetting("Engagement:Api:RateLimit:QueueLimit", "0");
    }

    private static int ApiHostFixtureFreePort() => Engagement.Testing.TestPorts.Next();
}

/// <summary>Never beside another host in this process: each host's Program.cs sets Serilog's static bootstrap logger.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OperationsHostCollection : ICollectionFixture<OperationsHostFixture>
{
    public const string Name = "operations host";
}
