using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// docs/publishing-events.md: a value a refusal quotes from the event is masked as refused text is; a phone number or a
/// coupon code a POS sends as the <c>currency</c> is answered by its shape, never echoed as sent.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class CurrencyEchoApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData("13800138000", "'###########' is not accepted: use CNY (ISO 4217, upper case)")]
    [InlineData("ABCD-EFGH-JKLM-NPQR", "'XXXX-XXXX-XXXX-XXXX' is not accepted: use CNY (ISO 4217, upper case)")]
    public async Task ACurrencyThatIsAPhoneNumberOrACouponCodeIsRefusedNamingCurrencyAndMasked(string currency, string message)
    {
        var memberId = "CE" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        var body = $$"""{"eventId":"{{memberId}}-c","type":"purchase","memberId":"{{memberId}}","occurredAt":"{{at}}","orderId":"O-1","amount":10,"currency":"{{currency}}"}""";

        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync("api/v1/events", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var problem = JsonSerializer.Deserialize<JsonObject>(text, Json)!;
        Assert.Equal(message, problem["errors"]!["currency"]![0]!.GetValue<string>());
        Assert.DoesNotContain(currency, text, StringComparison.Ordinal);
    }
}
