using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Engagement.Api.Problems;

namespace Engagement.Api.Tests;

/// <summary>
/// A campaign definition's every bad field is named in one answer (docs/campaigns.md); an audience that names a tier
/// the programme does not have, or a region that is not a region id, is refused rather than reaching nobody.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class CampaignFieldApiTests(ApiHostFixture host)
{
    private string Definition(string id, string audience, string validFrom, string arms)
    {
        var until = host.Clock.GetUtcNow().AddDays(7).ToString("O", CultureInfo.InvariantCulture);
        return $$"""
            {"id":"{{id}}","name":"Fields {{id}}","kind":"broadcast","audience":{{audience}},
             "offer":{"kind":"coupon","code":"F5","unitCost":5},"channel":"push",
             "validFrom":{{validFrom}},"validUntil":"{{until}}","arms":{{arms}}}
            """;
    }

    private async Task<(HttpStatusCode Status, JsonObject? Errors)> CreateAsync(string json)
    {
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        using var response = await marketing.PostAsync("api/v1/campaigns", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!["errors"]?.AsObject());
    }

    private static string NewId() => "fld-" + Guid.NewGuid().ToString("N")[..8];

    private string From => "\"" + host.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) + "\"";

    [Fact]
    public async Task AnUnknownTierAndAMalformedRegionAreNamed()
    {
        // A region keeps the events' regionId rule (East Coast! and 华东 are regions); 65 code points are not one.
        var (status, errors) = await CreateAsync(Definition(
            NewId(), $$"""{"tiers":["V2","V9"],"regions":["East Coast!","{{new string('r', 65)}}","华东"]}""", From, """[{"name":"a","weight":1}]"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["audience.regions[1]", "audience.tiers[1]"], errors!.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ADateWithoutOffsetIsNamedWithEveryOtherBadField()
    {
        var (status, errors) = await CreateAsync(Definition(
            NewId(), """{"tiers":["V2"]}""", "\"2026-12-02\"", """[{"name":"a","weight":1},{"name":"b","weight":0}]"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["arms[1].weight", "validFrom"], errors!.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("with offset", errors!["validFrom"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("priority", "1.5", JsonFieldErrors.WholeNumber)]
    [InlineData("priority", "3000000000", "is out of range (at most 2147483647)")]
    [InlineData("priority", "-3000000000", "is out of range (at least -2147483648)")]
    [InlineData("attributionWindowDays", "3000000000", "is out of range (at most 2147483647)")]
    [InlineData("attributionWindowDays", "7.5", JsonFieldErrors.WholeNumber)]
    public async Task AnIntegerFieldIsToldWhetherItIsPastRangeOrNotWhole(string field, string value, string message)
    {
        var definition = Definition(NewId(), """{"tiers":["V2"]}""", From, """[{"name":"a","weight":1}]""");
        var (status, errors) = await CreateAsync("{\"" + field + "\":" + value + "," + definition.TrimStart()[1..]);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([message], errors![field]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Fact]
    public async Task AKnownTierAndARegionIdAreAccepted()
    {
        var (status, _) = await CreateAsync(Definition(NewId(), """{"tiers":["V3"],"regions":["east-1"]}""", From, """[{"name":"a","weight":1}]"""));

        Assert.Equal(HttpStatusCode.Created, status);
    }

    [Fact]
    public async Task ACouponThatCouldNeverBeIssuedIsRefusedAtCreationNamingItsField()
    {
        // A threshold coupon whose minimum spend is below its value, on the campaign and on an arm, a coupon on a points
        // offer, and a null scope list: each would have been announced and never issued (or failed every delivery).
        var until = host.Clock.GetUtcNow().AddDays(7).ToString("O", CultureInfo.InvariantCulture);
        var json = $$$$"""
            {"id":"{{{{NewId()}}}}","name":"Bad coupon","kind":"broadcast","audience":{},
             "offer":{"kind":"coupon","code":"T50","unitCost":50,"coupon":{"kind":"threshold","value":50,"minSpend":20,"validDays":14}},
             "channel":"push","validFrom":{{{{From}}}},"validUntil":"{{{{until}}}}",
             "arms":[{"name":"a","weight":1,"offer":{"kind":"coupon","code":"G1","unitCost":0,"coupon":{"kind":"gift","value":0,"gift":"pack","skus":null}}},
                     {"name":"b","weight":1,"offer":{"kind":"points","code":"P1","unitCost":1,"points":100,"coupon":{"kind":"no_threshold","value":5}}}]}
            """;

        var (status, errors) = await CreateAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
            ["arms[0].offer.coupon.skus", "arms[1].offer.coupon", "offer.coupon.minSpend"],
            errors!.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AValidCouponOfferIsAccepted()
    {
        var until = host.Clock.GetUtcNow().AddDays(7).ToString("O", CultureInfo.InvariantCulture);
        var json = $$$$"""
            {"id":"{{{{NewId()}}}}","name":"Good coupon","kind":"broadcast","audience":{},
             "offer":{"kind":"coupon","code":"T50","unitCost":50,"coupon":{"kind":"threshold","value":50,"minSpend":200,"validDays":14,"skus":["SKU-1"]}},
             "channel":"push","validFrom":{{{{From}}}},"validUntil":"{{{{until}}}}","arms":[{"name":"a","weight":1}]}
            """;

        var (status, _) = await CreateAsync(json);

        Assert.Equal(HttpStatusCode.Created, status);
    }
}
