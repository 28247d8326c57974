using Engagement.Domain.Program;
using Engagement.Domain.Rfm;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Rfm;

public class RfmScorerTests
{
    private static readonly RfmOptions Defaults = new();

    [Theory]
    [InlineData(null, 1)]
    [InlineData(0, 5)]
    [InlineData(30, 5)]
    [InlineData(31, 4)]
    [InlineData(90, 4)]
    [InlineData(180, 3)]
    [InlineData(365, 2)]
    [InlineData(366, 1)]
    public void RecencyScoresByDaysSinceTheLastPurchase(int? days, int score) =>
        Assert.Equal(score, RfmScorer.RecencyScore(Defaults, days));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 3)]
    [InlineData(8, 4)]
    [InlineData(12, 5)]
    public void FrequencyScoresByPurchasesInTheWindow(int purchases, int score) =>
        Assert.Equal(score, RfmScorer.FrequencyScore(Defaults, purchases));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(499.99, 1)]
    [InlineData(500, 2)]
    [InlineData(2_000, 3)]
    [InlineData(5_000, 4)]
    [InlineData(10_000, 5)]
    public void MonetaryScoresByNetSpend(double spend, int score) =>
        Assert.Equal(score, RfmScorer.MonetaryScore(Defaults, (decimal)spend));

    [Theory]
    [InlineData(999.99, "C")]
    [InlineData(1_000, "B")]
    [InlineData(4_999.99, "B")]
    [InlineData(5_000, "A")]
    public void ValueClassFollowsMonetary(double spend, string valueClass) =>
        Assert.Equal(valueClass, RfmScorer.ValueClass(Defaults, (decimal)spend));

    [Theory]
    [InlineData(5, 5, 5, RfmSegments.Champions)]
    [InlineData(5, 4, 4, RfmSegments.Champions)]
    [InlineData(4, 5, 5, RfmSegments.Loyal)]
    [InlineData(3, 4, 4, RfmSegments.Loyal)]
    [InlineData(5, 2, 3, RfmSegments.PotentialLoyalist)]
    [InlineData(4, 3, 2, RfmSegments.PotentialLoyalist)]
    [InlineData(5, 1, 1, RfmSegments.New)]
    [InlineData(4, 1, 1, RfmSegments.Promising)]
    [InlineData(3, 3, 3, RfmSegments.NeedAttention)]
    [InlineData(3, 1, 2, RfmSegments.AboutToSleep)]
    [InlineData(2, 3, 4, RfmSegments.AtRisk)]
    [InlineData(1, 4, 4, RfmSegments.AtRisk)]
    [InlineData(2, 5, 5, RfmSegments.CannotLoseThem)]
    [InlineData(1, 5, 4, RfmSegments.CannotLoseThem)]
    [InlineData(2, 1, 2, RfmSegments.Hibernating)]
    [InlineData(1, 2, 2, RfmSegments.Hibernating)]
    [InlineData(1, 1, 1, RfmSegments.Lost)]
    public void SegmentFollowsTheRfmGrid(int r, int f, int m, string segment) =>
        Assert.Equal(segment, RfmScorer.Segment(r, f, m));

    [Fact]
    public void EveryScoreCombinationMapsToOneOfTheElevenSegments()
    {
        var names = typeof(RfmSegments).GetFields().Select(f => (string)f.GetValue(null)!).ToHashSet();
        var seen = new HashSet<string>();
        for (var r = 1; r <= 5; r++)
        {
            for (var f = 1; f <= 5; f++)
            {
                for (var m = 1; m <= 5; m++)
                {
                    seen.Add(RfmScorer.Segment(r, f, m));
                }
            }
        }

        Assert.Equal(11, names.Count);
        Assert.Subset(names, seen);
        Assert.Equal(names, seen);
    }

    [Fact]
    public void MemberScoresFromRetainedOrdersNetOfRefunds()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 1));
        for (var i = 0; i < 12; i++)
        {
            member.Now = TestMember.Shanghai(2025, 1, 1).AddDays(25 * i);
            member.Purchase("O-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1_000m);
        }

        member.Refund("O-11", 1_000m);
        member.Refund("O-10", 500m);
        member.Now = member.Now.AddDays(40);

        var rfm = member.Summary.Rfm;

        Assert.Equal(40, rfm.RecencyDays);
        Assert.Equal(11, rfm.Frequency);
        Assert.Equal(10_500m, rfm.Monetary);
        Assert.Equal("445", rfm.Score);
        Assert.Equal(RfmSegments.Loyal, rfm.Segment);
        Assert.Equal("A", rfm.ValueClass);
    }

    [Fact]
    public void PurchasesOlderThanTheWindowDoNotCountButRecencyStillDoes()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 1));
        member.Purchase("O-1", 3_000m);
        member.Now = TestMember.Shanghai(2026, 1, 2);

        var rfm = member.Summary.Rfm;

        Assert.Equal(366, rfm.RecencyDays);
        Assert.Equal(0, rfm.Frequency);
        Assert.Equal(0m, rfm.Monetary);
        Assert.Equal(RfmSegments.Lost, rfm.Segment);
        Assert.Equal("C", rfm.ValueClass);
    }

    [Fact]
    public void MemberWhoNeverBoughtIsNewAtFirstThenHibernating()
    {
        var member = new TestMember();
        member.Behave("register");

        var fresh = member.Summary.Rfm;
        member.Now = member.Now.AddDays(31);
        var later = member.Summary.Rfm;

        Assert.Equal((null, "111", RfmSegments.New, "C"), (fresh.RecencyDays, fresh.Score, fresh.Segment, fresh.ValueClass));
        Assert.Equal(RfmSegments.Hibernating, later.Segment);
    }

    [Fact]
    public void CutOffsAreConfigurable()
    {
        var options = new ProgramOptions();
        options.Rfm.Recency5MaxDays = 7;

        Assert.Equal(4, RfmScorer.RecencyScore(options.Rfm, 8));
    }
}
