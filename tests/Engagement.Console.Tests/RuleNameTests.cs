using System.Reflection;
using Engagement.Console.Resources;
using Engagement.Console.Services;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Points;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>
/// Every rule id the domain writes to a member's ledger has a name on the member page, in English and in Chinese, so
/// support never reads a bare <c>growth.login.correction</c> where the other rows are worded.
/// </summary>
public sealed class RuleNameTests
{
    private static readonly IStringLocalizer<Strings> Rules = Localizer<Strings>();
    private static readonly IStringLocalizer<RecordStrings> Records = Localizer<RecordStrings>();

    /// <summary>The ledger's rule ids as the domain owns them: its constants, and behaviour growth and its corrections for every behaviour type.</summary>
    public static TheoryData<string, string> EveryRuleInBothLanguages()
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var owner in new[] { typeof(RuleIds), typeof(AdjustmentPolicy), typeof(OfferFulfilment), typeof(CouponReissues), typeof(MemberCoupons) })
        {
            foreach (var field in owner.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
            {
                var value = (string)field.GetRawConstantValue()!;
                if (owner == typeof(RuleIds) || field.Name.EndsWith("Rule", StringComparison.Ordinal))
                {
                    ids.Add(value);
                }
            }
        }

        foreach (var type in MemberEventTypes.Behaviour)
        {
            ids.Add(RuleIds.GrowthFor(type));
            ids.Add(RuleIds.CorrectionOf(RuleIds.GrowthFor(type)));
        }

        Assert.Contains("coupon.double-use", ids);
        Assert.Contains("growth.login.correction", ids);
        var data = new TheoryData<string, string>();
        foreach (var id in ids)
        {
            data.Add("en", id);
            data.Add("zh-CN", id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryRuleInBothLanguages))]
    public void EveryRuleTheDomainWritesHasANameInTheViewersLanguage(string culture, string ruleId) => InCulture(culture, () =>
    {
        var name = RecordTexts.RuleName(Rules, Records, ruleId, "e1");

        Assert.False(string.IsNullOrEmpty(name), $"{ruleId} has no name in {culture}");
        Assert.DoesNotContain(ruleId, name, StringComparison.Ordinal);
        Assert.Equal(culture == "zh-CN", name!.Any(c => c >= '\u4e00' && c <= '\u9fff'));
    });

    [Theory]
    [InlineData("en", "growth.login.correction", "Daily login: growth within the daily cap (corrected for a late event)")]
    [InlineData("zh-CN", "growth.login.correction", "每日登录：上限内获得成长值（因迟到事件更正）")]
    [InlineData("en", "growth.browse", "Growth for browse within the daily cap")]
    [InlineData("en", "points.something-new", null)]
    public void ACorrectionNamesTheRuleItCorrectsAndAnUnknownRuleHasNoName(string culture, string ruleId, string? shown) =>
        InCulture(culture, () => Assert.Equal(shown, RecordTexts.RuleName(Rules, Records, ruleId, null)));
}
