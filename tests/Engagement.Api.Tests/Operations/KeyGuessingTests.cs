using System.Globalization;
using System.Net;

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
        // A request with no key from the same address (a console page, its sign-in) has an allowance of its own.
        using var keyless = host.Client(null);
        using var page = await keyless.GetAsync("api/v1/members/GUESS-NEVER-SEEN");
        // A key guessed through the console's sign-in form is one more guess from that address.
        using var signIn = await keyless.PostAsync("console/session", new FormUrlEncodedContent([new("key", "guess-by-form")]));
        using var signInSlash = await keyless.PostAsync("console/session/", new FormUrlEncodedContent([new("key", "guess-by-form")]));

        Assert.Equal(KeyGuessingHostFixture.PermitsPerMinute, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.NotNull(retryAfter);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, signInSlash.StatusCode);
    }

    [Theory]
    [InlineData("api/v1/health/live")] // where CONTRACT.md §4 puts it
    [InlineData("health/live")]
    public async Task HealthProbesAreNeverRateLimited(string path)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < KeyGuessingHostFixture.PermitsPerMinute + 2; i++)
        {
            using var probe = host.Client(null);
            using var response = await probe.GetAsync(path);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }
}

/// <summary>
/// The operations host (hashed key, 5 requests a minute) started once more for this test alone, so the guesses, which
/// count against the test process's address, use up no other test's allowance.
/// </summary>
public sealed class KeyGuessingHostFixture : OperationsHostFixture;

/// <summary>Never beside another host in this process: each host's Program.cs sets Serilog's static bootstrap logger.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KeyGuessingHostCollection : ICollectionFixture<KeyGuessingHostFixture>
{
    public const string Name = "key guessing host";
}
