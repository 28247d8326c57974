using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Contracts.Events;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// JSON that cannot be parsed is told the same on the queue and over HTTP: where, counted from 1, and the cause. The queue
/// said "malformed JSON (line 1, byte 17)" with no cause and HTTP "… BytePositionInLine: 16." counted from 0.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class MalformedJsonApiTests(ApiHostFixture host)
{
    [Fact]
    public async Task MalformedJsonIsToldAsTheQueueTellsItWithTheCauseCountedFromOne()
    {
        const string Body = """{"eventId": "x",}""";
        using var response = await host.PostJsonTextAsync("api/v1/events", Body);

        var queue = Assert.Single(EventParser.Parse(Body, host.Clock.GetUtcNow()).Errors);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var http = (await response.Content.ReadFromJsonAsync<JsonObject>(EventsApi.Json))!["errors"]!["body"]![0]!.GetValue<string>();
        Assert.Equal(queue.Message, http);
        Assert.StartsWith("malformed JSON (line 1, byte 17, both counted from 1): ", http, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", http, StringComparison.Ordinal);
        Assert.True(http.Length > "malformed JSON (line 1, byte 17, both counted from 1): ".Length);
    }
}
