using System.Globalization;
using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests.Orders;

/// <summary>
/// A stored order summary whose refund-id list holds a null entry (a hand-edited row, or one written by a faulty tool)
/// reads it as empty, as a full order's list always did (<see cref="OrderRecordJsonConverter"/>). The summary reader used
/// the general list reader, which kept the null: the member then failed every write (<see cref="OrderIds.Key"/> refuses
/// null) and every refund of the order failed its duplicate check, so each event of that member was dead-lettered.
/// </summary>
public class StoredNullRefundIdTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-02T10:00:00+08:00", CultureInfo.InvariantCulture);

    /// <summary>A pinned stored member: a summarised order (100 CNY, 50 refunded) and a full one, each with a null refund id first.</summary>
    private const string Stored = """
        {"memberId":"M-nullrefund",
         "orders":[["O-full","2026-02-01T10:00:00+08:00",100,100,50,"2027-02-01T10:00:00+08:00",0,0,null,[null,"R-full"]]],
         "orderSummaries":[["O-sum","2026-01-05T10:00:00+08:00",100,100,50,50,0,[null,"R-1"]]]}
        """;

    private static EventDecision Refund(MemberState state, string orderId, string eventId, decimal amount) =>
        MemberEngine.Apply(state, new MemberEvent(eventId, MemberEventTypes.Refund, Now.AddMinutes(-5)) { OrderId = orderId, Amount = amount }, new ProgramOptions(), Now);

    [Fact]
    public void ANullRefundIdOfAStoredSummaryReadsAsEmptyAndTheMemberStillWrites()
    {
        var state = JsonSerializer.Deserialize<MemberState>(Stored, Web)!;

        Assert.Equal(["", "R-1"], Assert.Single(state.OrderSummaries).RefundEventIds!);
        Assert.Equal(["", "R-full"], Assert.Single(state.Orders).RefundEventIds!);
        var written = JsonSerializer.Serialize(state, Web);
        Assert.Contains("[\"\",\"R-1\"]", written, StringComparison.Ordinal);
        Assert.Equal(written, JsonSerializer.Serialize(JsonSerializer.Deserialize<MemberState>(written, Web), Web));
    }

    [Fact]
    public void RefundsOfTheSummarisedOrderAreStillRecognisedAndApplied()
    {
        var state = JsonSerializer.Deserialize<MemberState>(Stored, Web)!;

        // The refund already applied is a duplicate (the check walks past the empty id); a new one applies and is stored.
        Assert.Equal(EventStatus.Duplicate, Refund(state, "O-sum", "R-1", 50m).Status);
        var applied = Refund(state, "O-sum", "R-2", 10m);
        Assert.Equal(EventStatus.Applied, applied.Status);

        // Stored and read back, wherever the engine keeps the order now (a refunded summary may be a full order again).
        var back = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)!;
        var (refunded, reversed, ids) = OrderBook.Find(back, "O-sum") is { } order
            ? (order.Refunded, order.PointsReversed, order.RefundEventIds)
            : OrderBook.FindSummary(back, "O-sum") is { } summary ? (summary.Refunded, summary.PointsReversed, summary.RefundEventIds) : (0m, 0L, null);
        Assert.Equal((60m, 60L), (refunded, reversed));
        Assert.Equal(["", "R-1", "R-2"], ids!);
        Assert.Equal(EventStatus.Duplicate, Refund(back, "O-sum", "R-2", 10m).Status);
    }

    [Theory]
    [InlineData("orderSummaries", "[1]")]
    [InlineData("orderSummaries", "[[\"R-1\"]]")]
    [InlineData("orderSummaries", "\"R-1\"")]
    [InlineData("orders", "[1]")]
    [InlineData("orders", "[null,1]")]
    [InlineData("orders", "[{\"id\":\"R-1\"}]")]
    [InlineData("orders", "\"R-1\"")]
    public void ARefundIdListThatIsNotStringsIsAJsonErrorNamingTheField(string list, string ids)
    {
        // Both readers share ReadStrings: a stored entry that is not a string or null is refused with the field named, not
        // read past (the general list reader's error, or the reader's own "cannot get the value ... as a string").
        var row = list == "orders"
            ? "[\"O-full\",\"2026-02-01T10:00:00+08:00\",100,100,50,\"2027-02-01T10:00:00+08:00\",0,0,null," + ids + "]"
            : "[\"O-sum\",\"2026-01-05T10:00:00+08:00\",100,100,50,50,0," + ids + "]";
        var stored = "{\"memberId\":\"M-badrefund\",\"" + list + "\":[" + row + "]}";

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<MemberState>(stored, Web));
        Assert.Contains("refundEventIds", error.Message, StringComparison.Ordinal);
    }
}
