using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Byte bounds of the stored alert book, so the alerts grain's one row always holds it and no write of it is refused for
/// its size. The official Azure table provider (Microsoft.Orleans.Persistence.AzureStorage 10.x,
/// <c>AzureTableGrainStorage</c>, string format) splits the state's JSON into at most 15 properties of 32K UTF-16
/// characters, 491,520 characters (what <c>Engagement:Storage:MaxGrainStateBytes</c> allows at most), and silently drops
/// a longer rest; stored JSON escapes every non-ASCII character, so characters are bytes. The book is kept within
/// <see cref="BookMaxBytes"/>, 20 KiB under that. Sizes are UTF-8 bytes of the JSON as stored
/// (<see cref="AlertBook.StoredBytes(AlertRecord)"/>, <see cref="AlertRecordJsonConverter"/>), counted per part as the
/// book changes, never by serialising the whole book. Capacity, measured (AlertBookBoundsTests): every alert that can be
/// open at once, 4 regional rules × 257 regions (256 kept, <c>ProgrammeRegionsGrain.MaxRegions</c>, and
/// <c>_other</c>) + 5 programme-wide = 1,033, fits with region ids of up to 16 characters.
/// </summary>
public static class AlertBookBounds
{
    /// <summary>
    /// The whole stored book, bytes: 460 KiB (471,040), 20 KiB under the provider's 491,520 characters for the property
    /// names and rounding. Open alerts, the outbox and the episode numbers come first; the resolved history gives way to
    /// them (oldest dropped first). A raise that would take them past it (less <see cref="ProgrammeReserveBytes"/> for a
    /// regional one) is refused. A resolve may take the book up to <see cref="ResolveMaxBytes"/>.
    /// </summary>
    public const int BookMaxBytes = 460 * 1024;

    /// <summary>
    /// The whole stored book a resolve may take it to, bytes: 476 KiB (487,424), 4 KiB under the provider's 491,520
    /// characters, or the book's own size when it was larger (a resolve never makes such a book larger). Above
    /// <see cref="BookMaxBytes"/> so that alerts resolve while the queue refuses (each resolve adds its message to the
    /// outbox) and so that a book stored larger than <see cref="BookMaxBytes"/> before these bounds (up to the 491,520 the
    /// row held) loads and drains: its resolves go through, the outbox is published, and it shrinks.
    /// </summary>
    public const int ResolveMaxBytes = 476 * 1024;

    /// <summary>
    /// Kept for programme-wide alerts (region <see cref="AlertRules.AllRegions"/>, <see cref="AlertRules.DataAnomaly"/>),
    /// bytes: 16 KiB (16,384), which regional raises may not use, so regions cannot crowd out the programme's own alerts.
    /// </summary>
    public const int ProgrammeReserveBytes = 16 * 1024;

    /// <summary>
    /// The unpublished outbox a raise may grow to, bytes: 64 KiB (65,536). Past it the raise waits: the alerts grain
    /// publishes, empties the outbox and applies the evaluation again, so many alerts raised at once are written in parts
    /// instead of holding every one twice (open and queued) in one write; while the queue refuses, the raise is refused
    /// and judged again at the next evaluation.
    /// </summary>
    public const int OutboxRaiseMaxBytes = 64 * 1024;

    /// <summary>
    /// The episode numbers (<see cref="AlertBookState.Episodes"/>), bytes: 64 KiB (65,536), every rule and region pair
    /// that can exist (1,033) with region ids of up to 32 characters. Past it, numbers of pairs with no open alert are
    /// forgotten and <see cref="AlertBookState.EpisodeFloor"/> raised above them, so an alert id is never reused.
    /// </summary>
    public const int EpisodesMaxBytes = 64 * 1024;

    /// <summary>
    /// The book's property names, brackets and <c>lastEvaluatedAt</c> (160, counted generously), the record of
    /// refused raises at its largest (<see cref="AlertRaisesRefused.MaxBytes"/>) and the anomaly sources' latest reports
    /// at theirs (<see cref="AnomalyResolves.MaxBytes"/>), bytes: 1,696.
    /// </summary>
    internal const int FixedBytes = 160 + AlertRaisesRefused.MaxBytes + AnomalyResolves.MaxBytes;

