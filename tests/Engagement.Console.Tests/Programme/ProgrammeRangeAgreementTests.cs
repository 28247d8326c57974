using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Api.Programme;
using Engagement.Console.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests.Programme;

/// <summary>
/// The programme page refuses exactly the ranges <c>GET /programme/health</c> refuses: each bound's last day in and first
/// day out, asked of the API (400 or 200) and of the console's reading of a link (<see cref="ProgrammeRange.Parse"/>, with
/// the same today and latest day, <see cref="ProgrammeViews"/>), and a link that leaves out <c>from</c>, <c>to</c> or
/// both, read with the API's defaults; one of each is also opened in the browser.
/// </summary>
[Collection(ProgrammeConsoleHostCollection.Name)]
public sealed class ProgrammeRangeAgreementTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

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
    // A missing bound is the API's default (to: today; from: the 30th day back from to, not before the earliest day):
    // the console reads a link without it as the API reads the request, and shows the range the API answers for.
    [InlineData("today", null, 0, true)]
    [InlineData("latest", null, 0, false)]
    [InlineData("latest", null, 1, false)]
    [InlineData("earliest", null, 0, false)]
    [InlineData("earliest", null, -1, false)]
    [InlineData("today", 0, null, false)]
    [InlineData("today", 1, null, true)]
    [InlineData("today", -(ProgrammeEndpoints.MaxDays - 1), null, false)]
    [InlineData("today", -ProgrammeEndpoints.MaxDays, null, false)]
    [InlineData("earliest", -1, null, false)]
    [InlineData("today", null, null, false)]
    public async Task TheConsoleRefusesARangeExactlyWhenTheApiDoes(string anchor, int? fromOffset, int? toOffset, bool browse)
    {
        var views = host.Services.GetRequiredService<ProgrammeViews>();
        var now = host.Clock.GetUtcNow();
        var (today, latest) = (views.Today(now, null), views.LatestDay(now, null));
        var day = anchor switch { "earliest" => ProgrammeEndpoints.EarliestDay, "today" => today, _ => latest };
        var (from, to) = (fromOffset is { } f ? Text(day.AddDays(f)) : null, toOffset is { } t ? Text(day.AddDays(t)) : null);
        var query = string.Join("&", new[] { ("from", from), ("to", to) }.Where(q => q.Item2 is not null).Select(q => $"{q.Item1}={q.Item2}"));
        var asked = $"{from ?? "(no from)"} – {to ?? "(no to)"}";

        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.SupportKey);
        using var answer = await api.GetAsync($"api/v1/programme/health?{query}");
        Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{asked}: {answer.StatusCode}");
        var apiAccepts = answer.StatusCode == HttpStatusCode.OK;

        var (shown, problem) = ProgrammeRange.Parse(null, from, to, today, latest);
        Assert.True(apiAccepts == (problem == ProgrammeRangeProblem.None), $"{asked}: the API answered {(int)answer.StatusCode}, the console read {problem}");
        var range = "";
        if (apiAccepts)
        {
            // The range the API answered for, its defaults filled in, is the one the console shows.
            var report = (await answer.Content.ReadFromJsonAsync<JsonObject>(ConsoleHostFixture.Json))!;
            var answered = (report["from"]!.GetValue<string>(), report["to"]!.GetValue<string>());
            Assert.Equal((from ?? answered.Item1, to ?? answered.Item2), answered);
            Assert.Equal(answered, (Text(shown.From), Text(shown.To)));
            range = $"{answered.Item1} – {answered.Item2}";
        }

        if (browse)
        {
            var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
            await GoAsync(page, $"console/programme?{query}");
            if (apiAccepts)
            {
                await Assertions.Expect(page.GetByTestId("programme-range-shown")).ToContainTextAsync(range, new() { Timeout = WaitMs });
                Assert.Equal(0, await page.GetByTestId("programme-range-link-invalid").CountAsync());
            }
            else
            {
                await Assertions.Expect(page.GetByTestId("programme-range-link-invalid")).ToBeVisibleAsync(new() { Timeout = WaitMs });
                if (from is not null && to is not null)
                {
                    Assert.DoesNotContain($"{from} – {to}", await page.GetByTestId("programme-range-shown").InnerTextAsync(), StringComparison.Ordinal);
                }
            }
        }
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
