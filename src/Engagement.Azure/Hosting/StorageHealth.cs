using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Azure.Hosting;

/// <summary>Result of <see cref="StorageHealth.CheckAsync(IServiceProvider, CancellationToken)"/>.</summary>
/// <param name="IsHealthy">True when the table and queue services answered.</param>
/// <param name="Description">What was checked, or what failed: status, error code and exception types, never an exception's message (it names the host).</param>
/// <param name="Elapsed">How long the check took.</param>
/// <param name="Exception">The failure, if any.</param>
public sealed record StorageHealthResult(bool IsHealthy, string Description, TimeSpan Elapsed, Exception? Exception = null);

/// <summary>
/// Readiness check for <c>/health/ready</c>: storage is reachable when the table service and the queue service
/// each answer a one-item listing. Never throws for storage failures; it reports them.
/// </summary>
public static class StorageHealth
{
    /// <summary>Checks the account registered by <c>AddEngagementAzureStorage</c>.</summary>
    public static Task<StorageHealthResult> CheckAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var clients = services.GetRequiredService<EngagementStorageClients>();
        return CheckAsync(clients.Tables, clients.Queues, cancellationToken);
    }

    /// <summary>Checks the account of <paramref name="connectionString"/>.</summary>
    public static Task<StorageHealthResult> CheckAsync(string connectionString, CancellationToken cancellationToken = default) =>
        CheckAsync(new TableServiceClient(connectionString), new QueueServiceClient(connectionString), cancellationToken);

    /// <summary>Checks the given services (either may be null to skip it).</summary>
    public static async Task<StorageHealthResult> CheckAsync(TableServiceClient? tables, QueueServiceClient? queues, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            if (tables is not null)
            {
                await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
                {
                    break;
                }
            }

            if (queues is not null)
            {
                await foreach (var _ in queues.GetQueuesAsync(cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
                {
                    break;
                }
            }

            return new StorageHealthResult(true, "Azure Storage tables and queues answered.", stopwatch.Elapsed);
        }
        catch (RequestFailedException ex) when (ex.Status != 0)
        {
            return new StorageHealthResult(false, $"Azure Storage answered {ex.Status} ({ex.ErrorCode ?? "no error code"}).", stopwatch.Elapsed, ex);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
        {
            // No answer at all: status 0 (the SDK wraps the connection failure), or AggregateException after its retries.
            return new StorageHealthResult(false, $"Azure Storage is unreachable ({Describe(ex)}).", stopwatch.Elapsed, ex);
        }
    }

    /// <summary>
    /// Names a failure by exception types and codes only (HTTP request error, socket error), never by its message:
    /// the messages name the storage host, and the description is served on the unauthenticated readiness endpoint.
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <returns>For example <c>RequestFailedException, HttpRequestException ConnectionError, SocketException ConnectionRefused</c>.</returns>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>();
        for (Exception? current = exception; current is not null && parts.Count < 4; current = current.InnerException)
        {
            parts.Add(current switch
            {
                HttpRequestException http => http.StatusCode is { } code
                    ? $"{nameof(HttpRequestException)} {http.HttpRequestError} {(int)code}"
                    : $"{nameof(HttpRequestException)} {http.HttpRequestError}",
                System.Net.Sockets.SocketException socket => $"{nameof(System.Net.Sockets.SocketException)} {socket.SocketErrorCode}",
                RequestFailedException { Status: not 0 } failed => $"{nameof(RequestFailedException)} {failed.Status} {failed.ErrorCode}",
                _ => current.GetType().Name,
            });
        }

        return string.Join(", ", parts);
    }
}
