using Engagement.Api.Audience;
using Engagement.Contracts.Campaigns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The create form warns, before Create, when the campaign's control group will be empty (audience × controlShare under
/// one member, or a split that holds nobody out): every arm's uplift would then be null. The warning never blocks Create.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleCampaignControlWarningTests(ConsoleHostFixture host)
{
    [Fact]
    public async Task ASmallAudienceAtTheDefaultControlShareIsWarnedAboutAndCanStillBeCreated()
    {
        // Four members in a region of their own: at controlShare 0.1, 0.4 members expected in the control group.
        var region = "cw" + Guid.NewGuid().ToString("N")[..8];
        var at = host.Clock.GetUtcNow().AddDays(-10);
        await host.PostEventsAsync(Enumerable.Range(0, 4).Select(i => (object)new { eventId = $"{region}-{i}-r", type = "register", memberId = $"{region}-{i}", occurredAt = at, regionId = region }));
        await IndexedAsync(region, 4);

        var id = "cw-" + region;
        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");
        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Four members, no control");
        await Input(page, "f-coupon").FillAsync("CW5");
        await Input(page, "f-regions").FillAsync(region);
        await Input(page, "f-regions").PressAsync("Tab");

        var warning = page.GetByTestId("create-control-warning");
        await Assertions.Expect(warning).ToContainTextAsync("The control group will be empty", new() { Timeout = WaitMs });
        Assert.Contains("0.4 expected", await warning.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("4 members match", await page.GetByTestId("create-audience-members").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "campaign-create-control-warning");

        // A warning, not a block: Create creates it.
        Assert.True(await page.GetByTestId("campaign-create").IsEnabledAsync());
        await page.GetByTestId("campaign-create").ClickAsync();
        await page.WaitForURLAsync($"**/console/campaigns/{id}", new() { Timeout = WaitMs });
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
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await estimator.EstimateAsync(definition)).Members != members)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the member index never held the {members} members of {region}");
            await Task.Yield();
        }
    }
}
