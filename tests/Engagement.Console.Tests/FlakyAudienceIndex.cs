using Engagement.Contracts.Search;

namespace Engagement.Console.Tests;

/// <summary>
/// The host's audience index (the member index the estimate reads), whose reads a test can make time out as the
/// index table's SDK reports it: a <see cref="TaskCanceledException"/> no token of the caller's cancelled.
/// </summary>
public sealed class FlakyAudienceIndex(IAudienceIndex inner) : IAudienceIndex
{
    private int _timeOut;

    /// <summary>While true, every shard read times out.</summary>
    public bool ReadsTimeOut { get => Volatile.Read(ref _timeOut) == 1; set => Volatile.Write(ref _timeOut, value ? 1 : 0); }

    public int ShardCount => inner.ShardCount;

    public int GlobalControlPercent => inner.GlobalControlPercent;

    public Task<AudienceIndexPage> ReadShardAsync(int shard, string? continuation, int pageSize, CancellationToken cancellationToken = default) =>
        ReadsTimeOut
            ? Task.FromException<AudienceIndexPage>(new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40."))
            : inner.ReadShardAsync(shard, continuation, pageSize, cancellationToken);
}
