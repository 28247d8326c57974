using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// Bounded, well-formed input over HTTP (issue 9 §4): bytes that are not UTF-8, lone surrogate escapes, bodies
/// over their limit and oversized fields are 400/413/422 problem details naming the field — never a 500.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class ApiInputTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string NewMember() => "I" + Guid.NewGuid().ToString("N")[..12];

    private string Login(string memberId, string eventId) =>
        $$"""{"eventId": "{{eventId}}", "type": "login", "memberId": "{{memberId}}", "occurredAt": "{{host.Clock.GetUtcNow().AddMinutes(-1):O}}"}""";

    private static ByteArrayContent JsonBytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private static ByteArrayContent JsonText(string text) => JsonBytes(Encoding.UTF8.GetBytes(text));

    /// <summary>The problem's status and the fields its <c>errors</c> name.</summary>
    private static async Task<(HttpStatusCode Status, JsonObject Errors)> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)response.StatusCode} {text}");
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)response.StatusCode, problem["status"]!.GetValue<int>());
        Assert.True(problem["errors"] is JsonObject, $"{(int)response.StatusCode} {text}");
        return (response.StatusCode, problem["errors"]!.AsObject());
    }

    private async Task<HttpResponseMessage> PostEventsAsync(HttpContent content)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        return await admin.PostAsync("api/v1/events", content);
    }

    [Fact]
    public async Task InvalidUtf8IsABadRequestNamingTheBodyAndItsByte()
    {
        var bytes = Encoding.UTF8.GetBytes(Login(NewMember(), "u-@"));
        var at = Array.IndexOf(bytes, (byte)'@');
        bytes[at] = 0xC3;

        using var response = await PostEventsAsync(JsonBytes(bytes));

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal($"not valid UTF-8 text (byte {at + 1}); send UTF-8", errors["body"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task ALoneSurrogateIsABadRequestNamingItsField()
    {
        using var response = await PostEventsAsync(JsonText(Login(NewMember(), "s-\\ud800")));

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("is not valid Unicode text", errors["eventId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALoneSurrogateInABatchIsNamedByIndexAndItsNeighbourIsApplied()
    {
        var id = NewMember();
        using var response = await PostEventsAsync(JsonText($"[{Login(id, "fine")}, {Login(id, "s-\\udfff")}]"));

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["[1].eventId"], errors.Select(e => e.Key));
        using var support = host.Client(ApiHostFixture.SupportKey);
        Assert.Equal(HttpStatusCode.OK, (await support.GetAsync($"api/v1/members/{id}")).StatusCode);
    }

    [Theory]
    [InlineData(31 * 1000 * 1000)]
    [InlineData(10 * 1024 * 1024)]
    [InlineData(4 * 1024 * 1024 + 1)]
    public async Task ABodyOverTheRequestLimitIs413NamingTheBody(int size)
    {
        var padding = new string('x', size);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/events")
        {
            Content = JsonText(Login(NewMember(), "big").Replace("}", $", \"pad\": \"{padding}\"}}", StringComparison.Ordinal)),
        };

        // What a well-behaved client of large uploads does: ask first, so the refusal arrives before the upload.
        request.Headers.ExpectContinue = true;
        using var response = await admin.SendAsync(request);

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.True(errors.ContainsKey("body"));
    }

    [Fact]
    public async Task OneEventOver64KbIs413LikeOnTheQueue()
    {
        var id = NewMember();
        using var response = await PostEventsAsync(JsonText(Login(id, "big").Replace("}", $", \"pad\": \"{new string('x', 65 * 1024)}\"}}", StringComparison.Ordinal)));

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("one event is at most 64 KB, the queue's own limit", errors["body"]![0]!.GetValue<string>());
        using var support = host.Client(ApiHostFixture.SupportKey);
        Assert.Equal(HttpStatusCode.NotFound, (await support.GetAsync($"api/v1/members/{id}")).StatusCode);
    }

    [Fact]
    public async Task AnEventOver64KbInABatchIsRefusedAloneAndTheOthersAreApplied()
    {
        var id = NewMember();
        var big = Login(NewMember(), "big").Replace("}", $", \"pad\": \"{new string('x', 65 * 1024)}\"}}", StringComparison.Ordinal);

        using var response = await PostEventsAsync(JsonText($"[{big}, {Login(id, "small")}]"));

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.StartsWith("larger than 64 KB", errors["[0].body"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        using var support = host.Client(ApiHostFixture.SupportKey);
        Assert.Equal(HttpStatusCode.OK, (await support.GetAsync($"api/v1/members/{id}")).StatusCode);
    }

    [Fact]
    public async Task ALoginCarryingCouponsIsRefusedNamingCouponsAndNothingOfItIsApplied()
    {
        var member = NewMember();
        var login = Login(member, member + "-login").Replace("}", ", \"coupons\": [\"A\"]}", StringComparison.Ordinal);

        using var response = await PostEventsAsync(JsonText(login));
        var (status, errors) = await ProblemAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("purchase only", errors["coupons"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var view = await admin.GetAsync($"api/v1/members/{member}");
        Assert.Equal(HttpStatusCode.NotFound, view.StatusCode);
    }

    [Fact]
    public async Task ASixtyThousandCharacterOrderIdIsRefusedNamingIt()
    {
        var id = NewMember();
        var purchase = new { eventId = id + "-p", type = "purchase", memberId = id, occurredAt = host.Clock.GetUtcNow().AddMinutes(-1), orderId = new string('o', 60_001), amount = 10m };
        using var admin = host.Client(ApiHostFixture.AdminKey);

        using var response = await admin.PostAsJsonAsync("api/v1/events", purchase, Json);

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("must be 1–128 characters", errors["orderId"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task MemberIdDotOrDotDotIsRefusedSinceNoUrlCouldReadIt(string memberId)
    {
        using var response = await PostEventsAsync(JsonText(Login(memberId, "dots-" + Guid.NewGuid().ToString("N"))));

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(errors.ContainsKey("memberId"));
    }

    public static TheoryData<string, string, string> JsonEndpoints() => new()
    {
        { "POST", "api/v1/members/{id}/redemptions", """{"redemptionId": "R-@", "points": 1}""" },
        { "PUT", "api/v1/members/{id}/consent", """{"sms@": false}""" },
        { "POST", "api/v1/campaigns", """{"id": "c-@", "name": "x"}""" },
        { "POST", "api/v1/campaigns/index/rebuild", """{"memberIds": ["M-@"]}""" },
    };

    private async Task<HttpResponseMessage> SendAsync(string method, string path, HttpContent content, bool expectContinue = false)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", NewMember(), StringComparison.Ordinal)) { Content = content };
        request.Headers.ExpectContinue = expectContinue;
        return await admin.SendAsync(request);
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task EveryJsonEndpointAnswersInvalidUtf8WithABadRequestProblem(string method, string path, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        bytes[Array.IndexOf(bytes, (byte)'@')] = 0xFF;

        using var response = await SendAsync(method, path, JsonBytes(bytes));

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(errors);
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task EveryJsonEndpointAnswersALoneSurrogateWithABadRequestProblem(string method, string path, string body)
    {
        using var response = await SendAsync(method, path, JsonText(body.Replace("@", "\\ud800", StringComparison.Ordinal)));

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotEmpty(errors);
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task EveryJsonEndpointAnswersABodyOver1MbWith413(string method, string path, string body)
    {
        var padded = body.Replace("{", $"{{\"pad\": \"{new string('x', 1024 * 1024)}\", ", StringComparison.Ordinal);

        // As a well-behaved client sends a large body: it waits for "100 Continue", so the server's early 413 is read
        // rather than racing the upload (without it a slow upload may meet the closed connection: broken pipe).
        using var response = await SendAsync(method, path, JsonText(padded), expectContinue: true);

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.True(errors.ContainsKey("body"));
    }

    [Fact]
    public async Task RedemptionFieldsAreBoundedToo()
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync(
            $"api/v1/members/{NewMember()}/redemptions",
            new { redemptionId = string.Concat(Enumerable.Repeat("😀", 129)), points = 1, cashAmount = 10_000_000.01m, rewardId = new string('r', 65) },
            Json);

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["cashAmount", "redemptionId", "rewardId"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AQueryValueOfTheWrongTypeIsABadRequestNamingIt()
    {
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var response = await support.GetAsync($"api/v1/members/{NewMember()}/ledger?limit=many");

        var (status, errors) = await ProblemAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(errors.ContainsKey("limit"), errors.ToJsonString());
    }

    [Fact]
    public void TheStrictReaderRefusesARepeatedKeyAtAnyDepth()
    {
        StrictJson.AssertNoDuplicateKeys("""{"status": 409, "errors": {"a": [1], "b": [{"x": 1}, {"x": 2}]}}"""u8.ToArray(), "fine");

        var top = Assert.Throws<JsonException>(() => StrictJson.AssertNoDuplicateKeys("""{"status": 409, "status": "insufficient_points"}"""u8.ToArray(), "409 body"));
        Assert.Contains("status", top.Message, StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => StrictJson.AssertNoDuplicateKeys("""{"a": [{"x": 1, "x": 2}]}"""u8.ToArray(), "nested"));
    }
}
