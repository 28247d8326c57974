using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

public sealed class CampaignMathTests
{
    /// <summary>
    /// Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10 (score, no continuity correction), to the
    /// published four decimals. Example (c) 6/7 − 2/7 is 0.0582 to 0.8062: the Wilson limits 0.4869–0.9743 and
    /// 0.0822–0.6411 give 0.5714 − sqrt(0.3702² + 0.3554²) = 0.0582.
    /// </summary>
    [Theory]
    [InlineData(56, 70, 48, 80, 0.0524, 0.3339)]
    [InlineData(9, 10, 3, 10, 0.1705, 0.8090)]
    [InlineData(6, 7, 2, 7, 0.0582, 0.8062)]
    [InlineData(5, 56, 0, 29, -0.0381, 0.1926)]
    [InlineData(0, 10, 0, 20, -0.1611, 0.2775)]
    [InlineData(10, 10, 0, 20, 0.6791, 1.0000)]
    public void DifferenceIntervalMatchesNewcombesWorkedExamples(long x1, long n1, long x0, long n0, double low, double high)
    {
        var (l, h) = CampaignMath.DifferenceInterval(x1, n1, x0, n0);

        Assert.Equal(low, Math.Round(l, 4));
        Assert.Equal(high, Math.Round(h, 4));
    }

    [Fact]
    public void WilsonIntervalMatchesPublishedLimits()
    {
        // Newcombe (1998b) Table I: 0/10 → 0 to 0.2775; 1/29 → 0.0061 to 0.1718; 81/263 → 0.2553 to 0.3662.
        Assert.Equal((0.0, 0.2775), Round(CampaignMath.WilsonInterval(0, 10)));
        Assert.Equal((0.0061, 0.1718), Round(CampaignMath.WilsonInterval(1, 29)));
        Assert.Equal((0.2553, 0.3662), Round(CampaignMath.WilsonInterval(81, 263)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CampaignMath.WilsonInterval(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => CampaignMath.WilsonInterval(0, 0));
    }

    [Fact]
    public void ZeroConversionsInBothGroupsGiveAnHonestIntervalNotZeroToZero()
    {
        var uplift = CampaignMath.Compare(new GroupTally { Audience = 10 }, new GroupTally { Audience = 20 });

        Assert.NotNull(uplift);
        Assert.Equal(0, uplift.Difference);
        Assert.Equal(-0.1611, Math.Round(uplift.Low, 4));
        Assert.Equal(0.2775, Math.Round(uplift.High, 4));
        Assert.Null(uplift.Relative);
        Assert.False(uplift.Significant);
    }

    [Fact]
    public void UpliftCarriesTheDifferenceTheIntervalAndTheRelativeChange()
    {
        // Example (a) as a campaign: 56 of 70 treated converted, 48 of 80 controls: d = 0.2, relative 0.2 / 0.6.
        var uplift = CampaignMath.Compare(new GroupTally { Audience = 70, Converted = 56 }, new GroupTally { Audience = 80, Converted = 48 });

        Assert.NotNull(uplift);
        Assert.Equal(0.2, uplift.Difference, 12);
        Assert.Equal(0.0524, Math.Round(uplift.Low, 4));
        Assert.Equal(0.3339, Math.Round(uplift.High, 4));
        Assert.Equal(1.0 / 3, uplift.Relative!.Value, 12);
        Assert.True(uplift.Significant);
    }

    [Fact]
    public void NegativeUpliftWhoseIntervalCrossesZeroIsNotSignificant()
    {
        // Example (d) the other way round: 0/29 against 5/56 is −0.0893, −0.1926 to 0.0381.
        var uplift = CampaignMath.Compare(new GroupTally { Audience = 29 }, new GroupTally { Audience = 56, Converted = 5 });

        Assert.NotNull(uplift);
        Assert.Equal(-0.0893, Math.Round(uplift.Difference, 4));
        Assert.Equal(-0.1926, Math.Round(uplift.Low, 4));
        Assert.Equal(0.0381, Math.Round(uplift.High, 4));
        Assert.False(uplift.Significant);
    }

    [Fact]
    public void EmptyGroupsHaveNoRateAndNoUpliftAndConversionsAboveTheAudienceAreClamped()
    {
        Assert.Null(CampaignMath.ConversionRate(new GroupTally()));
        Assert.Null(CampaignMath.Compare(new GroupTally { Audience = 10, Converted = 1 }, new GroupTally()));
        var early = CampaignMath.Compare(new GroupTally { Audience = 10, Converted = 12 }, new GroupTally { Audience = 20 });
        Assert.NotNull(early);
        Assert.Equal(1.0, early.Difference, 12);
        Assert.Equal(1.0, early.High, 12);
    }

    [Fact]
    public void RoiIsRevenueLessCostOverCostAndNullWhenNothingWasSpent()
    {
        Assert.Equal(4.0, CampaignMath.Roi(new GroupTally { Revenue = 5000m, Cost = 1000m })!.Value, 12);
        Assert.Equal(-0.5, CampaignMath.Roi(new GroupTally { Revenue = 50m, Cost = 100m })!.Value, 12);
        Assert.Null(CampaignMath.Roi(new GroupTally { Revenue = 50m }));
    }

    [Fact]
    public void SumAddsEveryGroup()
    {
        var sum = CampaignMath.Sum([
            new GroupTally { Audience = 3, Converted = 1, Revenue = 10m, Cost = 2m },
            new GroupTally { Audience = 5, Converted = 2, Revenue = 20m, Cost = 3m },
        ]);
        Assert.Equal(new GroupTally { Audience = 8, Converted = 3, Revenue = 30m, Cost = 5m }, sum);
    }

    private static (double, double) Round((double Low, double High) interval) => (Math.Round(interval.Low, 4), Math.Round(interval.High, 4));
}
