using System.Text.Json;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The alert book's resolved history is bounded by its stored size as well as by its count
/// (<see cref="AlertBook.HistoryMaxBytes"/>), so the book always fits the 480 KiB grain-state bound.
/// </summary>
public sealed class AlertHistorySizeTests
{
    private const int HistoryLimit = 500; // AlertOptions' default
    private const int GrainStateBound = 480 * 1024; // Engagement:Storage:MaxGrainStateBytes' default
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web); // as the alerts grain stores it

    /// <summary>
    /// 600 data.anomaly alerts with the longest message the grain keeps (500 characters), all Chinese (6 bytes each in the
    /// stored JSON), each resolved (its text then kept twice): before the byte bound the history kept 500 of them, about
    /// 3 MB, and every write of the book was refused. Now the stored book stays under the grain-state bound, the history
    /// under its byte bound, the newest kept and the oldest dropped, and an open alert stays open.
    /// </summary>
    [Fact]
    public void AHistoryOfTheLongestChineseMessagesStaysUnderTheStateBound()
    {
        var text = string.Concat(Enumerable.Repeat("数据备份失败请检查存储账户", 40))[..500];
        var book = AlertBook.Raise(new AlertBookState(), AlertRules.DataAnomaly, "ledger-archive", null, null, text, Now);
        for (var i = 0; i < 600; i++)
        {
            var at = Now.AddMinutes(i + 1);
            book = AlertBook.Raise(book, AlertRules.DataAnomaly, $"backup-{i}", null, null, text, at);
            book = AlertBook.Resolve(book, AlertRules.DataAnomaly, $"backup-{i}", null, at, HistoryLimit);
            book = AlertBook.Published(book, book.Outbox.Select(r => r.MessageId).ToList()); // as the grain does after each write
        }

        var stored = JsonSerializer.SerializeToUtf8Bytes(book, Stored).Length;
        var history = JsonSerializer.SerializeToUtf8Bytes(book.History, Stored).Length;
        Assert.True(stored <= GrainStateBound, $"the stored book measures {stored} bytes, over {GrainStateBound}");
        Assert.True(history <= AlertBook.HistoryMaxBytes, $"the history measures {history} bytes, over {AlertBook.HistoryMaxBytes}");
        Assert.Equal(42, book.History.Count); // docs/console.md: 42 are kept with such texts (41 before alerts were stored compactly); bounded by bytes here, not by count
        Assert.Equal("data.anomaly:backup-599:1", book.History[0].AlertId); // the newest kept
        Assert.Equal($"data.anomaly:backup-{600 - book.History.Count}:1", book.History[^1].AlertId); // the oldest dropped first
        Assert.Equal(text, book.History[0].RaisedMessage);
        Assert.Equal("data.anomaly:ledger-archive:1", Assert.Single(book.Open.Values).AlertId); // never an open alert
    }

    /// <summary>Short English alerts are still bounded by the count, not the bytes.</summary>
    [Fact]
    public void ShortAlertsAreStillBoundedByTheirCount()
    {
        var book = new AlertBookState();
        for (var i = 0; i < 12; i++)
        {
            book = AlertBook.Raise(book, AlertRules.DataAnomaly, $"backup-{i}", null, null, "backup failed", Now.AddMinutes(i));
            book = AlertBook.Resolve(book, AlertRules.DataAnomaly, $"backup-{i}", null, Now.AddMinutes(i), 10);
        }

        Assert.Equal(10, book.History.Count);
        Assert.Equal("data.anomaly:backup-11:1", book.History[0].AlertId);
        Assert.Equal("data.anomaly:backup-2:1", book.History[^1].AlertId);
    }
}
