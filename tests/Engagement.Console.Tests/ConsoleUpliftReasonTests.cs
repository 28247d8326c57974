using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>A campaign page with no uplift to show says why, in the viewer's language: here, the control group is empty.</summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsoleUpliftReasonTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Theory]
    [InlineData("en-US", "the control group is empty", "no conversions")]
    [InlineData("zh-CN", "对照组为空", "尚无转化")]
    public async Task AnEmptyControlGroupIsTheReasonGivenForNoUpliftNotMissingConversions(string locale, string reason, string wrongReason)
    {
        // The newcomer of docs/campaigns.md ("A control group too small to judge"): a small audience whose control share held nobody out, and two purchases since.
        var (id, results) = await CampaignResultsSetup.RunAsync(host, "nc", members: 16, controlShare: 0, everyNth: 5, buyers: 2);
        Assert.Equal(0, results["control"]!["audience"]!.GetValue<long>());
        Assert.All(results["arms"]!.AsArray(), arm => Assert.Null(arm!["uplift"]));

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey, locale);
        await GoAsync(page, $"console/campaigns/{id}");
        var missing = page.GetByTestId("uplift-missing");
        await Assertions.Expect(missing.First).ToBeVisibleAsync(new() { Timeout = WaitMs });
        var text = string.Join("\n", await missing.AllInnerTextsAsync());
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongReason, text, StringComparison.OrdinalIgnoreCase);
    }
}
