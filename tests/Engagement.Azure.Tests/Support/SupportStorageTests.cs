using System.Globalization;
using Azure.Data.Tables;
using Engagement.Azure.Audit;
using Engagement.Azure.Search;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Audit;

namespace Engagement.Azure.Tests.Support;

/// <summary>The support search index and the audit trail on Azurite.</summary>
public sealed class SupportStorageTests : IAsyncLifetime
{
    private readonly string _search = StorageClients.TableName("Search");
    private readonly string _audit = StorageClients.TableName("Audit");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await StorageClients.DeleteTableQuietlyAsync(_search);
        await StorageClients.DeleteTableQuietlyAsync(_audit);
    }

    [Fact]
    public async Task PrefixesOfIdsAndPhonesAreFoundByKeyRangeAndAChangedPhoneLeavesNoStaleRow()
    {
        var search = new AzureTableMemberSearch(StorageClients.Tables(), _search);
        var ids = Enumerable.Range(0, 120).Select(i => "K" + i.ToString("D4", CultureInfo.InvariantCulture)).ToList();
        foreach (var chunk in ids.Chunk(30))
        {
            await Task.WhenAll(chunk.Select((id, i) => search.UpsertAsync(id, "1380000" + id[1..], "V1")));
        }

        var byId = await search.SearchAsync("K001", 50);
        Assert.Equal(ids.Where(i => i.StartsWith("K001", StringComparison.Ordinal)), byId.Select(h => h.MemberId));
        Assert.All(byId, h => Assert.Equal("memberId", h.MatchedBy));

        var shortPrefix = await search.SearchAsync("K", 7);
        Assert.Equal(ids.Take(7), shortPrefix.Select(h => h.MemberId));

        var byPhone = await search.SearchAsync("13800000042", 10);
        var hit = Assert.Single(byPhone);
        Assert.Equal(("K0042", "13800000042", "phone"), (hit.MemberId, hit.Phone, hit.MatchedBy));

        await search.UpsertAsync("K0042", "139 1234 5678", "V2");
        Assert.Empty(await search.SearchAsync("13800000042", 10));
        var moved = Assert.Single(await search.SearchAsync("13912345678", 10));
        Assert.Equal(("K0042", "139 1234 5678", "V2"), (moved.MemberId, moved.Phone, moved.Tier));

        Assert.Empty(await search.SearchAsync("Z", 10));
        Assert.Empty(await search.SearchAsync("K/'#", 10));
    }

    [Theory]
    [InlineData("+86 138 0013 8000")]
    [InlineData("8613800138000")]
    [InlineData("0086 138-0013-8000")]
    [InlineData("(+86) 13800138000")]
    [InlineData("13800138000")]
    [InlineData("138 0013")]
    public async Task APhoneIsFoundWithOrWithoutTheCountryCodeWhicheverWayItWasRegistered(string query)
    {
        // A member registered with 13800138000 was not found by +86 138 0013 8000 or 8613800138000, and the reverse.
        var search = new AzureTableMemberSearch(StorageClients.Tables(), _search);
        await search.UpsertAsync("CN-NATIONAL", "13800138000", "V1");
        await search.UpsertAsync("CN-PLUS", "+86 138 0013 8000", "V1");
        await search.UpsertAsync("CN-BARE", "8613800138000", "V1");
        await search.UpsertAsync("OTHER", "13900000000", "V1");

        var hits = await search.SearchAsync(query, 10);

        Assert.Equal(["CN-BARE", "CN-NATIONAL", "CN-PLUS"], hits.Select(h => h.MemberId).Order(StringComparer.Ordinal));
        Assert.All(hits, h => Assert.Equal("phone", h.MatchedBy));
    }

    [Fact]
    public async Task APhoneWithAnotherCountryCodeIsNotMistakenForAChineseOne()
    {
        var search = new AzureTableMemberSearch(StorageClients.Tables(), _search);
        await search.UpsertAsync("US", "+1 415 555 0100", "V1");
        await search.UpsertAsync("CN", "13800138000", "V1");

        Assert.Equal(["US"], (await search.SearchAsync("+1 415 555", 10)).Select(h => h.MemberId));
        Assert.Equal(["US"], (await search.SearchAsync("14155550100", 10)).Select(h => h.MemberId));
        Assert.Empty(await search.SearchAsync("+44 138 0013", 10));
    }

    [Fact]
    public async Task AuditReadsTheRangeNewestFirstAndARetriedActionIsOneRow()
    {
        var audit = new AzureTableAuditLog(StorageClients.Tables(), _audit);
        var t0 = new DateTimeOffset(2026, 3, 9, 23, 30, 0, TimeSpan.Zero);
        AuditEntry Entry(string id, DateTimeOffset at) => new()
        {
            AuditId = id, At = at, Actor = "Wang Fang", Role = "support", Action = "member.adjustment", Target = "M1",
            Detail = "points +5", Reason = "goodwill",
        };

        await audit.AppendAsync(Entry("a1", t0));
        await audit.AppendAsync(Entry("a2", t0.AddHours(1)));
        await audit.AppendAsync(Entry("a2", t0.AddHours(1).AddSeconds(3)));
        await audit.AppendAsync(Entry("a3", t0.AddDays(2)));

        var read = await audit.ReadAsync(t0, t0.AddDays(1), 100);
        Assert.Equal(["a2", "a1"], read.Select(e => e.AuditId));
        Assert.Equal(("Wang Fang", "goodwill", t0.AddHours(1)), (read[0].Actor, read[0].Reason, read[0].At));
        Assert.Single(await audit.ReadAsync(t0, t0.AddDays(1), 1));
        Assert.Empty(await audit.ReadAsync(t0.AddDays(1), t0, 100));
    }

    [Fact]
    public async Task ActionsWhoseIdsDifferOnlyInCharactersARowKeyMayNotHoldAreTwoRows()
    {
        var audit = new AzureTableAuditLog(StorageClients.Tables(), _audit);
        var at = new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero);
        AuditEntry Entry(string adjustmentId, string detail) => new()
        {
            AuditId = "adjustment|M8|" + adjustmentId, At = at, Actor = "Li Na", Role = "support", Action = "member.adjustment",
            Target = "M8", Detail = detail, Reason = "tickets",
        };

        // Two distinct adjustments (the member applies both): ids a client may choose, 1–128 characters of any kind.
        await audit.AppendAsync(Entry("ticket/12", "points +10"));
        await audit.AppendAsync(Entry("ticket#12", "points +20"));
        await audit.AppendAsync(Entry("ticket_12", "points +30"));

        var read = await audit.ReadAsync(at.AddHours(-1), at.AddHours(1), 100);
        Assert.Equal(
            ["adjustment|M8|ticket#12", "adjustment|M8|ticket/12", "adjustment|M8|ticket_12"],
            read.Select(e => e.AuditId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ActionsWhoseLongIdsDifferOnlyPastTheRowKeyLimitAreTwoRowsAndARetryIsStillOne()
    {
        var audit = new AzureTableAuditLog(StorageClients.Tables(), _audit);
        var at = new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero);
        AuditEntry Entry(string adjustmentId, string detail) => new()
        {
            AuditId = "adjustment|M9|" + adjustmentId, At = at, Actor = "Li Na", Role = "support", Action = "member.adjustment",
            Target = "M9", Detail = detail, Reason = "tickets",
        };

        // 128 code points each (the most an adjustment id may take), all but the last a slash: escaped, 640+ characters,
        // past the 512 a row key holds. Cutting the key would make them one row and silently drop the second action.
        var first = new string('/', 127) + "a";
        var second = new string('/', 127) + "b";
        await audit.AppendAsync(Entry(first, "points +10"));
        await audit.AppendAsync(Entry(second, "points +20"));
        await audit.AppendAsync(Entry(first, "points +10"));

        var read = await audit.ReadAsync(at.AddHours(-1), at.AddHours(1), 100);
        Assert.Equal(
            [("adjustment|M9|" + first, "points +10"), ("adjustment|M9|" + second, "points +20")],
            read.Select(e => (e.AuditId, e.Detail)).OrderBy(e => e.AuditId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnActionAuditedUnderTheOldCutKeyIsRecognisedWhenRetriedAndAnotherIdSharingThatKeyIsStillRecorded()
    {
        var audit = new AzureTableAuditLog(StorageClients.Tables(), _audit);
        await audit.InitializeAsync();
        var recorded = new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.Zero);
        AuditEntry Entry(string adjustmentId, DateTimeOffset at, string detail) => new()
        {
            AuditId = "adjustment|M6|" + adjustmentId, At = at, Actor = "Li Na", Role = "support", Action = "member.adjustment",
            Target = "M6", Detail = detail, Reason = "tickets",
        };

        // What the code before hashed keys wrote for an id whose escaped key passed 512 characters: the id row and the day
        // row, both keyed by the escaped id ("adjustment|M6|", then "~002F" per slash) cut at its first 512 characters.
        var old = Entry(new string('/', 127) + "a", recorded, "points +10");
        var legacyKey = ("adjustment|M6|" + string.Concat(Enumerable.Repeat("~002F", 127)) + "a")[..512];
        var table = StorageClients.Tables().GetTableClient(_audit);
        await table.AddEntityAsync(new TableEntity("id", legacyKey) { ["At"] = recorded });
        await table.AddEntityAsync(new TableEntity(recorded.ToString("yyyyMMdd", CultureInfo.InvariantCulture), legacyKey)
        {
            ["AuditId"] = old.AuditId, ["At"] = recorded, ["Actor"] = old.Actor, ["Role"] = old.Role, ["Action"] = old.Action,
            ["Target"] = old.Target, ["Detail"] = old.Detail, ["Reason"] = old.Reason,
        });

        // The client's retry of that old action, a day later; then another action whose id differs only past the cut.
        await audit.AppendAsync(old with { At = recorded.AddDays(1) });
        var other = Entry(new string('/', 127) + "b", recorded.AddHours(2), "points +20");
        await audit.AppendAsync(other);
        await audit.AppendAsync(other with { At = recorded.AddDays(2) });

        var read = await audit.ReadAsync(recorded.AddDays(-1), recorded.AddDays(5), 100);
        Assert.Equal(
            [(old.AuditId, recorded, "points +10"), (other.AuditId, recorded.AddHours(2), "points +20")],
            read.Select(e => (e.AuditId, e.At, e.Detail)).OrderBy(e => e.At));
    }

    // "adjustment|M8|" (14) and 99 escaped slashes (495) and "ab" are 511 units: the 512th is the high half of 😀, so the old
    // cut key ends inside a surrogate pair. No row could be written under it; the action is recorded and its retry is one row.
    [Fact]
    public async Task AnIdWhoseOldCutKeyEndsInsideASurrogatePairIsRecordedOnceWithoutAskingForThatKey()
    {
        var audit = new AzureTableAuditLog(StorageClients.Tables(), _audit);
        await audit.InitializeAsync();
        var at = new DateTimeOffset(2026, 3, 10, 10, 0, 0, TimeSpan.Zero);
        var entry = new AuditEntry
        {
            AuditId = "adjustment|M8|" + new string('/', 99) + "ab😀x", At = at, Actor = "Li Na", Role = "support",
            Action = "member.adjustment", Target = "M8", Detail = "points +30", Reason = "tickets",
        };
        Assert.True(char.IsHighSurrogate(("adjustment|M8|" + string.Concat(Enumerable.Repeat("~002F", 99)) + "ab😀x")[511]));

        await audit.AppendAsync(entry);
        await audit.AppendAsync(entry with { At = at.AddDays(1) });

        var read = await audit.ReadAsync(at.AddDays(-1), at.AddDays(3), 100);
        var row = Assert.Single(read);
        Assert.Equal((entry.AuditId, at), (row.AuditId, row.At));
    }

    [Fact]
    public async Task AnActionRetriedOnALaterUtcDayIsStillOneRowAtItsFirstInstant()
    {
        var audit = new AzureTableAuditLog(StorageClients.Tables(), _audit);
        var first = new DateTimeOffset(2026, 3, 9, 23, 59, 0, TimeSpan.Zero);
        AuditEntry Entry(DateTimeOffset at) => new()
        {
            AuditId = "adjustment|M7|goodwill-7", At = at, Actor = "Li Na", Role = "support", Action = "member.adjustment",
            Target = "M7", Detail = "points +50", Reason = "parcel arrived late",
        };

        await audit.AppendAsync(Entry(first));
        await audit.AppendAsync(Entry(first.AddMinutes(2))); // the client's retry, replayed by the member, after midnight UTC
        await audit.AppendAsync(Entry(first.AddDays(3)));

        var read = await audit.ReadAsync(first.AddDays(-1), first.AddDays(5), 100);
        var row = Assert.Single(read);
        Assert.Equal(first, row.At);
    }

    [Fact]
    public async Task APageOfTheNewestEntriesIsTheSameWhetherItsWeeksAreReadOrTheWholeRange()
    {
        var audit = new AzureTableAuditLog(StorageClients.Tables(), _audit);
        var last = new DateTimeOffset(2026, 6, 30, 12, 0, 0, TimeSpan.Zero);
        // One entry every third day for 60 days, around UTC midnight too: nine weeks of partitions.
        var all = Enumerable.Range(0, 20).Select(i => new AuditEntry
        {
            AuditId = "consent|M" + i, At = last.AddDays(-3 * i).AddHours(i % 2 == 0 ? 11.9 : -12), Actor = "Li Na", Role = "support",
            Action = "member.consent", Target = "M" + i, Detail = "sms no", Reason = "asked at the counter",
        }).ToList();
        foreach (var entry in all)
        {
            await audit.AppendAsync(entry);
        }

        var newest = await audit.ReadAsync(last.AddDays(-366), last.AddDays(1), 4);
        var every = await audit.ReadAsync(last.AddDays(-366), last.AddDays(1), 1000);
        var window = await audit.ReadAsync(last.AddDays(-10), last.AddDays(-2), 1000);

        Assert.Equal(all.OrderByDescending(e => e.At).Take(4).Select(e => e.AuditId), newest.Select(e => e.AuditId));
        Assert.Equal(all.OrderByDescending(e => e.At).Select(e => e.AuditId), every.Select(e => e.AuditId));
        Assert.Equal(all.Where(e => e.At >= last.AddDays(-10) && e.At < last.AddDays(-2)).OrderByDescending(e => e.At).Select(e => e.AuditId), window.Select(e => e.AuditId));
    }

    [Fact]
    public async Task ARangeAtTheStartOfTimeReadsNoWeekBeforeYearOne()
    {
        var audit = new AzureTableAuditLog(StorageClients.Tables(), _audit);
        var start = new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

        // Its week would have begun six days before 0001-01-02, which is no date: the read stops at the range's first day.
        var read = await audit.ReadAsync(start, start.AddDays(1), 10);

        Assert.Empty(read);
    }
}
