using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement.Api.Tests;

/// <summary>
/// The real host (silo + API, Program.cs) on Kestrel over real HTTP, with Azurite storage (from scripts/test)
/// and its own service id, ports and queues so it never meets another test host. Its engine clock (which the API's
/// checks use too) runs from the pinned <see cref="Clock"/>. Unsealed for a host with settings of its own and an engine
/// clock a test sets (<see cref="Programme.ZonesHostFixture"/>).
/// </summary>
public class ApiHostFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "api-test-admin";
    public const string SupportKey = "api-test-support";
    public const string MarketingKey = "api-test-marketing";

    /// <summary>A support key with a name (<c>support:Li Na</c>): the audit records the name.</summary>
    public const string NamedSupportKey = "api-test-support-named";

    private readonly string _serviceId = "apitests-" + Guid.NewGuid().ToString("N")[..8];

    private readonly IReadOnlyDictionary<string, string> _settings;

    private readonly TimeProvider? _engineClock;

    public ApiHostFixture()
        : this(new Dictionary<string, string>(), null)
    {
    }

    /// <summary>A host with <paramref name="settings"/> besides the usual ones, its engine clock <paramref name="engineClock"/> when given.</summary>
    protected ApiHostFixture(IReadOnlyDictionary<string, string> settings, TimeProvider? engineClock)
    {
        _settings = settings;
        _engineClock = engineClock;
    }

    /// <summary>The instant the tests date their events by; the host's engine clock starts from it.</summary>
    public TestClock Clock { get; } = new(TestClock.DefaultStart);

    public Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A client with <paramref name="apiKey"/> whose every JSON response is checked for repeated keys (<see cref="StrictJsonHandler"/>).</summary>
    public HttpClient Client(string? apiKey)
    {
        var client = CreateDefaultClient(new StrictJsonHandler());
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("AZURE_STORAGE_CONNECTION_STRING is not set: run the tests with scripts/test (it starts Azurite).");
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:AzureStorage", connection);
        builder.UseSetting("Engagement:Silo:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:ServiceId", _serviceId);
        builder.UseSetting("Engagement:Silo:ClusterId", _serviceId);
        builder.UseSetting("Engagement:Ingestion:QueueNamePrefix", "apit" + Guid.NewGuid().ToString("N")[..8]);
        // A fresh install: its period counts hold every day, also those before the default (the clock starts 2026-11-23).
        builder.UseSetting("Engagement:Metrics:PeriodCountsSince", "2025-01-01");
        builder.UseSetting("Engagement:Testing:ClockStart", Clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting($"Engagement:Api:Keys:{AdminKey}", "admin");
        builder.UseSetting($"Engagement:Api:Keys:{SupportKey}", "support");
        builder.UseSetting($"Engagement:Api:Keys:{MarketingKey}", "marketing");
        builder.UseSetting($"Engagement:Api:Keys:{NamedSupportKey}", "support:Li Na");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_engineClock is { } clock)
        {
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAllKeyed<TimeProvider>("engagement");
                services.AddKeyedSingleton("engagement", clock);
            });
        }
    }

    private static int FreePort() => Engagement.Testing.TestPorts.Next();
}

[CollectionDefinition(Name)]
public sealed class ApiHostCollection : ICollectionFixture<ApiHostFixture>
{
    public const string Name = "api host";
}
