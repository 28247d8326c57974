using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Engagement.Azure.Tests.Infrastructure;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A blob client on the test Azurite whose requests the test can send to a closed port (127.0.0.1:9) instead, while
/// <see cref="Down"/> says so: real connection failures, no mock. One retry, so the SDK gives up as it does on an
/// unreachable account (an <see cref="AggregateException"/> of both attempts).
/// </summary>
internal sealed class UnreachableStorage : HttpPipelinePolicy
{
    private int _failed;
    private int _passed;

    /// <summary>Which requests fail now; null: none.</summary>
    public Func<global::Azure.Core.Request, bool>? Down { get; set; }

    /// <summary>Requests sent to the closed port so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Requests that reached Azurite so far.</summary>
    public int Passed => Volatile.Read(ref _passed);

    /// <summary>The paths of the requests that reached Azurite, in the order their answers came.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> PassedPaths { get; } = new();

    /// <summary>Every request fails.</summary>
    public static bool All(global::Azure.Core.Request request) => true;

    public BlobServiceClient Blobs()
    {
        var options = new BlobClientOptions { Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1), NetworkTimeout = TimeSpan.FromSeconds(5) } };
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        return new BlobServiceClient(Azurite.ConnectionString, options);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Redirect(message);
        ProcessNext(message, pipeline);
        Passing(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Redirect(message);
        await ProcessNextAsync(message, pipeline);
        Passing(message);
    }

    private void Passing(HttpMessage message)
    {
        if (message.Request.Uri.Port != 9)
        {
            PassedPaths.Enqueue(message.Request.Uri.Path);
        }

        Interlocked.Increment(ref _passed);
    }

    private void Redirect(HttpMessage message)
    {
        if (Down?.Invoke(message.Request) == true)
        {
            message.Request.Uri.Port = 9;
            Interlocked.Increment(ref _failed);
        }
    }
}
