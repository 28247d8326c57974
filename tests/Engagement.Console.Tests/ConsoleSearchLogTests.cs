using Microsoft.Playwright;
using Serilog.Events;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>A search that fails is logged without the query: it may be a member's phone number (personal data).</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleSearchLogTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task ASearchForAPhoneWhoseIndexReadFailsLogsTheFaultAndTheQuerysKindNeverThePhone()
    {
        // A fresh 11-digit mobile number, so no other test's log can hold it.
        var phone = "139" + Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/members");
        var before = host.Logs.Events.Count;

        // What the Azure SDK throws when the index table is busy: its message carries the request URI and its filter.
        host.Search.FailNext(phone, _ => new global::Azure.RequestFailedException(
            503,
            $"Service request failed.\nStatus: 503 (Server Busy)\n\nGET http://127.0.0.1:10002/devstoreaccount1/memberindex()?$filter=PartitionKey%20eq%20'phone'%20and%20RowKey%20eq%20'{phone}'",
            "ServerBusy",
            null));
        await Input(page, "member-search").FillAsync(phone);
        await Assertions.Expect(page.GetByTestId("search-failed")).ToBeVisibleAsync(new() { Timeout = WaitMs });

        // The page's warning names the fault, its status and the query's kind and length. The page logs it before it
        // renders "search-failed", so it is there now.
        var warning = host.Logs.Events.Skip(before).FirstOrDefault(e =>
            e.Level == LogEventLevel.Warning && e.Properties.TryGetValue("SourceContext", out var source)
            && source.ToString().Contains("Pages.Members", StringComparison.Ordinal));

        Assert.NotNull(warning);
        Assert.Null(warning.Exception);
        Assert.Equal("\"RequestFailedException\"", warning.Properties["Fault"].ToString());
        Assert.Equal("503", warning.Properties["Status"].ToString());
        Assert.Equal("\"phone\"", warning.Properties["QueryKind"].ToString());
        Assert.Equal("11", warning.Properties["QueryLength"].ToString());

        // Nothing the host logged since carries the phone: no message, no property, no exception.
        Assert.DoesNotContain(host.Logs.Events.Skip(before), e => CapturedLogEvents.Text(e).Contains(phone, StringComparison.Ordinal));
    }
}
