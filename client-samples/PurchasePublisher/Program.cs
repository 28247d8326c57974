using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Queues;

namespace PurchasePublisher;

/// <summary>Entry point: parses the command line and runs generate, replay or hash.</summary>
internal static class Program
{
    private const int ExitOk = 0;
    private const int ExitUsage = 1;
    private const int ExitUnreachable = 2;
    private const int ExitCancelled = 130;

    public static async Task<int> Main(string[] argv)
    {
        Args args;
        try
        {
            args = Args.Parse(argv);
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine("run with --help for usage");
            return ExitUsage;
        }

        switch (args.Mode)
        {
            case Mode.Help:
                Console.WriteLine(Args.Usage);
                return ExitOk;
            case Mode.Hash:
                PrintHashes(args);
                return ExitOk;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            return args.Mode == Mode.Replay
                ? await ReplayAsync(args, cancel.Token)
                : await GenerateAsync(args, cancel.Token);
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitUsage;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitUsage;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled");
            return ExitCancelled;
        }
    }

    private static async Task<int> GenerateAsync(Args args, CancellationToken cancellationToken)
    {
        var generator = new LoadGenerator(args, DateTimeOffset.UtcNow);
        var load = generator.Generate();
        var summary = load.Summary;

        if (args.Out is { } outPath)
        {
            // The JSON text of every message, one per line, in publication order (junk included).
            await WriteLinesAsync(outPath, load.Messages.Select(m => m.Body), cancellationToken);
        }

        if (args.ExpectFile is { } expectPath)
        {
            await File.WriteAllTextAsync(expectPath, summary.ToJson() + "\n", new UTF8Encoding(false), cancellationToken);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated {summary.Messages} messages: seed {summary.Seed}, {summary.Members} members, occurredAt {summary.Start} .. {summary.End}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  unique valid events {summary.UniqueValidEvents}: {Join(summary.ValidByType)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  duplicates {summary.Duplicates} (same eventId re-sent)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  malformed {summary.Malformed}{(summary.Malformed > 0 ? ": " + Join(summary.MalformedByKind) : "")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  refunds {summary.Refunds}, of which published before their purchase {summary.EarlyRefunds}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  purchases {summary.PurchaseAmount:0.00} CNY, refunds {summary.RefundAmount:0.00} CNY"));
        if (args.Out is not null)
        {
            Console.WriteLine($"  bodies written to {args.Out}");
        }

        if (args.ExpectFile is not null)
        {
            Console.WriteLine($"  summary written to {args.ExpectFile}");
        }

        if (args.DryRun)
        {
            Console.WriteLine("  dry run: nothing sent");
            return ExitOk;
        }

        return await PublishAsync(args, load.Messages, load.Messages.Count, cancellationToken);
    }

    private static async Task<int> ReplayAsync(Args args, CancellationToken cancellationToken)
    {
        var path = args.File!;
        if (!File.Exists(path))
        {
            throw new UsageException($"no such file: {path}");
        }

        long total = 0, events = 0, number = 0;
        var tooLarge = new List<string>();
        var spanning = new List<long>();
        var scratch = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            total++;
            events += ReplayLabel.EventCount(line, args.Base64);
            if (ReplayLabel.IsTooLarge(line, args.Base64))
            {
                tooLarge.Add(string.Create(CultureInfo.InvariantCulture, $"line {number}: {ReplayLabel.BytesAsSent(line, args.Base64):N0} bytes as sent{(args.Base64 ? " (base64)" : "")}"));
            }
            else if (args.QueueCount > 1 && ReplayLabel.Read(line, scratch, args.Base64).SpansMembers)
            {
                spanning.Add(number);
            }
        }

        if (spanning.Count > 0)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: {spanning.Count} batch line(s) hold events of more than one member (line {string.Join(", ", spanning.Take(10))}{(spanning.Count > 10 ? ", ..." : "")}): each goes whole to its first member's queue of {args.QueueCount}, so the other members' events there are not ordered with their events on their own queues (CONTRACT.md §1 partitions by member); send one member's events per batch line"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replaying {total} lines ({events} events) from {path}"));
        if (tooLarge.Count > 0)
        {
            // The queue refuses such a message (and the engine would dead-letter it): sending the rest and failing on it
            // mid-file would leave a half-replayed file. Refuse it before sending anything; the dry run warns.
            var what = string.Join("; ", tooLarge.Take(10)) + (tooLarge.Count > 10 ? string.Create(CultureInfo.InvariantCulture, $"; ... ({tooLarge.Count} lines in all)") : "");
            var limit = string.Create(CultureInfo.InvariantCulture, $"over the engine's {ReplayLabel.MaxMessageBytes / 1024} KB message limit (CONTRACT.md §1)");
            if (!args.DryRun)
            {
                Console.Error.WriteLine($"error: {what}: {limit}; split such a line into smaller batches{(args.Base64 ? " or send raw JSON (base64 adds a third)" : "")}. Nothing sent.");
                return ExitUsage;
            }

            Console.Error.WriteLine($"warning: {what}: {limit}; each counts as one (malformed) below, and a real replay refuses the file before sending anything.");
        }

        var messages = ReplayMessages(path, args.Base64);
        if (args.DryRun)
        {
            PrintLabels(messages.SelectMany(m => m.Labels).GroupBy(label => label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal));
            Console.WriteLine("  dry run: nothing sent");
            return ExitOk;
        }

        return await PublishAsync(args, messages, events, cancellationToken);
    }

    /// <summary>
    /// Each non-blank line of the file as one message (a JSON array line as one batch message), labelled per event by
    /// <see cref="ReplayLabel"/> for the summary.
    /// </summary>
    private static IEnumerable<OutgoingMessage> ReplayMessages(string path, bool base64)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return File.ReadLines(path)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => OutgoingMessage.FromReplay(line, ReplayLabel.Read(line, seen, base64)));
    }

