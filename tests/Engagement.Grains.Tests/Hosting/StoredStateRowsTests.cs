using System.Text;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Offers;

namespace Engagement.Grains.Tests.Hosting;

/// <summary>
/// The stored format, pinned by rows that the code at bc6b55b8 wrote (Hosting/StateRows, embedded; how they were made is in
/// that folder's README.md): each loads through today's <see cref="JsonGrainStateSerializer"/> and is written back byte for
/// byte. A renamed or removed property, a converter or enum representation changed, a polymorphic discriminator added or
/// renamed changes the bytes written back (or fails the load), and so fails here.
/// </summary>
public sealed class StoredStateRowsTests
{
    /// <summary>Each checked-in row and the state type it is a row of.</summary>
    private static readonly Dictionary<string, Func<byte[], byte[]>> RowTypes = new(StringComparer.Ordinal)
    {
        ["MemberGrainState.full"] = RoundTrip<MemberGrainState>,
        ["MemberGrainState.pending-archive-journal"] = RoundTrip<MemberGrainState>,
        ["MemberGrainState.new"] = RoundTrip<MemberGrainState>,
        ["CampaignGrainState"] = RoundTrip<CampaignGrainState>,
        ["CampaignRegistryState"] = RoundTrip<CampaignRegistryState>,
        ["CampaignCatalogState"] = RoundTrip<CampaignCatalogState>,
        ["AlertBookState"] = RoundTrip<AlertBookState>,
        ["ValueClassThresholds"] = RoundTrip<ValueClassThresholds>,
        ["AggregatorShard"] = RoundTrip<AggregatorShard>,
        ["RegionList"] = RoundTrip<List<string>>,
        ["OfferState.StoreInventory"] = RoundTrip<OfferState<StoreInventory>>,
        ["OfferState.RegionStock"] = RoundTrip<OfferState<RegionStock>>,
        ["OfferState.PointValueSchedule"] = RoundTrip<OfferState<PointValueSchedule>>,
        ["OfferState.RewardCatalogue"] = RoundTrip<OfferState<RewardCatalogue>>,
        ["OfferState.RewardStock"] = RoundTrip<OfferState<RewardStock>>,
    };

    /// <summary>The names of the rows, for the theory.</summary>
    public static TheoryData<string> Rows => [.. RowTypes.Keys];

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_row_written_at_bc6b55b8_loads_and_is_written_back_byte_for_byte(string name)
    {
        var row = Row(name);
        var written = RowTypes[name](row);
        Assert.Equal(Encoding.UTF8.GetString(row), Encoding.UTF8.GetString(written));
        Assert.Equal(row, written);
    }

    [Fact]
    public void Every_checked_in_row_is_checked()
    {
        var embedded = typeof(StoredStateRowsTests).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("StateRows.", StringComparison.Ordinal))
            .Select(n => n["StateRows.".Length..^".json".Length])
            .Order(StringComparer.Ordinal);
        Assert.Equal(RowTypes.Keys.Order(StringComparer.Ordinal), embedded);
    }

    [Fact]
    public void The_member_rows_hold_what_they_are_meant_to_pin()
    {
        var serializer = new JsonGrainStateSerializer();
        var full = serializer.Deserialize<MemberGrainState>(new BinaryData(Row("MemberGrainState.full")));
        Assert.Equal(162, full.Member.Outbox.Count);
        Assert.NotEmpty(full.Member.Orders);
        Assert.NotEmpty(full.Member.Ledger);
        Assert.NotEmpty(full.Member.PointsDebtPieces);
        Assert.Equal(120, full.Member.PointsDebt);
        Assert.Null(full.PendingArchive);

        var legacy = serializer.Deserialize<MemberGrainState>(new BinaryData(Row("MemberGrainState.pending-archive-journal")));
        Assert.Equal(2, legacy.PendingArchive!.Count);
        Assert.Single(legacy.PendingJournal!);
        Assert.Equal(full.Member.Outbox.Count, legacy.Member.Outbox.Count);
    }

    /// <summary>The row loaded as a <typeparamref name="T"/> by today's serializer and written back.</summary>
    private static byte[] RoundTrip<T>(byte[] row)
    {
        var serializer = new JsonGrainStateSerializer();
        return serializer.Serialize(serializer.Deserialize<T>(new BinaryData(row))).ToArray();
    }

    private static byte[] Row(string name)
    {
        using var stream = typeof(StoredStateRowsTests).Assembly.GetManifestResourceStream($"StateRows.{name}.json")
            ?? throw new InvalidOperationException($"No embedded row StateRows.{name}.json.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
