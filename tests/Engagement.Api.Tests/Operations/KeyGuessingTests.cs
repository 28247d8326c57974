using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The per-key rate limit against someone guessing keys: every guess is a different key, so it must count against the
/// client's address, not against a fresh allowance per guessed key (CONTRACT.md §4 keys; 429 with Retry-After).
/// </summary>
[Collection(KeyGuessingHostCollection.Name)]
public sealed class KeyGuessingTests(KeyGuessingHostFixture host)
{
    [Fact]
    public async Task GuessedKeysFromOneAddressAreLimitedLikeOneClientWhileAValidKeyGoesOn()
    {
        var statuses = new List<HttpStatusCode>();
        string? retryAfter = null;
        for (var i = 0; i < KeyGuessingHostFixture.PermitsPerMinute + 3; i++)
        {
            using var guesser = host.Client("guess-" + i.ToString(CultureInfo.InvariantCulture));
            using var response = await guesser.GetAsync("api/v1/members/GUESS-NEVER-SEEN");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                retryAfter = response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture);
            }
        }

        using var valid = host.Client(KeyGuessingHostFixture.SupportKey);
        using var read = await valid.GetAsync("api/v1/members/GUESS-NEVER-SEEN");

        Assert.Equal(KeyGuessingHostFixture.PermitsPerMinute, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.NotNull(retryAfter);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }
}

/// <summary>A host of its own (a tight limit: 5 requests a minute), so the guesses use up no other test's allowance.</summary>
public sealed class KeyGuessingHostFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SupportKey = "guess-test-support";
    public const int PermitsPerMinute = 5;

    private readonly string _serviceId = "guesstests-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The instant the host's engine clock starts from.</summary>
    public TestClock Clock { get; } = new(TestClock.DefaultStart);

    public Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public HttpClient Client(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("AZURE_STORAGE_CONNECTION_STRING is not set: run the tests with scripts/test (it starts Azurite).");
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:AzureStorage", connection);
        builder.UseSetting("Engagement:Testing:ClockStart", Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:SiloPort", Engagement.Testing.TestPorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:GatewayPort", Engagement.Testing.TestPorts.Next().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:ServiceId", _serviceId);
        builder.UseSetting("Engagement:Silo:ClusterId", _serviceId);
        builder.UseSetting("Engagement:Ingestion:QueueNamePrefix", "gst" + Guid.NewGuid().ToString("N")[..8]);
        builder.UseSetting($"Engagement:Api:Keys:{SupportKey}", "support");
        builder.UseSetting("Engagement:Api:RateLimit:PermitLimit", PermitsPerMinute.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Api:RateLimit:Window", "00:01:00");
        builder.UseSetting("Engagement:Api:RateLimit:QueueLimit", "0");
    }
}

/// <summary>Never beside another host in this process: each host's Program.cs sets Serilog's static bootstrap logger.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KeyGuessingHostCollection : ICollectionFixture<KeyGuessingHostFixture>
{
    public const string Name = "key guessing host";
}
