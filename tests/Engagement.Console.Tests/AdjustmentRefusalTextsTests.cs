using Engagement.Console.Resources;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>
/// The adjustment form's two 403s read differently: support repeating an admin's adjustment (API reason
/// <c>made_by_admin</c>) is told an admin made it, not that it is over support's daily limit.
/// </summary>
public sealed class AdjustmentRefusalTextsTests
{
    private static readonly IStringLocalizer<Strings> Text = Localizer<Strings>();

    [Theory]
    [InlineData("en-US", "An admin made this adjustment: only an admin key can send it again.", "More than 1000 for this member today needs an admin key.")]
    [InlineData("zh-CN", "该调整由管理员做出：只有管理员密钥可以再次提交。", "该会员今日调整超过 1000 需要管理员密钥。")]
    public void MadeByAnAdminIsItsOwnTextNotTheSupportLimit(string culture, string madeByAdmin, string needsAdmin) => InCulture(culture, () =>
    {
        Assert.Equal(madeByAdmin, Text["Adjust_MadeByAdmin"].Value);
        Assert.Equal(needsAdmin, Text["Adjust_NeedsAdmin", 1000L].Value);
    });
}
