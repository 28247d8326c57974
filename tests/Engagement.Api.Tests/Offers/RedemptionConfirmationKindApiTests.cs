using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// CONTRACT.md §2.1: a redemption sends the <c>redemption_confirmation</c> service touch. The message on the touch queue
/// (Azurite) carries that kind; the engine sent <c>redemption.confirmation</c>, which connectors keyed on the contract miss.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class RedemptionConfirmationKindApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task ARedeemedCouponPutsARedemptionConfirmationOfTheContractsKindOnTheTouchQueue()
    {
        var memberId = "CPK" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-kind", offerId = "kind", kind = "no_threshold", value = 5m, validDays = 14 }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
        using var till = host.Client(StoreKey);
        using var redeemed = await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem",
            new { redemptionId = "k-1", storeId = "S001", orderAmount = 50.00m }, Json);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);

        var queue = host.TouchQueueClient();
        var seen = new List<JsonElement>();
        var confirmation = await Poll.UntilAsync(async () =>
        {
            if (await queue.ExistsAsync())
            {
                foreach (var message in (await queue.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromMinutes(5))).Value)
                {
                    seen.Add(JsonDocument.Parse(message.Body.ToString()).RootElement.Clone());
                }
            }

            return seen.Where(t => t.GetProperty("memberId").GetString() == memberId && t.GetProperty("couponCode").GetString() == code).Select(t => (JsonElement?)t).FirstOrDefault();
        }, t => t is not null, seconds: 45);

        Assert.Equal("redemption_confirmation", confirmation!.Value.GetProperty("kind").GetString());
    }
}
