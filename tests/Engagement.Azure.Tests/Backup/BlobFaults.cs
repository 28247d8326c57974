using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Request = Azure.Core.Request;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// The backup tests' one fault policy: a blob client on the test Azurite whose requests the test picks can fail as
/// storage really fails, no mock. <see cref="Down"/>: sent to a closed port (127.0.0.1:9), a real connection failure;
/// with one retry the SDK gives up as it does on an unreachable account (an <see cref="AggregateException"/> of both
/// attempts). <see cref="TimesOut"/>: the SDK's network timeout (a <see cref="TaskCanceledException"/> no token of the
/// caller's cancelled). <see cref="LosesAnswer"/>: reaches Azurite, which does it, then times out so (the answer lost).
/// <see cref="Hangs"/>: held until the caller's own token cancels it. <see cref="HangsAfterDoing"/>: reaches Azurite, which
/// does it, then its answer is held until the caller's own token cancels it (a stop while the request is in flight).
/// <see cref="TryLosesAnswer"/>: one try (below the
/// SDK's retry policy) reaches Azurite, which does it, then its connection drops, so the SDK's own retry meets what the
/// first try did. The others reach Azurite.
/// The predicates may be changed while a test runs. Every request is counted while under way (<see cref="InFlight"/>),
/// so a test can move its <see cref="WaitedClock"/> only while none is (<see cref="StepWhileIdleAsync(WaitedClock, TimeSpan, Func{bool}, DateTimeOffset, string, string, int, BlobFaults[])"/>).
/// </summary>
internal sealed class BlobFaults : HttpPipelinePolicy
{
    private int _failed;
    private int _timedOut;
    private int _hung;
    private int _hungAfter;
    private int _dropped;
    private int _inFlight;

    /// <summary>Which requests go to the closed port now; null: none.</summary>
    public Func<Request, bool>? Down { get; set; }

    /// <summary>Which requests time out now; null: none.</summary>
    public Func<Request, bool>? TimesOut { get; set; }

    /// <summary>Which requests Azurite carries out but whose answer is lost (a timeout after the write); null: none.</summary>
    public Func<Request, bool>? LosesAnswer { get; set; }

    /// <summary>Which requests hang until their caller's token is cancelled (then cancelled by it); null: none.</summary>
    public Func<Request, bool>? Hangs { get; set; }

    /// <summary>Which requests Azurite carries out and whose answer is then held until their caller's token is cancelled; null: none.</summary>
    public Func<Request, bool>? HangsAfterDoing { get; set; }

    /// <summary>
    /// Which tries of a request (each of the SDK's own tries, at <see cref="HttpPipelinePosition.PerRetry"/>) Azurite
    /// carries out but whose answer is lost (the connection drops after the write: an <see cref="IOException"/>, which the
    /// SDK retries); null: none.
    /// </summary>
    public Func<Request, bool>? TryLosesAnswer { get; set; }

    /// <summary>Tries whose answer was lost so far (<see cref="TryLosesAnswer"/>).</summary>
    public int TriesDropped => Volatile.Read(ref _dropped);

    /// <summary>Requests sent to the closed port so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Requests timed out so far (answers lost included).</summary>
    public int TimedOut => Volatile.Read(ref _timedOut);

    /// <summary>Requests that hung so far.</summary>
    public int Hung => Volatile.Read(ref _hung);

    /// <summary>Requests carried out whose answer was held so far (<see cref="HangsAfterDoing"/>).</summary>
    public int HungAfterDoing => Volatile.Read(ref _hungAfter);

    /// <summary>Requests under way now: entered this policy and not yet out of it (the SDK's tries, a hang, a fault included).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The requests answered by Azurite, as "METHOD path[ heartbeat]", in the order their answers came.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Answered { get; } = new();

    /// <summary>Every request.</summary>
    public static bool All(Request request) => true;

    /// <summary>A container listing (the start-up scan for unfinished backups, retention).</summary>
    public static bool Listing(Request request) => request.Uri.Query.Contains("comp=list", StringComparison.Ordinal);

    /// <summary>A claim's heartbeat: an unconditional upload of <c>{backup}/claim</c> (taking it is If-None-Match: *).</summary>
    public static bool IsHeartbeat(Request request) =>
        request.Method == RequestMethod.Put
        && request.Uri.Path.EndsWith("/claim", StringComparison.Ordinal)
        && !request.Headers.TryGetValue("If-None-Match", out _);

    /// <summary>The claim of backup <paramref name="backup"/> looked at (its properties or existence: HEAD).</summary>
    public static Func<Request, bool> ClaimLook(string backup) => r =>
        r.Method == RequestMethod.Head && r.Uri.Path.EndsWith($"/{backup}/claim", StringComparison.Ordinal);

    /// <summary>The claim of backup <paramref name="backup"/> read (its holder: GET).</summary>
    public static Func<Request, bool> ClaimRead(string backup) => r =>
        r.Method == RequestMethod.Get && r.Uri.Path.EndsWith($"/{backup}/claim", StringComparison.Ordinal);

    /// <summary>The request that claims backup <paramref name="backup"/> (a conditional create of its claim: If-None-Match: *).</summary>
    public static Func<Request, bool> ClaimCreate(string backup) => r =>
        r.Method == RequestMethod.Put
        && r.Uri.Path.EndsWith($"/{backup}/claim", StringComparison.Ordinal)
        && r.Headers.TryGetValue("If-None-Match", out _);