    private static readonly ConditionalWeakTable<AlertRecord, StrongBox<int>> RecordBytes = new();

    /// <summary>Stored bytes of <paramref name="record"/>, computed once per record instance.</summary>
    internal static int Bytes(AlertRecord record) => RecordBytes.GetValue(record, r => new StrongBox<int>(AlertBook.StoredBytes(r))).Value;

    /// <summary>Stored bytes of a dictionary key with its quotes, colon and comma.</summary>
    internal static int KeyBytes(string key) => JsonEncodedText.Encode(key).EncodedUtf8Bytes.Length + 4;

    /// <summary>An open alert's entry: its key and record.</summary>
    internal static int OpenEntry(string key, AlertRecord record) => KeyBytes(key) + Bytes(record);

    /// <summary>An episode number's entry: its key and digits.</summary>
    internal static int EpisodeEntry(string key, int episode) => KeyBytes(key) + Digits(episode);

    private static int Digits(int n) => n < 10 ? 1 : n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    /// <summary>Whether a raise of <paramref name="rule"/> in <paramref name="regionId"/> may use <see cref="ProgrammeReserveBytes"/>.</summary>
    internal static bool ProgrammeWide(string rule, string regionId) => rule == AlertRules.DataAnomaly || regionId == AlertRules.AllRegions;
}

/// <summary>
/// Byte totals of a book's parts as stored (<see cref="AlertBookBounds"/>), counted per record (each record's JSON
/// measured once) and kept running by <see cref="AlertBook.Evaluate"/> as the book changes.
/// </summary>
public sealed class AlertBookSizes
{
    /// <summary>Open alerts with their keys, bytes.</summary>
    public int Open { get; internal set; }

    /// <summary>The unpublished outbox, bytes.</summary>
    public int Outbox { get; internal set; }

    /// <summary>The episode numbers with their keys, bytes.</summary>
    public int Episodes { get; internal set; }

    /// <summary>The resolved history, bytes.</summary>
    public int History { get; internal set; }

    /// <summary>Open alerts, outbox and episode numbers: what the history gives way to.</summary>
    public int Active => Open + Outbox + Episodes;

    /// <summary>The whole book.</summary>
    public int Total => Active + History + AlertBookBounds.FixedBytes;

    /// <summary>The totals of <paramref name="state"/>.</summary>
    public static AlertBookSizes Of(AlertBookState state) => state is null ? throw new ArgumentNullException(nameof(state)) : new()
    {
        Open = state.Open.Sum(p => AlertBookBounds.OpenEntry(p.Key, p.Value)),
        Outbox = state.Outbox.Sum(r => AlertBookBounds.Bytes(r) + 1),
        Episodes = state.Episodes.Sum(p => AlertBookBounds.EpisodeEntry(p.Key, p.Value)),
        History = state.History.Sum(r => AlertBookBounds.Bytes(r) + 1),
    };
}

/// <summary>A change an evaluation could not make within the book's bounds (<see cref="AlertBookBounds"/>).</summary>
/// <param name="Change"><c>raise</c> or <c>resolve</c>.</param>
/// <param name="Rule">The rule.</param>
/// <param name="RegionId">The region, <see cref="AlertRules.AllRegions"/>, or an anomaly's source.</param>
/// <param name="Waits">True when only the unpublished outbox stood in the way (<see cref="AlertBookBounds.OutboxRaiseMaxBytes"/>): it fits once the outbox is published.</param>
public sealed record AlertRefusal(string Change, string Rule, string RegionId, bool Waits);

/// <summary>The book after an evaluation and the changes its bounds refused (empty when everything fit).</summary>
public sealed record AlertEvaluation(AlertBookState State, IReadOnlyList<AlertRefusal> Refused);
