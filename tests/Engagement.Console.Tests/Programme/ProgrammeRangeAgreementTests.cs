using System.Globalization;
using System.Net;
using Engagement.Api.Programme;
using Engagement.Console.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests.Programme;

/// <summary>
/// The programme page refuses exactly the ranges <c>GET /programme/health</c> refuses: each bound's last day in and first
/// day out, asked of the API (400 or 200) and of the console's reading of a link (<see cref="ProgrammeRange.Parse"/>, with
/// the same today and latest day, <see cref="ProgrammeViews"/>); one of each is also opened in the browser.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ProgrammeRangeAgreementTests(ConsoleHostFixture host)
{
    [Theory]
    [InlineData("earliest", -1, 10, false)]
    [InlineData("earliest", 0, ProgrammeEndpoints.MaxDays - 1, true)]
    [InlineData("earliest", 0, ProgrammeEndpoints.MaxDays, false)]
    [InlineData("today", -(ProgrammeEndpoints.MaxDays - 1), 0, false)]
    [InlineData("today", -ProgrammeEndpoints.MaxDays, 0, false)]
    [InlineData("today", 0, -1, true)]
    [InlineData("latest", 0, 0, false)]
    [InlineData("latest", -3, 1, false)]
    [InlineData("latest", 1, 1, false)]
    public async Task TheConsoleRefusesARangeExactlyWhenTheApiDoes(string anchor, int fromOffset, int toOffset, bool browse)
    {
        var views = host.Services.GetRequiredService<ProgrammeViews>();
        var now = host.Clock.GetUtcNow();
        var (today, latest) = (views.Today(now, null), views.LatestDay(now, null));
        var day = anchor switch { "earliest" => ProgrammeEndpoints.EarliestDay, "today" => today, _ => latest };
        var (from, to) = (Text(day.AddDays(fromOffset)), Text(day.AddDays(toOffset)));

        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.SupportKey);
        using var answer = await api.GetAsync($"api/v1/programme/health?from={from}&to={to}");
        Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{from} – {to}: {answer.StatusCode}");
        var apiAccepts = answer.StatusCode == HttpStatusCode.OK;

        var (shown, problem) = ProgrammeRange.Parse(null, from, to, today, latest);
        Assert.True(apiAccepts == (problem == ProgrammeRangeProblem.None), $"{from} – {to}: the API answered {(int)answer.StatusCode}, the console read {problem}");
        if (apiAccepts)
        {
            Assert.Equal((from, to), (Text(shown.From), Text(shown.To)));
        }

        if (browse)
        {
            var page = await host.NewPageAsync();
            await SignInAsync(page, ConsoleHostFixture.SupportKey);
            await GoAsync(page, $"console/programme?from={from}&to={to}");
            if (apiAccepts)
            {
                await Assertions.Expect(page.GetByTestId("programme-range-shown")).ToContainTextAsync($"{from} – {to}", new() { Timeout = WaitMs });
                Assert.Equal(0, await page.GetByTestId("programme-range-link-invalid").CountAsync());
            }
            else
            {
                await Assertions.Expect(page.GetByTestId("programme-range-link-invalid")).ToBeVisibleAsync(new() { Timeout = WaitMs });
                Assert.DoesNotContain($"{from} – {to}", await page.GetByTestId("programme-range-shown").InnerTextAsync(), StringComparison.Ordinal);
            }
        }
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
