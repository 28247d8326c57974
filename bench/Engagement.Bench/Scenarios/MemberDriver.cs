using Engagement.Bench.Infrastructure;
using Engagement.Contracts.Members;

namespace Engagement.Bench.Scenarios;

/// <summary>Drives member grains directly through grain calls, with a bounded number of calls in flight.</summary>
internal static class MemberDriver
{
    /// <summary>Runs <paramref name="call"/> for members 0 … count−1, printing progress.</summary>
    public static async Task ForEachMemberAsync(string label, int count, int concurrency, Func<int, Task> call)
    {
        long done = 0;
        await using (Progress.Start(label, count, () => Interlocked.Read(ref done)))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            {
                await call(i);
                Interlocked.Increment(ref done);
            });
        }
    }

    /// <summary>
    /// Applies one purchase to each of <paramref name="count"/> members, made in the hour before the engine clock's
    /// <paramref name="time"/> now; fails if any is not applied.
    /// </summary>
    public static Task ActivateAsync(IClusterClient client, TimeProvider time, EventFactory events, string label, int count, int concurrency)
    {
        var now = time.GetUtcNow();
        return ForEachMemberAsync(label, count, concurrency, async i =>
        {
            var evt = events.Next(now, Engagement.Contracts.Events.EventTypes.Purchase) with { MemberId = events.MemberId(i) };
            var applied = await client.GetGrain<IMemberGrain>(evt.MemberId).ApplyEventAsync(evt);
            if (applied.Status != ApplyStatus.Applied)
            {
                throw new InvalidOperationException($"member {evt.MemberId}: {applied.Status} ({applied.Reason})");
            }
        });
    }

    /// <summary>Blocking, compacting full collections until the heap settles.</summary>
    public static void FullGc()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }
}
