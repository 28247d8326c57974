using Engagement.Contracts.Events;

namespace Engagement.Contracts.Tests.Events;

public sealed class QueuePartitionerTests
{
    [Fact]
    public void EmptyStringHashesToTheOffsetBasis() =>
        Assert.Equal(2166136261u, QueuePartitioner.Fnv1a32(string.Empty));

    [Fact]
    public void SingleLetterMatchesTheReferenceVector()
    {
        // By hand: (2166136261 ^ 0x61) * 16777619 mod 2^32.
        var expected = unchecked((2166136261u ^ 0x61u) * 16777619u);
        Assert.Equal(0xe40c292cu, expected);
        Assert.Equal(0xe40c292cu, QueuePartitioner.Fnv1a32("a"));
    }

    [Fact]
    public void HashRunsOverUtf8BytesNotUtf16Chars()
    {
        // "é" is C3 A9 in UTF-8; a UTF-16 hash would see one 0xE9 char instead.
        var expected = unchecked((((2166136261u ^ 0xC3u) * 16777619u) ^ 0xA9u) * 16777619u);
        Assert.Equal(expected, QueuePartitioner.Fnv1a32("é"));
    }

    [Fact]
    public void ReferenceVectorsOfLongerStrings()
    {
        Assert.Equal(0xbf9cf968u, QueuePartitioner.Fnv1a32("foobar"));
        Assert.Equal(0xd58b3fa7u, QueuePartitioner.Fnv1a32("hello world"));
    }

    /// <summary>
    /// The check values docs/publishing-events.md gives producers porting the hash: a naive JavaScript port (plain
    /// <c>*</c>, no <c>Math.imul</c>) gives 0x3211e9bc for M000123, a UTF-16 port 0x9a6015d5 for 会员-1.
    /// </summary>
    [Theory]
    [InlineData("M000123", 0x2b11deb8u, 0)]
    [InlineData("会员-1", 0x5dc3cdcfu, 3)]
    public void ThePublishedCheckValuesHold(string memberId, uint hash, int queueOfFour)
    {
        Assert.Equal(hash, QueuePartitioner.Fnv1a32(memberId));
        Assert.Equal(queueOfFour, QueuePartitioner.QueueIndex(memberId, 4));
        Assert.Contains($"0x{hash:x8}", File.ReadAllText(PublishingEventsPath()), StringComparison.Ordinal);
    }

    private static string PublishingEventsPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var page = Path.Combine(dir.FullName, "docs", "publishing-events.md");
            if (File.Exists(page) && File.Exists(Path.Combine(dir.FullName, "Engagement.sln")))
            {
                return page;
            }
        }

        throw new FileNotFoundException("docs/publishing-events.md beside Engagement.sln, above the test's output directory");
    }

    [Fact]
    public void QueueIndexIsHashModQueueCount()
    {
        var hash = QueuePartitioner.Fnv1a32("M000123");
        Assert.Equal((int)(hash % 4), QueuePartitioner.QueueIndex("M000123", 4));
        Assert.Equal(0, QueuePartitioner.QueueIndex("M000123", 1));
        Assert.InRange(QueuePartitioner.QueueIndex("M000123", 7), 0, 6);
    }

    [Fact]
    public void QueueIndexRefusesZeroQueues() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => QueuePartitioner.QueueIndex("M1", 0));

    [Fact]
    public void QueueNamesFollowTheContract()
    {
        Assert.Equal("engagement-events-0", QueuePartitioner.QueueName(0));
        Assert.Equal("engagement-events-3", QueuePartitioner.QueueName(3));
        Assert.Equal("engagement-events-poison", QueuePartitioner.PoisonQueueName);
        Assert.Equal("engagement-touches", QueuePartitioner.TouchesQueueName);
        Assert.Equal(QueuePartitioner.PoisonQueueName, QueuePartitioner.PoisonQueueNameFor(QueuePartitioner.DefaultQueueNamePrefix));
        Assert.Equal("t1-12", QueuePartitioner.QueueName("t1", 12));
    }

    [Fact]
    public void LongMemberIdsHashWithoutStackOverflowConcerns()
    {
        var id = new string('x', 10_000);
        Assert.Equal(QueuePartitioner.Fnv1a32(id), QueuePartitioner.Fnv1a32(new string('x', 10_000)));
    }
}
