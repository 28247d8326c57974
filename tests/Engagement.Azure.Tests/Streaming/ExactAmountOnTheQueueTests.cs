using Azure.Data.Tables;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Members;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// An amount keeps one form from the queue to the stored member (CONTRACT.md §1 <c>amount</c>): a purchase sent as
/// <c>12.50000</c> is stored as 12.50 CNY, not with the scale its text had, and its retry sent as <c>12.5</c> is the same
/// event (applied once, never dead-lettered as an eventId reused for another amount). Real member grains on an Azurite
/// queue, their state in an Azurite table; every wait is a poll with <see cref="Deadline"/>.
/// </summary>
[Collection(ExactAmountCollection.Name)]
public sealed class ExactAmountOnTheQueueTests(ExactAmountCluster cluster)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task APurchaseSentWithTrailingZerosIsStoredAtTheFenAndItsRetryWithoutThemIsAppliedOnce()
    {
        var memberId = Azurite.UniqueName("m");
        var eventId = "p-zeros-" + memberId;
        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);

        await cluster.Queue.SendMessageAsync(Wire.Purchase(memberId, eventId, amount: 12.50000m));
        await Eventually.ReturnsAsync(member.GetViewAsync, v => v?.GrowthValue == 12, Deadline, "the purchase applied");
        await cluster.Queue.SendMessageAsync(Wire.Purchase(memberId, eventId, amount: 12.5m));
        await Eventually.ReturnsAsync(() => QueueStreamClusterFixture.CountAsync(cluster.Queue), n => n == 0, Deadline, "the retry taken off the queue");

        Assert.Empty(await QueueStreamClusterFixture.PoisonWithAsync(cluster.Poison, eventId));
        Assert.Equal(12, (await member.GetViewAsync())!.GrowthValue);
        var stored = await cluster.StoredStateAsync(memberId);
        Assert.Matches(@"12\.50(?![0-9])", stored);
        Assert.DoesNotContain("12.500", stored, StringComparison.Ordinal);
    }
}

/// <summary>
/// One silo of the real member grains behind the project's queue provider (<see cref="MemberQueueCluster.BuildCluster"/>),
/// its grain state, reminders and ledger in Azurite tables of its own (the default state bound), one event queue.
/// </summary>
public sealed class ExactAmountCluster() : QueueTableMemberCluster("amt", "exact-amount-cluster-coupon-secret-01234")
{
    /// <summary>The stored grain-state text of <paramref name="memberId"/>: every <c>StringData</c> part of its rows, in order.</summary>
    public async Task<string> StoredStateAsync(string memberId)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var row in StorageClients.Tables().GetTableClient(Tables[0]).QueryAsync<TableEntity>())
        {
            if (row.PartitionKey.Contains(memberId, StringComparison.Ordinal))
            {
                foreach (var part in row.Where(p => p.Key.StartsWith("StringData", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(part.Value as string);
                }
            }
        }

        return text.Length > 0 ? text.ToString() : throw new InvalidOperationException($"No stored state of {memberId} in {Tables[0]}.");
    }
}

[CollectionDefinition(Name)]
public sealed class ExactAmountCollection : ICollectionFixture<ExactAmountCluster>
{
    public const string Name = "member grains on the queue, state in an Azurite table, for exact amounts";
}
