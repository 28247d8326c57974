using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;

namespace Engagement.Azure.Tests.Offers;

/// <summary>
/// <c>PUT /members/{id}/consent</c> answers with the member's live view (docs/http-api.md): that view is the same one
/// <c>GET /members/{id}</c> gives, coupons and benefit grants included, so a support agent who changes a channel does
/// not see the member's coupons vanish from the answer.
/// </summary>
[Collection(MemberQueueCollection.Name)]
public sealed class ConsentViewTests(MemberQueueCluster cluster)
{
    [Fact]
    public async Task TheViewAConsentChangeAnswersWithListsTheMembersCoupons()
    {
        var memberId = Azurite.UniqueName("m");
        var member = cluster.Client.GetGrain<IMemberGrain>(memberId);
        await member.ApplyEventAsync(new EngagementEvent { EventId = "reg-" + memberId, Type = EventTypes.Register, MemberId = memberId, OccurredAt = Wire.Now });
        var issued = await member.IssueCouponAsync(new CouponGrant { GrantId = "goodwill:1", Kind = "no_threshold", Value = 20m, ValidDays = 14 });

        var answered = await member.SetConsentAsync(new Dictionary<string, bool> { ["sms"] = false });

        Assert.Equal([issued.Coupon!.Code], answered!.Coupons.Select(c => c.Code));
        Assert.Equal((await member.GetViewAsync())!.Coupons.Select(c => c.Code), answered.Coupons.Select(c => c.Code));
        Assert.Contains("sms", answered.Caps.OptedOutChannels);
    }
}
