using System.Collections.Concurrent;
using System.Diagnostics;
using Engagement.Bench.Reporting;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// A census of the Azure Storage operations this process makes (the engine's silo runs in it, so its queue receiver,
/// the official Orleans table providers and the engine's own table writers are all counted): each Azure SDK client
/// operation (e.g. <c>QueueClient.DeleteMessage</c>, <c>TableClient.UpsertEntity</c>) and each HTTP request, from
/// the Azure SDK's activity sources. On Azure Storage every request is a billed transaction and counts against the
/// account's 20,000 requests/s; on Azurite each queue request also scans the stored messages. So operations per
/// event is what a drain costs, and where two drains differ.
/// </summary>
internal sealed class StorageOperations : IDisposable
{
    private const string HttpRequest = "Azure.Core.Http"; // the source of one activity per HTTP request
    private const string ResourcePrefix = "resource:";
    private const string TableService = "table";
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Total, long Max)> _ticks = new(StringComparer.Ordinal);
    private readonly ActivityListener _listener;

    static StorageOperations()
    {
        // The Azure SDK creates its activities only when this switch is on (Azure.Core's "experimental" activity sources).
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
    }

    private StorageOperations()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Azure.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStopped = Count,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Starts counting from now; dispose to stop.</summary>
    public static StorageOperations Start() => new();

    /// <summary>Requests counted so far.</summary>
    public long Requests => _counts.GetValueOrDefault(HttpRequest);

    /// <summary>
    /// Table write requests counted so far: every request to a table that is not a read (GET), an entity-group
    /// transaction ($batch) counting once, table creation (the <c>Tables</c> resource) left out.
    /// </summary>
    public long TableWrites => _counts
        .Where(c => c.Key.StartsWith(ResourcePrefix + TableService + ":", StringComparison.Ordinal)
            && !c.Key.EndsWith(" GET", StringComparison.Ordinal)
            && !c.Key.StartsWith(ResourcePrefix + TableService + ":Tables ", StringComparison.Ordinal))
        .Sum(c => c.Value);

    /// <summary>
    /// Adds <c>{label}.requests_per_event</c>, one <c>{label}.ops.{Client.Operation}</c> per client operation seen
    /// (a retried operation counts once, its requests each) with its mean and longest duration
    /// (<c>{label}.ops_ms.{Client.Operation}.mean</c>, <c>.max</c>), and one <c>{label}.requests.{resource} {METHOD}</c> per
    /// queue or table and HTTP method, all per event; <paramref name="run"/> is cut out of resource names so that
    /// runs compare.
    /// </summary>
    public void AddTo(ScenarioResult result, string label, long events, string run)
    {
        var per = Math.Max(events, 1);
        result.Details[label + ".requests_per_event"] = (double)Requests / per;
        result.Details[label + ".table_write_requests_per_event"] = (double)TableWrites / per;
        foreach (var (operation, count) in _counts.Where(c => c.Key != HttpRequest).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var key = operation.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                ? ".requests." + operation[ResourcePrefix.Length..].Replace(run, "{run}", StringComparison.Ordinal)
                : ".ops." + operation;
            result.Details[label + key] = (double)count / per;
            if (_ticks.TryGetValue(operation, out var time))
            {
                // How long the operation took as the caller saw it (retries included): mean and longest, in ms.
                result.Details[label + ".ops_ms." + operation + ".mean"] = TimeSpan.FromTicks(time.Total / count).TotalMilliseconds;
                result.Details[label + ".ops_ms." + operation + ".max"] = TimeSpan.FromTicks(time.Max).TotalMilliseconds;
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Count(Activity activity)
    {
        // The public clients' operations (QueueClient.ReceiveMessages, TableClient.SubmitTransaction, ...) and the HTTP
        // requests; the generated REST clients' activities repeat the former, so they are left out.
        var source = activity.Source.Name;
        if (source == HttpRequest)
        {
            _counts.AddOrUpdate(HttpRequest, 1, static (_, c) => c + 1);
            _counts.AddOrUpdate(ResourcePrefix + Resource(activity), 1, static (_, c) => c + 1);
        }
        else if (source.EndsWith("Client", StringComparison.Ordinal) && !source.EndsWith("RestClient", StringComparison.Ordinal))
        {
            _counts.AddOrUpdate(activity.OperationName, 1, static (_, c) => c + 1);
            var ticks = activity.Duration.Ticks;
            _ticks.AddOrUpdate(activity.OperationName, static (_, add) => (add, add), static (_, t, add) => (t.Total + add, Math.Max(t.Max, add)), ticks);
        }
    }

    /// <summary>
    /// "{service}:{queue or table} {METHOD}" from the request's URL (/account/name/..., /account/name(keys),
    /// /account/$batch) and the client that made it (table, queue or blob).
    /// </summary>
    private static string Resource(Activity activity)
    {
        var method = (activity.GetTagItem("http.request.method") ?? activity.GetTagItem("http.method")) as string ?? "?";
        var service = "?";
        for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
        {
            var name = parent.Source.Name;
            if (name.StartsWith("Azure.Data.Tables", StringComparison.Ordinal) || name.StartsWith("Azure.Storage.", StringComparison.Ordinal))
            {
                service = name.StartsWith("Azure.Data.Tables", StringComparison.Ordinal) ? TableService
                    : name.StartsWith("Azure.Storage.Queues", StringComparison.Ordinal) ? "queue" : "blob";
                break;
            }
        }

        if ((activity.GetTagItem("url.full") ?? activity.GetTagItem("http.url")) is not string url || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return service + ":? " + method;
        }

        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resource = segments.Length > 1 ? segments[1] : "(account)";
        var paren = resource.IndexOf('(', StringComparison.Ordinal);
        return service + ":" + (paren > 0 ? resource[..paren] : resource) + " " + method;
    }
}
