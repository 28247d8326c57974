using System.Net;
using System.Net.Http.Json;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>The member page's benefits tab shows a priority booking (a benefit used) with its slot, beside the grants.</summary>
[Collection(MemberActionsConsoleHostCollection.Name)]
public sealed class ConsoleBenefitUseTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task ABookedPrioritySlotShowsOnTheMemberPageWithItsSlotInTheViewersZone()
    {
        var id = "CBU" + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync([new { eventId = id + "-o1", type = "purchase", memberId = id, occurredAt = ConsoleHostFixture.Now.AddDays(-1), orderId = "O1", amount = 5000m, regionId = "east" }]);
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        using var booked = await api.PostAsJsonAsync($"api/v1/members/{id}/benefits/priority-booking/bookings",
            new { bookingId = "cb-1", storeId = "S001", slotStart = ConsoleHostFixture.Now.AddDays(2), note = "fitting" }, ConsoleHostFixture.Json);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        await WaitForMemberZoneAsync(page); // the slot below is read once, in the viewer's zone
        await page.Locator(".mud-tab").Filter(new() { HasText = "Benefits" }).First.ClickAsync();
        var row = page.GetByTestId("benefit-booking:cb-1");
        await row.WaitForAsync(new() { Timeout = WaitMs });
        var cells = await row.Locator("td").AllInnerTextsAsync();
        Assert.Equal(("priority-booking", "used", "2026-03-12 12:00"), (cells[0], cells[1], cells[3]));
        Assert.Contains("fitting", cells[5], StringComparison.Ordinal);
    }
}