    /// <summary>Only the first request <paramref name="which"/> matches.</summary>
    public static Func<Request, bool> Once(Func<Request, bool> which)
    {
        var done = 0;
        return r => which(r) && Interlocked.Exchange(ref done, 1) == 0;
    }

    /// <summary>A blob client on the test Azurite with this policy on every call (one retry, 5 s network timeout).</summary>
    public BlobServiceClient Blobs()
    {
        var options = new BlobClientOptions { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1), NetworkTimeout = TimeSpan.FromSeconds(5) } };
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        options.AddPolicy(new PerTry(this), HttpPipelinePosition.PerRetry);
        return new BlobServiceClient(Azurite.ConnectionString, options);
    }

    /// <summary>
    /// A blob client on the test Azurite with this policy on every call and the SDK's own retry and timeouts (a silo
    /// whose requests a test only counts, as on plain Azurite: a slow answer under load is not cut off at 5 s).
    /// </summary>
    public BlobServiceClient CountedBlobs()
    {
        var options = new BlobClientOptions();
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        return new BlobServiceClient(Azurite.ConnectionString, options);
    }

    /// <summary>
    /// Moves <paramref name="clock"/> on by <paramref name="step"/> per poll until <paramref name="done"/>, each step only
    /// once the silos wait on at least <paramref name="waiters"/> of its timers (what they wait on at rest: the schedule's
    /// wait for its next slot, a watch's wait between looks; <see cref="WaitedClock.Waiting"/>) and none of
    /// <paramref name="clients"/> has a request under way. A step taken while a silo works (a CPU-starved test host, an
    /// Azurite slow to answer) lands inside a look or a release: its next look is counted from a later instant, and its
    /// timeouts by that clock (a release attempt's 8 s) fire, so its judgements drift past the instants the test names.
    /// Fails with <paramref name="late"/> once the clock reaches <paramref name="before"/>, or after a minute of real time.
    /// </summary>
    internal static Task StepWhileIdleAsync(WaitedClock clock, TimeSpan step, Func<bool> done, DateTimeOffset before, string what, string late, int waiters, params BlobFaults[] clients) =>
        StepWhileIdleAsync(clock, step, done, before, what, late, () => waiters, clients);

    /// <summary>
    /// <see cref="StepWhileIdleAsync(WaitedClock, TimeSpan, Func{bool}, DateTimeOffset, string, string, int, BlobFaults[])"/>
    /// with a count of timers at rest that changes as the test goes (a watch that ends waits on no timer any more):
    /// <paramref name="waiters"/> is read at each poll; a count above what the silos wait on only holds the next step back
    /// (its drop may follow the silo's, on a log line), and one that never drops again stops the steps.
    /// </summary>
    internal static Task StepWhileIdleAsync(WaitedClock clock, TimeSpan step, Func<bool> done, DateTimeOffset before, string what, string late, Func<int> waiters, params BlobFaults[] clients) =>
        Eventually.TrueAsync(
            () =>
            {
                if (done())
                {
                    return true;
                }

                if (clock.Waiting >= waiters() && clients.All(c => c.InFlight == 0))
                {
                    Assert.True(clock.GetUtcNow() < before, late);
                    clock.Advance(step);
                }

                return false;
            },
            TimeSpan.FromSeconds(60),
            what);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            Fault(message);
            ProcessNext(message, pipeline);
            Answer(message);
            Lose(message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await ProcessFaultedAsync(message, pipeline);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async ValueTask ProcessFaultedAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Fault(message);
        if (Hangs?.Invoke(message.Request) == true)
        {
            Interlocked.Increment(ref _hung);
            await Task.Delay(Timeout.InfiniteTimeSpan, message.CancellationToken);
        }

        await ProcessNextAsync(message, pipeline);
        if (HangsAfterDoing?.Invoke(message.Request) == true)
        {
            Interlocked.Increment(ref _hungAfter);
            await Task.Delay(Timeout.InfiniteTimeSpan, message.CancellationToken);
        }

        Answer(message);
        Lose(message);
    }

    private void Fault(HttpMessage message)
    {
        if (TimesOut?.Invoke(message.Request) == true)
        {
            Interlocked.Increment(ref _timedOut);
            throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.");
        }

        if (Down?.Invoke(message.Request) == true)
        {
            // Before the retry policy: the retry goes to the closed port too.
            message.Request.Uri.Port = 9;
            Interlocked.Increment(ref _failed);
        }
    }

    private void Lose(HttpMessage message)
    {
        if (LosesAnswer?.Invoke(message.Request) == true)
        {
            Interlocked.Increment(ref _timedOut);
            throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.");
        }
    }

    private void Answer(HttpMessage message) =>
        Answered.Enqueue($"{message.Request.Method} {message.Request.Uri.Path}{(IsHeartbeat(message.Request) ? " heartbeat" : string.Empty)}");

    /// <summary>Below the SDK's retry policy: drops the answer of the tries <see cref="TryLosesAnswer"/> picks.</summary>
    private sealed class PerTry(BlobFaults faults) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Drop(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            Drop(message);
        }

        private void Drop(HttpMessage message)
        {
            if (faults.TryLosesAnswer?.Invoke(message.Request) == true)
            {
                Interlocked.Increment(ref faults._dropped);
                throw new IOException("Unable to read data from the transport connection: Connection reset by peer.");
            }
        }
    }
}
