using Engagement.Api.Audience;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Search;
using Engagement.Domain.Campaigns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The create form warns, beside Create, when the campaign's control group will be empty (an exact split that holds
/// nobody out; from a sampled index, under one member expected): every arm's uplift would then be null. The warning
/// never blocks Create.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleCampaignControlWarningTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task FourMembersAtTheDefaultControlShareAreWarnedAboutOnlyWhenTheSplitHoldsNobodyOut(int heldOut, bool warned)
    {
        // Four members in a region of their own, none in the global control: at controlShare 0.1, 0.4 members expected in
        // the control group. The whole index is read, so the split's count decides: the campaign id is picked so that the
        // split (the domain's own CampaignAssignment) holds out exactly `heldOut` of them.
        var region = "cw" + Guid.NewGuid().ToString("N")[..8];
        var globalPercent = host.Services.GetRequiredService<IAudienceIndex>().GlobalControlPercent;
        var members = Enumerable.Range(0, 100).Select(i => $"{region}-{i}").Where(m => !CampaignAssignment.IsGlobalControl(m, globalPercent)).Take(4).ToList();
        var id = Enumerable.Range(0, 1000).Select(i => $"cw-{region}-{i}")
            .First(c => members.Count(m => CampaignAssignment.Assign(c, m, CampaignDefinitions.DefaultControlShare, [1.0]) < 0) == heldOut);
        var at = host.Clock.GetUtcNow().AddDays(-10);
        await host.PostEventsAsync(members.Select(m => (object)new { eventId = $"{m}-r", type = "register", memberId = m, occurredAt = at, regionId = region }));
        await IndexedAsync(region, 4);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");
        var create = page.GetByTestId("campaign-create");
        // The button's top in page coordinates: filling a field scrolls the page, which moves every viewport box.
        const string PageTop = "e => e.getBoundingClientRect().top + window.scrollY";
        await Assertions.Expect(create).ToBeVisibleAsync(new() { Timeout = WaitMs }); // measured once laid out, not before
        var before = await create.EvaluateAsync<double>(PageTop);
        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Four members");
        await Input(page, "f-coupon").FillAsync("CW5");
        await Input(page, "f-regions").FillAsync(region);
        await Input(page, "f-regions").PressAsync("Tab");

        // The estimate is in once the control line names the split's count.
        await Assertions.Expect(page.GetByTestId("create-audience-control")).ToContainTextAsync(heldOut == 1 ? "Control group: 1 member (expected 0.4" : $"Control group: {heldOut} members (expected 0.4", new() { Timeout = WaitMs });
        Assert.Contains("4 members match", await page.GetByTestId("create-audience-members").InnerTextAsync(), StringComparison.Ordinal);
        var warning = page.GetByTestId("create-control-warning");
        if (warned)
        {
            await Assertions.Expect(warning).ToContainTextAsync("The control group will be empty: 0.4 expected, 0 assigned", new() { Timeout = WaitMs });
            await ScreenshotAsync(page, "campaign-create-control-warning");
        }
        else
        {
            Assert.Equal(0, await warning.CountAsync());
        }

        // The estimate (two lines and maybe a warning where the hint was) did not move Create: a click as it lands
        // still hits the button (above it, the estimate pushed Create down and such a click missed).
        Assert.Equal(before, await create.EvaluateAsync<double>(PageTop));

        // A warning, not a block: Create creates it.
        Assert.True(await create.IsEnabledAsync());
        await create.ClickAsync();
        await ExpectUrlEndsWithAsync(page, $"/console/campaigns/{id}");
    }

    // The member index answers for the region's members (registrations reach it after the members apply them).
    private async Task IndexedAsync(string region, long members)
    {
        var estimator = host.Services.GetRequiredService<AudienceEstimator>();
        var definition = new CampaignDefinition
        {
            Id = "probe-" + region,
            Name = "probe",
            Kind = CampaignKinds.Broadcast,
            Channel = "push",
            Audience = new CampaignAudience { Regions = [region] },
            Arms = [new CampaignArm { Name = "a", Weight = 1 }],
        };
        await Eventually.ReturnsAsync(
            async () => (await estimator.EstimateAsync(definition)).Members,
            indexed => indexed == members,
            WaitTime,
            $"the member index holding the {members} members of {region} (members estimated)");
    }
}
