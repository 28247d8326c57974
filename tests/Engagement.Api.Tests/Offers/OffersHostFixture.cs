using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// The real host (Program.cs) over real HTTP on Azurite, with a store-system key and a coupon secret besides the usual
/// keys, and an engine clock pinned to <see cref="Clock"/>.
/// </summary>
public class OffersHostFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "offers-test-admin";
    public const string SupportKey = "offers-test-support";
    public const string StoreKey = "offers-test-store-pos";
    public const string NamedSupportKey = "offers-test-support-named";
    public const string MarketingKey = "offers-test-marketing";

    /// <summary>A till key bound to store S001 (<c>store:POS S001@S001</c>).</summary>
    public const string BoundStoreKey = "offers-test-store-bound-s001";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _id = "offers-" + Guid.NewGuid().ToString("N")[..8];

    public TestClock Clock { get; } = new(TestClock.DefaultStart);

    /// <summary>The touch queue of this host (its own, so a test reads only its host's touches).</summary>
    public string TouchQueue => "tq-" + _id[7..];

    /// <summary>A client of <see cref="TouchQueue"/> on the Azurite the host runs on.</summary>
    public global::Azure.Storage.Queues.QueueClient TouchQueueClient() =>
        new(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING"), TouchQueue);

    public Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        return Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();

        // The host's own touch queue: left behind, every run added a tq-… queue to the storage account.
        await TouchQueueClient().DeleteIfExistsAsync();
    }

    public HttpClient Client(string apiKey)
    {
        var client = CreateDefaultClient(new StrictJsonHandler());
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Members who each bought <paramref name="amount"/> CNY a minute ago (first purchase: points = 2 × amount).</summary>
    public async Task<string[]> SeedBuyersAsync(int count, decimal amount)
    {
        var prefix = "OF" + Guid.NewGuid().ToString("N")[..10];
        var at = Clock.GetUtcNow().AddMinutes(-1);
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToArray();
        var events = ids.Select(id => new { eventId = id + "-O1", type = "purchase", memberId = id, occurredAt = at, orderId = "O1", amount }).ToList();
        using var admin = Client(AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", events, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return ids;
    }

    /// <summary>Defines reward <paramref name="rewardId"/> (admin, 201) and sets its units per store (store key, 200).</summary>
    public async Task PutRewardAsync(string rewardId, object reward, params (string Store, long Units)[] stock)
    {
        using var admin = Client(AdminKey);
        using var put = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", reward, Json);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var store = Client(StoreKey);
        using var units = await store.PutAsJsonAsync($"api/v1/catalogue/{rewardId}/stock", stock.Select(s => new { storeId = s.Store, available = s.Units }), Json);
        Assert.Equal(HttpStatusCode.OK, units.StatusCode);
    }

    /// <summary>Registers <paramref name="memberId"/> a minute ago (coupons are issued only to members the engine has seen).</summary>
    public async Task RegisterAsync(string memberId, string? regionId = null)
    {
        var evt = new { eventId = memberId + "-reg", type = "register", memberId, occurredAt = Clock.GetUtcNow().AddMinutes(-1), regionId };
        using var admin = Client(AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("AZURE_STORAGE_CONNECTION_STRING is not set: run the tests with scripts/test (it starts Azurite).");
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:AzureStorage"] = connection,
            ["Engagement:Silo:SiloPort"] = FreePort(),
            ["Engagement:Silo:GatewayPort"] = FreePort(),
            ["Engagement:Silo:ServiceId"] = _id,
            ["Engagement:Silo:ClusterId"] = _id,
            ["Engagement:Ingestion:QueueNamePrefix"] = "of" + _id[7..],
            ["Engagement:Storage:TouchQueueName"] = TouchQueue,
            ["Engagement:Testing:ClockStart"] = Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            ["Engagement:Offers:CouponSecret"] = "offers-test-secret-" + Guid.NewGuid().ToString("N"),
            [$"Engagement:Api:Keys:{AdminKey}"] = "admin",
            [$"Engagement:Api:Keys:{SupportKey}"] = "support",
            [$"Engagement:Api:Keys:{StoreKey}"] = "store:POS S001",
            [$"Engagement:Api:Keys:{NamedSupportKey}"] = "support:Wang Fang",
            [$"Engagement:Api:Keys:{MarketingKey}"] = "marketing",
            [$"Engagement:Api:Keys:{BoundStoreKey}"] = "store:POS S001@S001",
        };
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(ConfigureTestServices);
    }

    /// <summary>Services a fixture of its own changes after the host registered its own (none here).</summary>
    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    private static string FreePort() => Engagement.Testing.TestPorts.Next().ToString(CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class OffersHostCollection : ICollectionFixture<OffersHostFixture>
{
    public const string Name = "offers host";
}
