using System.Text;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>Member and contribution hashes are stored in aggregator rows: the function must never change.</summary>
public class AggregatorShardHashTests
{
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void IsFnv1a64OfTheUtf8Bytes(string id, ulong expected) => Assert.Equal(expected, AggregatorShard.Hash(id));

    [Theory]
    [InlineData("b1234567m-M0000007|e:b1234567m-e25349|d|east|20260601")]
    [InlineData("会员-上海-0007")]
    [InlineData(null)] // a long id: 600 characters, past the stack buffer
    public void MatchesTheReferenceOnAnyId(string? id)
    {
        id ??= new string('x', 300) + new string('会', 300);
        var reference = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            reference = unchecked((reference ^ b) * 1099511628211UL);
        }

        Assert.Equal(reference, AggregatorShard.Hash(id));
    }
}
