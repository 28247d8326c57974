using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>Pages that count days count the programme's local days (Asia/Shanghai), also when UTC is still on the day before.</summary>
[Collection(EveningConsoleHostCollection.Name)]
public sealed class ConsoleLocalDayTests(EveningConsoleHostFixture host)
{
    [Fact]
    public async Task TheWinBackReportEndsOnTheProgrammesLocalDayAsTheApiDoes()
    {
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        var report = await api.GetFromJsonAsync<JsonObject>("api/v1/reports/winback", ConsoleHostFixture.Json);
        Assert.Equal("2026-03-11", report!["to"]!.GetValue<string>());

        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/operations");
        var title = page.GetByTestId("winback-report").Locator("h6").First;
        Assert.Equal("Win-back report 2025-12-12 – 2026-03-11", (await title.InnerTextAsync()).Trim());
    }
}
