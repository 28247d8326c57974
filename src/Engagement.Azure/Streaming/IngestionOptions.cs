using Engagement.Contracts.Events;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Streaming;

/// <summary>
/// The queue ingestion, bound from <c>Engagement:Ingestion</c>; the connection string comes from
/// <c>ConnectionStrings:AzureStorage</c>. Validated when the silo starts.
/// </summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Engagement:Ingestion";

    /// <summary>Storage account connection string. Default: <c>ConnectionStrings:AzureStorage</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Number of event queues N (<c>{prefix}-0</c> … <c>{prefix}-{N-1}</c>). Default 4. Producers use the same N.</summary>
    public int QueueCount { get; set; } = 4;

    /// <summary>Queue-name prefix. Default <c>engagement-events</c>; tests use a unique one. Poison queue: <c>{prefix}-poison</c>.</summary>
    public string QueueNamePrefix { get; set; } = QueuePartitioner.DefaultQueueNamePrefix;

    /// <summary>
    /// How long a received message stays invisible, 1 s – 7 days (whole seconds; the queue counts seconds).
    /// Default 30 seconds. The receiver renews it (Update Message, once half of it has passed) for as long as the
    /// silo holds the message, and releases held messages (visibility 0) on graceful shutdown; so it need not
    /// outlast processing, and when a silo is killed its messages reappear for another silo within this time.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest a message is held (renewed) before the queue is left to hand it out again: a consumer stuck
    /// this long is not waited for. Default 15 minutes; must exceed <see cref="VisibilityTimeout"/> and
    /// <see cref="DeliveryRetryWindow"/>. A redelivered event already applied is deduped by the member.
    /// </summary>
    public TimeSpan MaxHoldTime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// A message received more often than this goes to the poison queue as "delivery failed N times over {age};
    /// first failure: event …" (the first failure this receiver saw, kept across receives: <see cref="MessageFailures"/>),
    /// once it is also <see cref="PoisonAfter"/> old. Default 10.
    /// </summary>
    public int MaxDequeueCount { get; set; } = 10;

    /// <summary>
    /// How old (since the queue took it) a message received more than <see cref="MaxDequeueCount"/> times must be
    /// before it goes to the poison queue. Default 24 hours; 0 to 7 days (a queue message lives 7 days). Every
    /// receive counts towards <see cref="MaxDequeueCount"/>, those after a storage outage too (each failed delivery
    /// costs about <see cref="DeliveryRetryWindow"/> plus <see cref="VisibilityTimeout"/>): a count alone would
    /// dead-letter every valid event held through a 15-minute outage.
    /// </summary>
    public TimeSpan PoisonAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Pause between polls of an empty queue. Default 100 ms: ingest must be fast.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The longest pause between polls of a queue that has been quiet a while (<see cref="IdleQueuePolling"/>: an
    /// empty queue waits a tenth of its quiet time, up to this). Default 2 s; from <see cref="PollInterval"/> to
    /// 1 minute. Set it to <see cref="PollInterval"/> to poll at a fixed rate.
    /// </summary>
    public TimeSpan IdlePollMaxInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages fetched per receive call, 1–32 (the queue service's maximum). Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// How long the pulling agent keeps retrying a delivery to a failing consumer before it leaves the message
    /// on the queue for redelivery (no longer renewed). Default 1 minute. Must be shorter than <see cref="MaxHoldTime"/>.
    /// </summary>
    public TimeSpan DeliveryRetryWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Events a receiver holds at most (received, not yet applied and deleted) before it stops receiving until
    /// some are done. Default 512. Below it, a receiver reads ahead only as many events as it applied in the last
    /// half visibility timeout (at least <see cref="BatchSize"/>), so a held message is usually applied before it
    /// needs a renewal, renewals stay few, and a slow silo does not hoard a queue's messages.
    /// </summary>
    public int MaxHeldEvents { get; set; } = 512;

    /// <summary>
    /// Events held per queue between receive and delete in the pulling agent's cache. Default 4096. Must hold
    /// <see cref="MaxHeldEvents"/> plus one receive of <see cref="BatchSize"/> messages of 100 events each.
    /// </summary>
    public int CacheSize { get; set; } = 4096;

    /// <summary>The poison queue of this prefix.</summary>
    public string PoisonQueueName => QueuePartitioner.PoisonQueueNameFor(QueueNamePrefix);
}

/// <summary>Refuses settings that would break the pipe, at start rather than at the first message.</summary>
public sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("ConnectionStrings:AzureStorage (or Engagement:Ingestion:ConnectionString) is required.");
        }

        if (options.QueueCount is < 1 or > 1024)
        {
            failures.Add("Engagement:Ingestion:QueueCount must be 1–1024.");
        }

        // Queue names: 3–63 chars of lowercase letters, digits and single dashes.
        if (string.IsNullOrWhiteSpace(options.QueueNamePrefix)
            || options.QueueNamePrefix.Length > 50
            || !options.QueueNamePrefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            || options.QueueNamePrefix.StartsWith('-')
            || options.QueueNamePrefix.Contains("--", StringComparison.Ordinal))
        {
            failures.Add("Engagement:Ingestion:QueueNamePrefix must be 1–50 chars of a–z, 0–9 and single dashes.");
        }

        if (options.VisibilityTimeout < TimeSpan.FromSeconds(1) || options.VisibilityTimeout > TimeSpan.FromDays(7))
        {
            failures.Add("Engagement:Ingestion:VisibilityTimeout must be between 1 second and 7 days.");
        }

        if (options.MaxDequeueCount < 1)
        {
            failures.Add("Engagement:Ingestion:MaxDequeueCount must be at least 1.");
        }

        if (options.PoisonAfter < TimeSpan.Zero || options.PoisonAfter > TimeSpan.FromDays(7))
        {
            failures.Add("Engagement:Ingestion:PoisonAfter must be between 0 and 7 days.");
        }

        if (options.PollInterval <= TimeSpan.Zero || options.PollInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add("Engagement:Ingestion:PollInterval must be > 0 and ≤ 1 minute.");
        }

        if (options.IdlePollMaxInterval < options.PollInterval || options.IdlePollMaxInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add("Engagement:Ingestion:IdlePollMaxInterval must be at least PollInterval and ≤ 1 minute.");
        }

        if (options.BatchSize is < 1 or > 32)
        {
            failures.Add("Engagement:Ingestion:BatchSize must be 1–32.");
        }

        if (options.DeliveryRetryWindow <= TimeSpan.Zero || options.DeliveryRetryWindow >= options.MaxHoldTime)
        {
            failures.Add("Engagement:Ingestion:DeliveryRetryWindow must be > 0 and shorter than MaxHoldTime.");
        }

        if (options.MaxHoldTime <= options.VisibilityTimeout)
        {
            failures.Add("Engagement:Ingestion:MaxHoldTime must be longer than VisibilityTimeout.");
        }

        if (options.MaxHeldEvents < options.BatchSize)
        {
            failures.Add("Engagement:Ingestion:MaxHeldEvents must be at least BatchSize.");
        }

        if (options.CacheSize < options.MaxHeldEvents + (options.BatchSize * EventParser.MaxEventsPerMessage))
        {
            failures.Add("Engagement:Ingestion:CacheSize must be at least MaxHeldEvents + 100 × BatchSize (a receive of batch messages).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
