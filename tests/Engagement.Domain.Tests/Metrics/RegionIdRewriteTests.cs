using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// How an event's <c>regionId</c> becomes the region it counts under (docs/programme-health.md), and which of those
/// are rewrites worth a warning: characters dropped, a cut at 32, or <c>default</c> in place of a named region.
/// </summary>
public sealed class RegionIdRewriteTests
{
    [Theory]
    [InlineData("east", "east", false)]
    [InlineData(" East ", "east", false)]
    [InlineData("a b/c", "abc", true)]
    [InlineData("East.Zone:1", "eastzone1", true)]
    [InlineData("华东", MetricsOptions.DefaultRegion, true)]
    [InlineData("ALL", MetricsOptions.DefaultRegion, true)]
    [InlineData("default", MetricsOptions.DefaultRegion, false)]
    [InlineData("   ", MetricsOptions.DefaultRegion, false)]
    [InlineData("East-Zone_1", "east-zone_1", false)]
    [InlineData(" All ", MetricsOptions.DefaultRegion, true)]
    [InlineData("\u212A1", "k1", true)]
    [InlineData("\u212A", "k", true)]
    [InlineData("east\u00A0", "east", false)]
    [InlineData("rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", true)] // one past MaxRegionLength: cut to 32, a rewrite
    public void ARegionIdCountsUnderItsNormalFormAndOnlyALossyOneIsARewrite(string regionId, string region, bool rewritten)
    {
        Assert.Equal(region, MetricsOptions.RegionOf(regionId));
        Assert.Equal(rewritten, MetricsOptions.IsRewritten(regionId));
    }

    [Fact]
    public void ARegionIdPastThirtyTwoCharactersIsCutAndThatIsARewrite()
    {
        var sixty = new string('r', 60);

        Assert.Equal(new string('r', MetricsOptions.MaxRegionLength), MetricsOptions.RegionOf(sixty));
        Assert.True(MetricsOptions.IsRewritten(sixty));
        Assert.False(MetricsOptions.IsRewritten(new string('r', MetricsOptions.MaxRegionLength)));
    }

    [Fact]
    public void APlainRegionIdIsJudgedWithoutAllocating()
    {
        // Judged on every applied event: a plain id (ASCII a–z A–Z 0–9 - _, at most 32, in any case) allocates nothing.
        string[] plain = ["east", " East-Zone_1 ", new string('r', MetricsOptions.MaxRegionLength)];
        foreach (var id in plain)
        {
            Assert.False(MetricsOptions.IsRewritten(id));
        }

        // The fewest of several rounds: the runtime's own work on this thread (a loop's on-stack replacement, tiering)
        // can land in one round under load; an allocation per call would show in every round (3,000 calls each).
        var rewritten = 0;
        var fewest = AllocationProbe.FewestBytes(
            () =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    foreach (var id in plain)
                    {
                        rewritten += MetricsOptions.IsRewritten(id) ? 1 : 0;
                    }
                }
            },
            enough: 0,
            calls: 3);

        Assert.Equal(0L, fewest);
        Assert.Equal(0, rewritten);
    }

    [Fact]
    public void AnIdAlreadyInItsNormalFormCountsUnderItselfWithoutAllocating()
    {
        // The metric rules normalize the member's region and the event's on every outcome: an id that is already its
        // normal form (a–z 0–9 - _, at most 32, not "all") is returned as it is, not rebuilt character by character.
        string[] normal = ["east", "east-zone_1", "r01", new string('r', MetricsOptions.MaxRegionLength)];
        foreach (var id in normal)
        {
            Assert.Same(id, MetricsOptions.RegionOf(id));
        }

        var same = 0;
        var rounds = 0;
        var fewest = AllocationProbe.FewestBytes(
            () =>
            {
                rounds++;
                for (var i = 0; i < 1000; i++)
                {
                    foreach (var id in normal)
                    {
                        same += ReferenceEquals(id, MetricsOptions.RegionOf(id)) ? 1 : 0;
                    }
                }
            },
            enough: 0,
            calls: 3);

        Assert.Equal(0L, fewest);
        Assert.Equal(4000 * rounds, same);
        Assert.Equal(MetricsOptions.DefaultRegion, MetricsOptions.RegionOf("all"));
    }
}
