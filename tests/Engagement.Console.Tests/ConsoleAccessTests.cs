using System.Net;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>Who may open which console page: the same roles the API asks for the page's data.</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleAccessTests(ConsoleHostFixture host)
{
    [Fact]
    public async Task AStoreKeyReadsNoProgrammeHealthInTheConsoleAsTheApiRefusesIt()
    {
        // The API refuses the store key programme health and reports.
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.StoreKey);
        using (var health = await api.GetAsync("api/v1/programme/health"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, health.StatusCode);
        }

        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.StoreKey);
        Assert.Equal(0, await page.GetByTestId("nav-programme").CountAsync());
        Assert.Equal(0, await page.GetByTestId("nav-operations").CountAsync());
        Assert.Equal(0, await page.GetByTestId("home-operations").CountAsync());

        foreach (var path in new[] { "console/programme", "console/operations" })
        {
            await page.GotoAsync(path);
            await page.WaitForURLAsync("**/console/denied**", new() { Timeout = WaitMs });
            Assert.Contains("Not allowed", await page.ContentAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await page.GetByTestId("programme-how-counted").CountAsync());
        }
    }
}
