using System.Globalization;
using System.Text;
using System.Text.Json;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

public class MemberStateSerializationTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void BusyStateRoundTripsThroughSystemTextJson()
    {
        var member = BusyYear(purchases: 120);

        var json = JsonSerializer.Serialize(member.State, Web);
        var back = JsonSerializer.Deserialize<MemberState>(json, Web)!;

        Assert.Equal(json, JsonSerializer.Serialize(back, Web));
        Assert.Contains("\"memberId\":", json, StringComparison.Ordinal);
        var original = MemberEngine.Summarize(member.State, member.Options, member.Now);
        var copy = MemberEngine.Summarize(back, member.Options, member.Now);
        Assert.Equal(original.PointsBalance, copy.PointsBalance);
        Assert.Equal(original.GrowthValue, copy.GrowthValue);
        Assert.Equal(original.Tier, copy.Tier);
        Assert.Equal(original.Rfm, copy.Rfm);
        Assert.Equal(original.PointsLots, copy.PointsLots);
        Assert.Equal(original.Benefits, copy.Benefits);
        Assert.Equal(member.State.Ledger, back.Ledger);
        Assert.Equal(member.State.NextSequence, back.NextSequence);

        // The copy behaves like the original: the same next event gives the same decision.
        var evt = new MemberEvent("next", MemberEventTypes.Purchase, member.Now) { OrderId = "O-next", Amount = 100m };
        var a = MemberEngine.Apply(member.State, evt, member.Options, member.Now);
        var b = MemberEngine.Apply(back, evt, member.Options, member.Now);
        Assert.Equal(a.NewEntries, b.NewEntries);
        Assert.Equal(JsonSerializer.Serialize(member.State, Web), JsonSerializer.Serialize(back, Web));
    }

    [Fact]
    public void AnOrderKeepsThePointsOfItsLotThatExpiredAcrossAWriteAndOldOrdersReadAsNone()
    {
        var order = new Domain.Orders.OrderRecord { OrderId = "O-1", At = DateTimeOffset.UnixEpoch, Amount = 10m, Points = 10, ExpiresAt = DateTimeOffset.UnixEpoch.AddYears(1), Expired = 7 };

        var json = JsonSerializer.Serialize(order, Web);
        var back = JsonSerializer.Deserialize<Domain.Orders.OrderRecord>(json, Web)!;
        Assert.Equal(7, back.Expired);
        Assert.Equal(json, JsonSerializer.Serialize(back, Web));

        // An order stored before the field was kept (and one with nothing expired) has none, and writes none.
        var plain = JsonSerializer.Serialize(new Domain.Orders.OrderRecord { OrderId = "O-2", Points = 10, Remaining = 10 }, Web);
        Assert.Equal(0, JsonSerializer.Deserialize<Domain.Orders.OrderRecord>(plain, Web)!.Expired);
        Assert.Equal(6, JsonDocument.Parse(plain).RootElement.GetArrayLength());
    }

    [Fact]
    public void MemberWithThreeHundredPurchasesInAYearStaysWellUnderSixtyFourKilobytes()
    {
        var member = BusyYear(purchases: 300, withDailyApp: false);

        var bytes = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(member.State, Web));

        // About 43 KB: 300 orders (about 95 bytes each, with their lots) and 50 ledger entries are most of it.
        Assert.Equal(300, member.State.Orders.Count);
        Assert.True(bytes < 48 * 1024, $"state is {bytes} bytes");
    }

    [Fact]
    public void MemberWhoAlsoUsesTheAppDailyStaysUnderSixtyFourKilobytes()
    {
        var member = BusyYear(purchases: 300, withDailyApp: true);

        var bytes = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(member.State, Web));

        Assert.True(bytes < 60 * 1024, $"state is {bytes} bytes");
    }

    [Fact]
    public void NeverSeenMemberSerializesSmall()
    {
        var json = JsonSerializer.Serialize(new MemberState { MemberId = "M1" }, Web);

        Assert.True(json.Length < 1024, json);
        Assert.False(MemberEngine.Summarize(JsonSerializer.Deserialize<MemberState>(json, Web)!, new Domain.Program.ProgramOptions(), DateTimeOffset.UnixEpoch).HasBeenSeen);
    }

    /// <summary>A year of realistic traffic: purchases with POS-style ids, some refunds and redemptions, a held refund, optionally app logins and shares.</summary>
    private static TestMember BusyYear(int purchases, bool withDailyApp = true)
    {
        var start = TestMember.Shanghai(2025, 1, 1, 10);
        var member = new TestMember(start);
        member.UpdateProfile(("birthday", "1990-07-15"), ("consent.sms", "false"), ("tags", "vip,skincare"));
        var step = TimeSpan.FromMinutes(365d * 24 * 60 / purchases);
        for (var i = 0; i < purchases; i++)
        {
            member.Now = start + (step * i);
            var day = member.Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var n = i.ToString("000000", CultureInfo.InvariantCulture);
            member.Purchase($"O-{day}-{n}", 100m + (i % 37 * 13.45m), eventId: $"pos-S001-{day}-{n}");
            if (withDailyApp)
            {
                member.Behave(MemberEventTypes.Login, eventId: $"app-login-{day}-{n}");
            }

            if (withDailyApp && i % 10 == 0)
            {
                member.Behave(MemberEventTypes.Share, eventId: $"app-share-{day}-{n}");
            }

            if (i % 25 == 0)
            {
                member.Refund($"O-{day}-{n}", 50m, eventId: $"pos-refund-{day}-{n}");
                member.Redeem($"redeem-{day}-{n}", 100);
            }
        }

        member.Refund("O-later", 10m, eventId: "pos-refund-early");
        return member;
    }
}
