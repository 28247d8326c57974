using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Api.Security;
using Engagement.Api.Support;
using Engagement.Contracts.Members;
using Engagement.Domain.Points;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Tests;

/// <summary>
/// A replayed adjustment reports who made it (kept with the member, Engagement.Domain.Points.AdjustmentActors), against
/// the real host and Azurite: support replaying an admin's adjustment it could not make today is 403, the audit row a
/// replay writes after the first write failed names the maker, and a replay never counts toward support's day again.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class AdjustmentReplayActorApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly System.Security.Claims.ClaimsPrincipal LiNa = ApiKeyIdentity.Principal("support:Li Na", "ApiKey")!;

    private static readonly System.Security.Claims.ClaimsPrincipal WangFang = ApiKeyIdentity.Principal("admin:Wang Fang", "ApiKey")!;

    [Fact]
    public async Task SupportReplayingAnAdminsAdjustmentUnderTheLimitButOverTheDaysTotalIs403AndTheRepairedRowNamesTheAdmin()
    {
        var id = await SeedAsync();
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var start = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json))!["pointsBalance"]!.GetValue<long>();
        var audit = new FailsFirstAuditLog { FailFirst = false };
        var adjustments = Adjustments(audit);
        Assert.Equal(AdjustmentStatuses.Applied, (await adjustments.AdjustAsync(id, Request("s-600", 600), LiNa)).Result!.Status);

        // Wang Fang (admin) adds 800: applied in the member, its audit write fails.
        var failing = new FailsFirstAuditLog();
        await Assert.ThrowsAsync<IOException>(() => Adjustments(failing).AdjustAsync(id, Request("a-800", 800), WangFang));

        // Li Na sends the same: 800 is under support's 1,000, but 600 + 800 is over her day; it was the admin's.
        var bySupport = await Adjustments(failing).AdjustAsync(id, Request("a-800", 800), LiNa);

        Assert.Null(bySupport.Result);
        Assert.Contains("made by an admin (Wang Fang)", bySupport.Forbidden, StringComparison.Ordinal);
        Assert.Empty(failing.Rows); // no row naming Li Na

        var byAdmin = await Adjustments(failing).AdjustAsync(id, Request("a-800", 800), ApiKeyIdentity.Principal("admin:Zhao Lei", "ApiKey")!);
        Assert.Equal(AdjustmentStatuses.Replayed, byAdmin.Result!.Status);
        Assert.Equal(("Wang Fang", "admin"), (byAdmin.Result.MadeBy!.Name, byAdmin.Result.MadeBy.Role));
        var row = Assert.Single(failing.Rows.Values);
        Assert.Equal(("Wang Fang", "admin"), (row.Actor, row.Role));

        // Li Na's own replay is answered, names her and counts nothing: 400 more still fit her day, 1 more does not.
        var ownReplay = await adjustments.AdjustAsync(id, Request("s-600", 600), LiNa);
        Assert.Equal(AdjustmentStatuses.Replayed, ownReplay.Result!.Status);
        Assert.Equal("Li Na", ownReplay.Result.MadeBy!.Name);
        Assert.Equal(AdjustmentStatuses.Applied, (await adjustments.AdjustAsync(id, Request("s-400", 400), LiNa)).Result!.Status);
        Assert.NotNull((await adjustments.AdjustAsync(id, Request("s-1", 1), LiNa)).Forbidden);
        var view = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.Equal(start + 600 + 800 + 400, view!["pointsBalance"]!.GetValue<long>()); // each once
    }

    [Fact]
    public async Task AnAdminRepeatingSupportsAdjustmentWhoseAuditWriteFailedWritesTheRowNamingSupport()
    {
        var id = await SeedAsync();
        var audit = new FailsFirstAuditLog();
        await Assert.ThrowsAsync<IOException>(() => Adjustments(audit).AdjustAsync(id, Request("s-50", 50), LiNa));

        var repeated = await Adjustments(audit).AdjustAsync(id, Request("s-50", 50), WangFang);

        Assert.Equal(AdjustmentStatuses.Replayed, repeated.Result!.Status);
        var row = Assert.Single(audit.Rows.Values);
        Assert.Equal(("Li Na", "support"), (row.Actor, row.Role));
    }

    [Fact]
    public async Task AReplayThroughTheApiNamesWhoMadeTheAdjustment()
    {
        using var replayed = await ReplayThroughApiAsync("api-1", made: ApiHostFixture.NamedSupportKey, replayedBy: ApiHostFixture.AdminKey);

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        var answer = (await replayed.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("replayed", answer["status"]!.GetValue<string>());
        Assert.Equal("Li Na", answer["madeBy"]!["name"]!.GetValue<string>());
        Assert.Equal("support", answer["madeBy"]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task SupportReplayingAnAdminsAdjustmentThroughTheApiIs403MadeByAdminNotTheSupportLimit()
    {
        using var replayed = await ReplayThroughApiAsync("api-admin-1", made: ApiHostFixture.AdminKey, replayedBy: ApiHostFixture.NamedSupportKey);

        Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        var problem = (await replayed.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("Made by an admin", problem["title"]!.GetValue<string>());
        Assert.Equal("made_by_admin", problem["reason"]!.GetValue<string>());
        Assert.Contains("made by an admin", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A new member; the key <paramref name="made"/> applies points +20 under <paramref name="adjustmentId"/> through the API
    /// (asserted 200), then the key <paramref name="replayedBy"/> sends the same body: that second answer.
    /// </summary>
    private async Task<HttpResponseMessage> ReplayThroughApiAsync(string adjustmentId, string made, string replayedBy)
    {
        var id = await SeedAsync();
        using var maker = host.Client(made);
        using var replayer = host.Client(replayedBy);
        var body = new { adjustmentId, kind = "points", delta = 20, reason = "late parcel" };
        using (var applied = await maker.PostAsJsonAsync($"api/v1/members/{id}/adjustments", body, Json))
        {
            Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        }

        return await replayer.PostAsJsonAsync($"api/v1/members/{id}/adjustments", body, Json);
    }

    private MemberAdjustments Adjustments(FailsFirstAuditLog audit) =>
        new(host.Services.GetRequiredService<IGrainFactory>(), audit, host.Clock, Options.Create(new AdjustmentOptions()));

    private static AdjustmentRequest Request(string adjustmentId, long delta) =>
        new() { AdjustmentId = adjustmentId, Kind = "points", Delta = delta, Reason = "goodwill" };

    private async Task<string> SeedAsync()
    {
        var id = "R" + Guid.NewGuid().ToString("N")[..12];
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        using var response = await admin.PostAsJsonAsync("api/v1/events", new[] { new { eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = at, orderId = "O1", amount = 100m } }, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return id;
    }
}
