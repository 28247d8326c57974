using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// How an event's <c>regionId</c> becomes the region it counts under (README "Programme health"), and which of those
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
}
