using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Offers;

namespace Engagement.Grains.Tests.Hosting;

/// <summary>
/// The stored format, pinned by rows that the code at bc6b55b8 wrote (Hosting/StateRows, embedded; how they were made is in
/// that folder's README.md): each loads through today's <see cref="JsonGrainStateSerializer"/> and is written back byte for
/// byte in today's text (non-ASCII unescaped: the rows' escapes of it are the one difference allowed). A renamed or removed property, a converter or enum representation changed, a polymorphic discriminator added or
/// renamed changes the bytes written back (or fails the load), and so fails here. The alert book is the one state whose
/// stored shape changed since (compact records, "How big the alert book may grow" in docs/programme-health.md): its bc6b55b8 row must load
/// whole and be written in the compact shape, which is pinned by a row of its own (AlertBookState.compact, written by the
/// code that introduced it).
/// </summary>
public sealed partial class StoredStateRowsTests
{
    /// <summary>Each checked-in row and the state type it is a row of.</summary>
    private static readonly Dictionary<string, Func<byte[], byte[]>> RowTypes = new(StringComparer.Ordinal)
    {
        ["MemberGrainState.full"] = RoundTrip<MemberGrainState>,
        ["MemberGrainState.pending-archive-journal"] = RoundTrip<MemberGrainState>,
        ["MemberGrainState.new"] = RoundTrip<MemberGrainState>,
        ["MemberGrainState.long-order-ids"] = RoundTrip<MemberGrainState>,
        ["MemberGrainState.long-order-ids.before-keys"] = OldLongIdsWrittenWithKeys,
        ["MemberGrainState.long-id-waiting-notice"] = OldLongIdsWrittenWithKeys,
        ["CampaignGrainState"] = RoundTrip<CampaignGrainState>,
        ["CampaignGrainState.paused-backed-up"] = RoundTrip<CampaignGrainState>,
        ["CampaignRegistryState"] = RoundTrip<CampaignRegistryState>,
        ["CampaignCatalogState"] = RoundTrip<CampaignCatalogState>,
        ["AlertBookState"] = OldAlertBookWrittenCompactly,
        ["AlertBookState.compact"] = RoundTrip<AlertBookState>,
        ["AlertBookState.refused"] = RoundTrip<AlertBookState>,
        ["AlertBookState.refused-anomalies"] = RoundTrip<AlertBookState>,
        ["AlertBookState.anomaly-resolves"] = RoundTrip<AlertBookState>,
        ["AlertBookState.anomaly-reports"] = RoundTrip<AlertBookState>,
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
        // Byte for byte in today's text: the row's strings as today's encoder writes them (Chinese as itself where the row,
        // written with web defaults, has \uXXXX escapes; everything else, numbers and ASCII included, as the row has it).
        var expected = InTodaysText(Row(name));
        var written = RowTypes[name](Row(name));
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(written));
        Assert.Equal(expected, written);
    }

    [Fact]
    public void A_row_written_with_escaped_Chinese_loads_and_is_written_back_unescaped_and_shorter()
    {
        // The rows as bc6b55b8 wrote them escape every Chinese character (6 characters of the row each); they load, and
        // are written back with it as itself (1 character of the row): same strings, fewer stored characters.
        var row = Row("MemberGrainState.long-order-ids");
        Assert.Contains("\\u8BA2\\u5355", Encoding.UTF8.GetString(row), StringComparison.Ordinal); // 订单, escaped
        var serializer = new JsonGrainStateSerializer();
        var old = serializer.Deserialize<MemberGrainState>(new BinaryData(row));
        var written = serializer.Serialize(old).ToArray();
        var text = Encoding.UTF8.GetString(written);

        Assert.DoesNotContain("\\u8BA2", text, StringComparison.Ordinal);
        Assert.Contains("订单~", text, StringComparison.Ordinal);
        Assert.Contains(old.Member.Orders[0].OrderId, text, StringComparison.Ordinal);
        Assert.True(StoredStateText.Characters(written) < row.Length, $"{StoredStateText.Characters(written)} stored, the escaped row {row.Length}");
        Assert.Equal(text, Encoding.UTF8.GetString(serializer.Serialize(serializer.Deserialize<MemberGrainState>(new BinaryData(written))).ToArray()));
    }

    /// <summary>
    /// <paramref name="row"/> as today's serializer writes it: each <c>\uXXXX</c> escape of a character
    /// <see cref="StoredStateText.Encoder"/> leaves as itself (Chinese, <c>×</c>, <c>→</c>) replaced by the character, all
    /// else (what it still escapes, such as <c>+</c> in text, numbers, dates, order) byte for byte as it is.
    /// </summary>
    private static byte[] InTodaysText(byte[] row) => Encoding.UTF8.GetBytes(UnicodeEscape().Replace(
        Encoding.UTF8.GetString(row),
        m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString() is var c && StoredStateText.Encoder.Encode(c) == c ? c : m.Value));

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

    [Fact]
    public void A_paused_campaign_row_with_backed_up_members_waiting_loads_them_holding_the_retry_grant_until_its_window_ends()
    {
        var state = new JsonGrainStateSerializer().Deserialize<CampaignGrainState>(new BinaryData(Row("CampaignGrainState.paused-backed-up")));
        var pausedAt = new DateTimeOffset(2026, 3, 2, 3, 10, 0, TimeSpan.Zero);
        var progress = state.Progress(pausedAt, fanOutRunning: false);
        Assert.Equal(("paused", 5L, 1L, 3L, 1L), (progress.State, progress.BackedUpSkipped, progress.BackedUpReachedLater, progress.BackedUpWaiting, progress.BackedUpGivenUp));
        Assert.Equal(progress.BackedUpSkipped, progress.BackedUpReachedLater + progress.BackedUpWaiting + progress.BackedUpGivenUp);

        // The retry in flight holds its grant (a limited budget's write-ahead) until the member is asked what it has.
        Assert.Equal(new BudgetHeld(70_002, 24.68m), state.Held());
        Assert.Equal("m-0108", state.BackedUp!.InFlight);

        // Paused inside its window: nothing to end yet; at validUntil its fan-out ends it; a resume makes all three due.
        Assert.False(state.EndsWhilePaused(pausedAt));
        Assert.True(state.EndsWhilePaused(state.Definition!.ValidUntil));
        Assert.Equal(["m-0007", "m-0108"], state.BackedUp.Due(pausedAt, 10));
        state.BackedUp.Resumed(pausedAt);
        Assert.Equal(["m-0007", "m-0042", "m-0108"], state.BackedUp.Due(pausedAt, 10));
    }

    [Fact]
    public void The_alert_book_row_of_bc6b55b8_loads_whole_and_reads_back_equal_from_its_compact_shape()
    {
        var serializer = new JsonGrainStateSerializer();
        var old = serializer.Deserialize<AlertBookState>(new BinaryData(Row("AlertBookState")));
        var compact = serializer.Deserialize<AlertBookState>(serializer.Serialize(old));
        Assert.NotEmpty(old.Open);
        Assert.NotEmpty(old.History);
        Assert.Equal(old.Open.OrderBy(p => p.Key, StringComparer.Ordinal), compact.Open.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(old.History, compact.History);
        Assert.Equal(old.Outbox, compact.Outbox);
        Assert.Equal(old.Episodes.OrderBy(p => p.Key, StringComparer.Ordinal), compact.Episodes.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(old.EpisodeFloor, compact.EpisodeFloor);
        Assert.Equal(old.LastEvaluatedAt, compact.LastEvaluatedAt);
        Assert.Equal(Encoding.UTF8.GetString(Row("AlertBookState.compact")), Encoding.UTF8.GetString(RoundTrip<AlertBookState>(Row("AlertBookState"))));
    }

    [Fact]
    public void A_member_row_stored_with_full_long_order_ids_loads_under_their_keys_and_its_refunds_still_match()
    {
        // 154b0a89 stored the 128-code-point ids in full: each order and summary (and the first purchase) reads back under
        // its key, the refund ids as stored; the same refunds resent are duplicates, further ones apply, as they do on
        // today's row of the same member.
        var serializer = new JsonGrainStateSerializer();
        var options = new ProgramOptions { MaxOrders = 2 };
        var old = serializer.Deserialize<MemberGrainState>(new BinaryData(Row("MemberGrainState.long-order-ids.before-keys"))).Member;
        var today = serializer.Deserialize<MemberGrainState>(new BinaryData(Row("MemberGrainState.long-order-ids"))).Member;
        Assert.Contains(Escaped(LongOrderIdStateTests.OrderId(0)), Encoding.UTF8.GetString(Row("MemberGrainState.long-order-ids.before-keys")), StringComparison.Ordinal);
        Assert.DoesNotContain(Escaped(LongOrderIdStateTests.OrderId(0)), Encoding.UTF8.GetString(Row("MemberGrainState.long-order-ids")), StringComparison.Ordinal);
        Assert.Equal(today.Orders.Select(o => o.OrderId), old.Orders.Select(o => o.OrderId));
        Assert.Equal(today.OrderSummaries.Select(o => o.OrderId), old.OrderSummaries.Select(o => o.OrderId));
        Assert.Equal(OrderIds.Key(LongOrderIdStateTests.OrderId(0)), old.FirstPurchaseOrderId);
        Assert.Equal((2, 1), (old.Orders.Count, old.OrderSummaries.Count));

        var now = LongOrderIdStateTests.Start.AddDays(320);
        foreach (var member in new[] { old, today })
        {
            for (var i = 0; i < 3; i++)
            {
                var resent = new MemberEvent(LongOrderIdStateTests.RefundId(i), MemberEventTypes.Refund, now) { OrderId = LongOrderIdStateTests.OrderId(i), Amount = 12.34m };
                Assert.Equal(EventStatus.Duplicate, MemberEngine.Apply(member, resent, options, now).Status);
                var rest = new MemberEvent($"R-rest-{i}", MemberEventTypes.Refund, now) { OrderId = LongOrderIdStateTests.OrderId(i), Amount = 1234.56m - 12.34m };
                Assert.Equal(EventStatus.Applied, MemberEngine.Apply(member, rest, options, now).Status);
                Assert.True(OrderBook.IsFullyRefunded(member, LongOrderIdStateTests.OrderId(i)));
            }
        }

        // As the rows were written: web defaults, Chinese escaped.
        static string Escaped(string id) => JsonSerializer.Serialize(id, AsTheRowsWereWritten);
    }

    /// <summary>
    /// A member row stored with full long ids (154b0a89's, and the waiting-notice row of that shape), loaded and written
    /// back: its ids as keys (shorter), and that shape written back byte for byte (checked in full by the test above and
    /// by <see cref="StoredLongIdNoticeRowTests"/>).
    /// </summary>
    private static byte[] OldLongIdsWrittenWithKeys(byte[] row) => RoundTrip<MemberGrainState>(row) is var written
        && written.Length < row.Length && written.AsSpan().SequenceEqual(RoundTrip<MemberGrainState>(written)) ? InTodaysText(row) : written;

    [Fact]
    public void The_alert_book_row_with_refused_raises_holds_them_and_the_older_rows_load_without()
    {
        var serializer = new JsonGrainStateSerializer();
        var refused = serializer.Deserialize<AlertBookState>(new BinaryData(Row("AlertBookState.refused"))).RaisesRefused;
        Assert.NotNull(refused);
        Assert.Equal((61L, 60), (refused.Total, refused.LastCount));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero), refused.Since);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero), refused.LastAt);
        Assert.Equal([new AlertRefusedPair(AlertRules.ComplaintsHigh, "east"), new AlertRefusedPair(AlertRules.DataAnomaly, "库存")], refused.Alerts);

        Assert.Null(serializer.Deserialize<AlertBookState>(new BinaryData(Row("AlertBookState"))).RaisesRefused);
        Assert.Null(serializer.Deserialize<AlertBookState>(new BinaryData(Row("AlertBookState.compact"))).RaisesRefused);
    }

    [Fact]
    public void The_alert_book_row_with_pending_anomaly_sources_holds_them_beside_the_evaluations_refusals_and_they_count_until_raised()
    {
        var serializer = new JsonGrainStateSerializer();
        var refused = serializer.Deserialize<AlertBookState>(new BinaryData(Row("AlertBookState.refused-anomalies"))).RaisesRefused;
        Assert.NotNull(refused);
        Assert.Equal((63L, 62), (refused.Total, refused.LastCount));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 4, 0, 0, TimeSpan.Zero), refused.LastAt);
        Assert.Equal([new AlertRefusedPair(AlertRules.ComplaintsHigh, "east")], refused.Alerts);
        Assert.Equal(["backup", "库存"], refused.Anomalies!);

        // 60 of the evaluation's and 2 pending anomalies: an evaluation carries the sources forward, a source raised leaves.
        var next = AlertRaisesRefused.After(refused, [], new DateTimeOffset(2026, 3, 2, 5, 0, 0, TimeSpan.Zero))!;
        Assert.Equal((2, 63L, refused.LastAt), (next.LastCount, next.Total, next.LastAt));
        Assert.Equal(["backup", "库存"], next.Anomalies!);
        var left = AlertRaisesRefused.RemoveAnomaly(next, "backup")!;
        Assert.Equal(1, left.LastCount);
        Assert.Equal(["库存"], left.Anomalies!);
        Assert.Null(AlertRaisesRefused.RemoveAnomaly(left, "库存"));

        // The older rows have none: left out of the stored JSON, so they are written back without it.
        Assert.Null(serializer.Deserialize<AlertBookState>(new BinaryData(Row("AlertBookState.refused"))).RaisesRefused!.Anomalies);
    }

    [Fact]
    public void The_alert_book_row_with_anomaly_resolves_holds_them_and_a_book_stored_before_them_loads_without()
    {
        var serializer = new JsonGrainStateSerializer();
        var book = serializer.Deserialize<AlertBookState>(new BinaryData(Row("AlertBookState.anomaly-resolves")));
        var backup = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var chinese = new DateTimeOffset(2026, 3, 2, 5, 30, 0, TimeSpan.Zero).AddTicks(1_234_567);
        Assert.Equal(
            [new KeyValuePair<string, DateTimeOffset>("backup", backup), new KeyValuePair<string, DateTimeOffset>("库存", chinese)],
            book.AnomalyResolvedAt!);
        Assert.Equal(TimeSpan.Zero, book.AnomalyResolvedAt!["库存"].Offset);
        Assert.Equal(["backup", "库存"], book.RaisesRefused!.Anomalies!); // the rest of the row is the refused-anomalies row's

        // A raise of a source observed before its kept resolve is stale; at the resolve's instant, or of another source, it stands.
        Assert.Equal(Resolve(backup), AnomalyResolves.SupersededBy(book, "backup", Raise(backup.AddTicks(-1))));
        Assert.Equal(Resolve(chinese), AnomalyResolves.SupersededBy(book, "库存", Raise(chinese.AddTicks(-1))));
        Assert.Null(AnomalyResolves.SupersededBy(book, "backup", Raise(backup)));
        Assert.Null(AnomalyResolves.SupersededBy(book, "storage", Raise(backup.AddDays(-1))));
        Assert.Null(book.AnomalyRaisedAt);

        // Every row stored before the resolves were kept loads with none (and is written back without them, the theory above).
        foreach (var before in new[] { "AlertBookState", "AlertBookState.compact", "AlertBookState.refused", "AlertBookState.refused-anomalies" })
        {
            var old = serializer.Deserialize<AlertBookState>(new BinaryData(Row(before)));
            Assert.Equal((null, null), (old.AnomalyResolvedAt, old.AnomalyRaisedAt));
            Assert.Null(AnomalyResolves.SupersededBy(old, "backup", Raise(backup.AddDays(-1))));
        }
    }

    [Fact]
    public void The_alert_book_row_with_a_kept_raise_and_a_kept_resolve_loads_each_sources_latest_report()
    {
        var serializer = new JsonGrainStateSerializer();
        var book = serializer.Deserialize<AlertBookState>(new BinaryData(Row("AlertBookState.anomaly-reports")));
        var backup = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var chinese = new DateTimeOffset(2026, 3, 2, 5, 30, 0, TimeSpan.Zero).AddTicks(1_234_567);
        Assert.Equal([new KeyValuePair<string, DateTimeOffset>("backup", backup)], book.AnomalyRaisedAt!);
        Assert.Equal([new KeyValuePair<string, DateTimeOffset>("库存", chinese)], book.AnomalyResolvedAt!);
        Assert.Equal(Raise(backup), AnomalyResolves.Latest(book, "backup"));
        Assert.Equal(Resolve(chinese), AnomalyResolves.Latest(book, "库存"));
        Assert.Null(AnomalyResolves.Latest(book, "storage"));
        Assert.Equal(["backup"], book.RaisesRefused!.Anomalies!); // the raise refused for room still waits; the resolved source left

        // Each kept report makes an older report of the other kind stale, both ways; at its instant the later arrival stands.
        Assert.Equal(Raise(backup), AnomalyResolves.SupersededBy(book, "backup", Resolve(backup.AddTicks(-1))));
        Assert.Null(AnomalyResolves.SupersededBy(book, "backup", Resolve(backup)));
        Assert.Equal(Resolve(chinese), AnomalyResolves.SupersededBy(book, "库存", Raise(chinese.AddTicks(-1))));
        Assert.Null(AnomalyResolves.SupersededBy(book, "库存", Raise(chinese)));
    }

    private static AnomalyObservation Raise(DateTimeOffset at) => new(AnomalyReportKind.Raise, at);

    private static AnomalyObservation Resolve(DateTimeOffset at) => new(AnomalyReportKind.Resolve, at);

    /// <summary>The alert book's bc6b55b8 row loaded and written back, in its compact shape (checked against its own row).</summary>
    private static byte[] OldAlertBookWrittenCompactly(byte[] row) => RoundTrip<AlertBookState>(row) is var written
        && written.AsSpan().SequenceEqual(InTodaysText(Row("AlertBookState.compact"))) ? InTodaysText(row) : written;

    /// <summary>The row loaded as a <typeparamref name="T"/> by today's serializer and written back.</summary>
    private static byte[] RoundTrip<T>(byte[] row)
    {
        var serializer = new JsonGrainStateSerializer();
        return serializer.Serialize(serializer.Deserialize<T>(new BinaryData(row))).ToArray();
    }

    /// <summary>A <c>\uXXXX</c> escape, as System.Text.Json writes them (upper-case hex).</summary>
    [GeneratedRegex(@"\\u([0-9A-F]{4})")]
    private static partial Regex UnicodeEscape();

    /// <summary>The options the rows were written with: web defaults, every non-ASCII character escaped.</summary>
    internal static readonly JsonSerializerOptions AsTheRowsWereWritten = new(JsonSerializerDefaults.Web);

    internal static byte[] Row(string name)
    {
        using var stream = typeof(StoredStateRowsTests).Assembly.GetManifestResourceStream($"StateRows.{name}.json")
            ?? throw new InvalidOperationException($"No embedded row StateRows.{name}.json.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
