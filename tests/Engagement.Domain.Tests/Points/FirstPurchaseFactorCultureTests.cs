using System.Globalization;
using Engagement.Domain.Ledger;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// A ledger reason's first-purchase factor is written in the invariant culture whatever the host's: the console reads
/// it back as <c>×[0-9.]+</c>, so a de-DE silo storing "first purchase ×1,5" left a reason it could not read.
/// </summary>
public sealed class FirstPurchaseFactorCultureTests
{
    [Fact]
    public void OnAGermanHostAFactorOfOneAndAHalfIsStoredWithAPoint()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var member = new TestMember();
            member.Options.FirstPurchaseMultiplier = 1.5m;

            var decision = member.Purchase("O-1", 100m);

            var earned = Assert.Single(decision.NewEntries, e => e.Kind == LedgerKinds.Points);
            Assert.Equal(150, earned.Delta);
            Assert.Equal("purchase O-1 of 100.00 CNY at V1 ×1.0, first purchase ×1.5", earned.Reason);
            Assert.Equal("at V1 ×1.0, first purchase ×1.5", EarningPolicy.Describe(new EarningPolicy.Earning(150, "V1", 1m, true, 1.5m)));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