    /// <summary>
    /// The summary's counts: events by type (only those that are events, a batch line's each on its own), and apart
    /// from them the repeats and the malformed ones, so a junk line with "type": "sale" or a purchase without its orderId
    /// is not counted as one; a line the engine cannot read at all (not JSON, an empty array, more than 100 events)
    /// counts as one malformed message, as it is dead-lettered whole.
    /// </summary>
    private static void PrintLabels(IReadOnlyDictionary<string, long> perLabel)
    {
        var ordered = perLabel.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        Console.WriteLine($"  by type:   {Join(ordered.Where(kv => ReplayLabel.IsEventType(kv.Key)))}");
        var apart = ordered.Where(kv => !ReplayLabel.IsEventType(kv.Key)).ToList();
        if (apart.Count > 0)
        {
            Console.WriteLine($"  not events: {Join(apart)} (sent as they are; the engine applies a repeat once and dead-letters each malformed event, or a line refused whole, once)");
        }
    }

    private static async Task<int> PublishAsync(Args args, IEnumerable<OutgoingMessage> messages, long total, CancellationToken cancellationToken)
    {
        var (connection, source) = ResolveConnection(args);
        QueueServiceClient service;
        try
        {
            var options = new QueueClientOptions
            {
                // The default, spelled out: the body goes on the wire as the text we give it.
                MessageEncoding = QueueMessageEncoding.None,
            };
            options.Retry.MaxRetries = 3;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
            service = new QueueServiceClient(connection, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: the connection string from {source} is not valid: {ex.Message}");
            return ExitUsage;
        }

        var publisher = new Publisher(service, args.Prefix, args.QueueCount, args.Base64, args.Concurrency, args.Batch);
        try
        {
            await publisher.EnsureQueuesAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status > 0)
        {
            // It answered, but no: wrong key (403), wrong account (404), ...
            Console.Error.WriteLine($"error: queue service at {publisher.Endpoint} (connection from {source}) refused: {Describe(ex)}");
            return ExitUnreachable;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            Console.Error.WriteLine($"error: cannot reach queue service at {publisher.Endpoint} (connection from {source}): {Describe(ex)}");
            Console.Error.WriteLine("       is Azurite running? scripts/azurite run  (or pass --connection / set AZURE_STORAGE_CONNECTION_STRING)");
            return ExitUnreachable;
        }

        var last = args.QueueCount - 1;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"publishing {total} events ({(args.Batch > 1 ? $"up to {args.Batch} a queue message" : "one a queue message")}) to {publisher.Endpoint} queues {args.Prefix}-0..{last} ({(args.Base64 ? "base64 JSON" : "raw JSON")}, {args.Concurrency} in flight; connection from {source})"));

        PublishResult result;
        try
        {
            result = await publisher.PublishAsync(messages, total, cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            Console.Error.WriteLine($"error: sending to {publisher.Endpoint} failed: {Describe(ex)}");
            return ExitUnreachable;
        }

        var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-3);
        Console.WriteLine(args.Batch > 1 || result.QueueMessages != result.Sent
            ? string.Create(CultureInfo.InvariantCulture, $"sent {result.Sent} events in {result.QueueMessages} queue messages in {result.Elapsed.TotalSeconds:0.00} s ({result.Sent / seconds:0} events/s)")
            : string.Create(CultureInfo.InvariantCulture, $"sent {result.Sent} events, one a queue message, in {result.Elapsed.TotalSeconds:0.00} s ({result.Sent / seconds:0} events/s)"));
        PrintLabels(result.PerLabel);
        Console.WriteLine($"  per queue: {Join(result.PerQueue.Select((n, i) => new KeyValuePair<string, long>(QueueChoice.QueueName(args.Prefix, i), n)))}");
        return ExitOk;
    }

    private static (string Connection, string Source) ResolveConnection(Args args)
    {
        if (!string.IsNullOrWhiteSpace(args.Connection))
        {
            return (args.Connection, "--connection");
        }

        foreach (var name in new[] { "ConnectionStrings__AzureStorage", "AZURE_STORAGE_CONNECTION_STRING" })
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                return (value, "env " + name);
            }
        }

        return ("UseDevelopmentStorage=true", "the default UseDevelopmentStorage=true");
    }

    private static bool IsServiceFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is RequestFailedException or AggregateException or HttpRequestException or TimeoutException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Describe(Exception ex)
    {
        // Retries wrap the cause in AggregateException / RequestFailedException; show the innermost.
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        var text = ex is RequestFailedException { Status: > 0 } rfe
            ? string.Create(CultureInfo.InvariantCulture, $"{rfe.Status} {rfe.ErrorCode}: {FirstLine(rfe.Message)}")
            : FirstLine(inner.Message);
        return text;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? text : text[..end]).TrimEnd();
    }

    private static void PrintHashes(Args args)
    {
        foreach (var id in args.HashInputs)
        {
            var hash = QueueChoice.Fnv1a32(id);
            var queue = QueueChoice.QueueName(args.Prefix, QueueChoice.QueueIndex(id, args.QueueCount));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\"{id}\"  fnv1a32 = 0x{hash:x8} = {hash}  ->  {queue} (of {args.QueueCount})"));
        }
    }

    private static async Task WriteLinesAsync(string path, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var line in lines)
        {
            await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
        }
    }

    private static string Join<T>(IEnumerable<KeyValuePair<string, T>> counts) =>
        string.Join(", ", counts.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value}")));
}
