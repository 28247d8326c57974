using System.Text.Json;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// An eventId is the idempotency key (CONTRACT.md §1): the same event sent again is a duplicate, but the same eventId on
/// another event (another store, order, amount or type) was dropped as "already applied", silently on the queue. The
/// member keeps a fingerprint of each remembered event and refuses a reuse naming eventId.
/// </summary>
public sealed class EventIdReuseTests
{
    [Fact]
    public void TheSameEventAgainIsADuplicateAndAnotherEventUnderItsIdIsRefusedAsAReuse()
    {
        var member = new TestMember();
        Assert.Equal(EventStatus.Applied, member.Purchase("O-1", 100m, eventId: "h-1").Status);
        Assert.Equal(EventStatus.Applied, member.Behave("login", eventId: "h-2").Status);

        Assert.Equal(EventStatus.Duplicate, member.Purchase("O-1", 100.00m, eventId: "h-1").Status);
        Assert.Equal(EventStatus.Duplicate, member.Behave("login", eventId: "h-2").Status);

        foreach (var reuse in new[]
        {
            member.Purchase("O-2", 100m, eventId: "h-1"),
            member.Purchase("O-1", 5000m, eventId: "h-1"),
            member.Apply(new MemberEvent("h-1", "purchase", member.Now) { OrderId = "O-1", Amount = 100m, StoreId = "S002" }),
            member.Behave("share", eventId: "h-2"),
        })
        {
            Assert.Equal(EventStatus.Rejected, reuse.Status);
            Assert.False(reuse.StateChanged);
            Assert.StartsWith("eventId: reused with a different event", reuse.Reason, StringComparison.Ordinal);
        }

        Assert.Equal(200, member.Balance);
        Assert.Single(member.State.Orders);
    }

    [Fact]
    public void AStateStoredBeforeFingerprintsStillReadsItsIdsAreRepeatsAndANewIdOnTheSameDayKeepsItsPrint()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m, eventId: "h-1");
        member.Behave("login", eventId: "h-2");
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var day = DateOnly.FromDateTime(member.Now.UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        // The stored form before fingerprints: a day's ids as their 8-byte hashes alone, base64 in the JSON.
        var hashes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(hashes, EventIdWindow.Hash("h-1"));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(hashes.AsSpan(8), EventIdWindow.Hash("h-2"));
        var stored = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(member.State, web))!.AsObject();
        Assert.Single(stored["eventIdsByDay"]!.AsObject());
        stored["eventIdsByDay"] = new System.Text.Json.Nodes.JsonObject { [day] = Convert.ToBase64String(hashes) };
        var old = JsonSerializer.Deserialize<MemberState>(stored.ToJsonString(), web)!;
        Assert.Equal(2, EventIdWindow.Count(old));
        Assert.Equal((ushort)0, EventIdWindow.Find(old, "h-2", member.Now));

        // Its ids are repeats whatever comes under them (nothing tells a resend from a reuse), as before.
        Assert.Equal(EventStatus.Duplicate, MemberEngine.Apply(old, new MemberEvent("h-2", "share", member.Now), member.Options, member.Now).Status);

        // An id remembered later on the same day keeps its fingerprint beside the older ids, which stay repeats.
        Assert.Equal(EventStatus.Applied, MemberEngine.Apply(old, new MemberEvent("h-3", "browse", member.Now), member.Options, member.Now).Status);
        Assert.Equal(3, EventIdWindow.Count(old));
        Assert.Equal(EventStatus.Rejected, MemberEngine.Apply(old, new MemberEvent("h-3", "share", member.Now), member.Options, member.Now).Status);
        Assert.Equal(EventStatus.Duplicate, MemberEngine.Apply(old, new MemberEvent("h-3", "browse", member.Now), member.Options, member.Now).Status);
        Assert.Equal(EventStatus.Duplicate, MemberEngine.Apply(old, new MemberEvent("h-1", "login", member.Now), member.Options, member.Now).Status);

        // And the state so written reads back the same.
        var again = JsonSerializer.Serialize(old, web);
        var back = JsonSerializer.Deserialize<MemberState>(again, web)!;
        Assert.Equal(again, JsonSerializer.Serialize(back, web));
        Assert.Equal(EventStatus.Rejected, MemberEngine.Apply(back, new MemberEvent("h-3", "share", member.Now), member.Options, member.Now).Status);
    }
}
