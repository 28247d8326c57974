using System.Globalization;
using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

public sealed class CampaignAssignmentTests
{
    private static readonly string[] Members = [.. Enumerable.Range(0, 20_000).Select(i => "M" + i.ToString("D6", CultureInfo.InvariantCulture))];

    [Fact]
    public void Fnv1aMatchesTheContractVectors()
    {
        Assert.Equal(2166136261u, StableHash.Fnv1a32(""));
        Assert.Equal(3826002220u, StableHash.Fnv1a32("a"));
        Assert.Equal(3214735720u, StableHash.Fnv1a32("foobar"));
    }

    [Fact]
    public void Fnv1aHashesTheSameUtf8BytesFromTheStackAndAllocatesNothingForAMemberId()
    {
        // Byte for byte what hashing Encoding.UTF8.GetBytes(value) gives: multi-byte characters, a lone surrogate (encoded
        // as U+FFFD), and strings past the 512-byte stack buffer. A member id's hash made a byte array per call before.
        static uint Reference(string value)
        {
            var hash = 2166136261u;
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(value))
            {
                hash = unchecked((hash ^ b) * 16777619u);
            }

            return hash;
        }

        foreach (var value in new[] { "M000123", "é", "会员-张三", "a\ud800b", "😀", new string('x', 170), new string('会', 171), new string('x', 10_000) })
        {
            Assert.Equal(Reference(value), StableHash.Fnv1a32(value));
        }

        Assert.Equal(0L, AllocationProbe.FewestBytes(() => StableHash.Fnv1a32("M000123"), enough: 0));
    }

    [Fact]
    public void GlobalControlIsTheStableBucketBelowThePercent()
    {
        foreach (var id in Members.Take(500))
        {
            var expected = StableHash.Fnv1a32("global:" + id) % 100 < 5;
            Assert.Equal(expected, CampaignAssignment.IsGlobalControl(id, 5));
            Assert.Equal(CampaignAssignment.IsGlobalControl(id, 5), CampaignAssignment.IsGlobalControl(id, 5));
        }

        Assert.DoesNotContain(Members, id => CampaignAssignment.IsGlobalControl(id, 0));
        var share = Members.Count(id => CampaignAssignment.IsGlobalControl(id, 10)) / (double)Members.Length;
        Assert.InRange(share, 0.085, 0.115);

        // Buckets nest: raising the percent only adds members.
        Assert.All(Members.Where(id => CampaignAssignment.IsGlobalControl(id, 5)), id => Assert.True(CampaignAssignment.IsGlobalControl(id, 10)));
    }

    [Fact]
    public void ControlShareAndArmWeightsAreHonouredAndAssignmentIsStable()
    {
        var counts = new int[3];
        var control = 0;
        foreach (var id in Members)
        {
            var arm = CampaignAssignment.Assign("spring", id, 0.2, [1, 1, 2]);
            Assert.Equal(arm, CampaignAssignment.Assign("spring", id, 0.2, [1, 1, 2]));
            if (arm < 0)
            {
                control++;
            }
            else
            {
                counts[arm]++;
            }
        }

        var n = (double)Members.Length;
        Assert.InRange(control / n, 0.19, 0.21);
        Assert.InRange(counts[0] / n, 0.19, 0.21);
        Assert.InRange(counts[1] / n, 0.19, 0.21);
        Assert.InRange(counts[2] / n, 0.39, 0.41);
    }

    [Fact]
    public void AssignmentsOfTwoCampaignsAreIndependent()
    {
        var bothControl = Members.Count(id => CampaignAssignment.Assign("a", id, 0.1, [1]) < 0 && CampaignAssignment.Assign("b", id, 0.1, [1]) < 0);
        Assert.InRange(bothControl / (double)Members.Length, 0.005, 0.015);
    }

    [Fact]
    public void NoControlShareMeansEveryoneIsInAnArm()
    {
        Assert.All(Members.Take(1000), id => Assert.True(CampaignAssignment.Assign("c", id, 0, [1]) >= 0));
    }
}
