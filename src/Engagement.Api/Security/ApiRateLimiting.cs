using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Security;

/// <summary>
/// Per-key request limit, bound from <c>Engagement:Api:RateLimit</c>: a fixed window of <see cref="PermitLimit"/>
/// requests per <see cref="Window"/> for each API key (for requests with an unknown key, and apart from them for
/// requests with none, each client address as the silo sees it; the console's sign-in form counts as an unknown key), in each silo, with up to
/// <see cref="QueueLimit"/> more waiting for the next window. Beyond that: 429 with <c>Retry-After</c> (seconds).
/// </summary>
public sealed class ApiRateLimitOptions
{
    /// <summary>Requests per window per key. Default 2,000; 0 turns the limit off.</summary>
    public int PermitLimit { get; set; } = 2000;

    /// <summary>The window. Default 1 second.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Requests over the limit that wait for the next window instead of being refused. Default 200.</summary>
    public int QueueLimit { get; set; } = 200;
}

/// <summary>
/// Wires ASP.NET Core's rate limiter per API key, and the start-up checks of hashed keys and limits. The limiter runs
/// before authentication (see <c>MapEngagementApi</c>), so requests with an unknown key are limited too, per address.
/// </summary>
public static class ApiRateLimiting
{
    /// <summary>Registers the limiter (apply it with <c>app.UseRateLimiter()</c>) and validation of the key options.</summary>
    public static IServiceCollection AddEngagementApiProtection(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeyOptions>, ApiKeyProtectionValidator>());
        services.AddHostedService<UnboundStoreKeyWarning>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 1;
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: $"This API key sent more than its limit of requests; retry after {seconds} s.").ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    /// <summary>
    /// The console's sign-in form (<c>POST</c>), whose key comes in the form body: counted with the unknown keys of its
    /// address, so keys guessed there neither use up the allowance of the console's pages nor get one of their own.
    /// </summary>
    public const string ConsoleSignInPath = "/console/session";

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var path = context.Request.Path;
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<ApiKeyOptions>>().CurrentValue.RateLimit;
        // Probes and the scrape are never limited: CONTRACT.md §4 puts health under /api/v1, where a probe behind a
        // NAT shares its address's allowance with every keyless client and would be refused as "unhealthy".
        if (options.PermitLimit == 0 || path.StartsWithSegments("/health") || path.StartsWithSegments("/api/v1/health")
            || path.StartsWithSegments("/metrics"))
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        // A configured key (in the header, or as a browser's Basic password) has its own allowance, partitioned by the
        // key's hash so the limiter keeps no plain key in memory. An unknown key counts against the client's address:
        // every guessed key would otherwise start a fresh allowance, and guessing be unlimited. Requests with no key at
        // all (the console's pages and sign-in, its static files) have their address's other allowance, so keys guessed
        // from behind the same proxy or NAT do not lock the people there out of the console.
        var keys = context.RequestServices.GetRequiredService<IOptionsMonitor<ApiKeyOptions>>().CurrentValue;
        var presented = context.Request.Headers.TryGetValue(ApiKeyOptions.HeaderName, out var header) && header.ToString() is { Length: > 0 } inHeader
            ? inHeader
            : ApiKeyHashes.BasicPassword(context.Request).ToString();
        var hash = presented.Length > 0 ? ApiKeyHashes.Hash(presented) : null;
        var signIn = HttpMethods.IsPost(context.Request.Method) && string.Equals(path.Value?.TrimEnd('/'), ConsoleSignInPath, StringComparison.OrdinalIgnoreCase);
        var partition = signIn ? "guessed:" + context.Connection.RemoteIpAddress
            : hash is null ? "anonymous:" + context.Connection.RemoteIpAddress
            : ApiKeyHashes.TryResolve(keys, presented, out _) ? "key:" + hash
            : "guessed:" + context.Connection.RemoteIpAddress;
        return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.PermitLimit,
            Window = options.Window,
            QueueLimit = options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
