using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

public sealed class CampaignMathTests
{
    [Fact]
    public void UpliftAndItsIntervalMatchAHandComputation()
    {
        // By hand: p1 = 120/1000 = 0.12, p0 = 40/500 = 0.08, d = 0.04,
        // se = sqrt(0.12·0.88/1000 + 0.08·0.92/500) = sqrt(0.0001056 + 0.0001472) = 0.0158996855…
        // CI = 0.04 ± 1.959964 · 0.0158996855 = [0.0088372, 0.0711628]; relative = 0.04 / 0.08 = 0.5.
        var uplift = CampaignMath.Compare(new GroupTally { Audience = 1000, Converted = 120 }, new GroupTally { Audience = 500, Converted = 40 });

        Assert.NotNull(uplift);
        Assert.Equal(0.04, uplift.Difference, 12);
        Assert.Equal(0.008837188992783806, uplift.Low, 9);
        Assert.Equal(0.07116281100721619, uplift.High, 9);
        Assert.Equal(0.5, uplift.Relative!.Value, 12);
        Assert.True(uplift.Significant);
    }

    [Fact]
    public void NegativeUpliftWhoseIntervalCrossesZeroIsNotSignificant()
    {
        // p1 = 10/200 = 0.05, p0 = 6/100 = 0.06, d = −0.01, se = sqrt(0.05·0.95/200 + 0.06·0.94/100) = 0.0283108
        var uplift = CampaignMath.Compare(new GroupTally { Audience = 200, Converted = 10 }, new GroupTally { Audience = 100, Converted = 6 });

        Assert.NotNull(uplift);
        Assert.Equal(-0.01, uplift.Difference, 12);
        Assert.Equal(-0.06548810002862182, uplift.Low, 9);
        Assert.Equal(0.04548810002862182, uplift.High, 9);
        Assert.False(uplift.Significant);
    }

    [Fact]
    public void EmptyGroupsHaveNoRateAndNoUpliftAndZeroBaselineHasNoRelativeUplift()
    {
        Assert.Null(CampaignMath.ConversionRate(new GroupTally()));
        Assert.Null(CampaignMath.Compare(new GroupTally { Audience = 10, Converted = 1 }, new GroupTally()));
        var fromZero = CampaignMath.Compare(new GroupTally { Audience = 10, Converted = 1 }, new GroupTally { Audience = 10 });
        Assert.NotNull(fromZero);
        Assert.Null(fromZero.Relative);
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
}
