using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;

namespace Engagement.Domain.Tests.Orders;

/// <summary>
/// A stored row whose order or order summary has a null id (hand-edited, or written by a faulty tool) still reads: the
/// id reads as empty (no refund names it), the member activates with its points, and the next write stores the empty id.
/// <see cref="OrderRecord.OrderId"/>'s setter itself refuses null (<see cref="OrderIds.Key"/>); the stored-state converters
/// never hand it one.
/// </summary>
public class StoredNullOrderIdTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>A pinned stored member: one full order and one summary, both with a null id.</summary>
    private const string Stored = """
        {"memberId":"M-null","orders":[[null,"2025-01-01T10:00:00+08:00",100,100,100,"2026-01-01T10:00:00+08:00"]],"orderSummaries":[[null,"2024-12-01T10:00:00+08:00",50,50]]}
        """;

    [Fact]
    public void AStoredMemberWithNullOrderIdsReadsTheIdsAsEmptyAndKeepsItsPoints()
    {
        var state = JsonSerializer.Deserialize<MemberState>(Stored, Web)!;

        Assert.Equal(("", 100L, 100L), (Assert.Single(state.Orders).OrderId, state.Orders[0].Points, state.Orders[0].Remaining));
        Assert.Equal(("", 50L), (Assert.Single(state.OrderSummaries).OrderId, state.OrderSummaries[0].Points));
        var summary = MemberEngine.Summarize(state, new Domain.Program.ProgramOptions(), DateTimeOffset.Parse("2025-06-01T10:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(100, summary.PointsBalance);

        var written = JsonSerializer.Serialize(state, Web);
        Assert.Contains("\"orders\":[[\"\",", written, StringComparison.Ordinal);
        Assert.Equal(written, JsonSerializer.Serialize(JsonSerializer.Deserialize<MemberState>(written, Web), Web));
    }

    [Fact]
    public void TheSetterStillRefusesNull()
    {
        Assert.Throws<ArgumentNullException>(() => new OrderRecord { OrderId = null! });
        Assert.Throws<ArgumentNullException>(() => new OrderSummary { OrderId = null! });
    }
}
