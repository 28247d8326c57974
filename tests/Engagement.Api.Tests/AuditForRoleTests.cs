using Engagement.Api.Security;
using Engagement.Api.Support;
using Engagement.Contracts.Audit;

namespace Engagement.Api.Tests;

/// <summary>
/// What non-admin roles read of the audit: the fields the engine writes (id, target, detail) hold a code only in its
/// canonical upper-case form and are masked for that form alone; the reason, typed by a person, in every form.
/// </summary>
public sealed class AuditForRoleTests
{
    [Fact]
    public void EngineWrittenIdsAndNamesThatLookLikeATypedCodeStayAsWrittenAndCanonicalCodesInThemAreMasked()
    {
        var entries = new[]
        {
            new AuditEntry
            {
                AuditId = "campaign.trigger|spend-and-get-extra", At = DateTimeOffset.UnixEpoch, Actor = "Li Na", Role = "support",
                Action = "campaign.trigger", Target = "spend-and-get-extra", Detail = "broadcast to a3f5e8c2d7b94e6f and 9 more",
            },
            new AuditEntry
            {
                AuditId = "coupon-reissue|a3f5e8c2d7b94e6f|QEGQZ8UEMQZCKS86", At = DateTimeOffset.UnixEpoch, Actor = "Li Na", Role = "support",
                Action = "coupon.reissue", Target = "a3f5e8c2d7b94e6f", Detail = "coupon QEGQZ8UEMQZCKS86 reissued",
                Reason = "member read out qegq z8ue mqzc ks86 at the till",
            },
        };

        var shown = AuditForRole.Shown(entries, ApiRoles.Support);

        Assert.Equal("campaign.trigger|spend-and-get-extra", shown[0].AuditId);
        Assert.Equal("spend-and-get-extra", shown[0].Target);
        Assert.Equal("broadcast to a3f5e8c2d7b94e6f and 9 more", shown[0].Detail);
        Assert.Equal("coupon-reissue|a3f5e8c2d7b94e6f|…KS86", shown[1].AuditId);
        Assert.Equal("a3f5e8c2d7b94e6f", shown[1].Target);
        Assert.Equal("coupon …KS86 reissued", shown[1].Detail);
        Assert.Equal("member read out …KS86 at the till", shown[1].Reason); // typed text: every form a code may be typed in
        Assert.Same(entries, AuditForRole.Shown(entries, ApiRoles.Admin));
    }
}
