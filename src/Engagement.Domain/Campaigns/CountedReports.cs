using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Campaigns;

/// <summary>
/// The reports (outcome moves, attributed purchases) a campaign counted lately, by their deterministic report id, so
/// that a report sent again (its answer timed out, or the member's write confirming it failed and the member's outbox
/// sent it once more) is counted once. An id is kept only while its member may still send the report again: once the
/// member has stored the report as confirmed it says so (<see cref="Forget"/>), so the ids held are the reports in
/// flight, not the campaign's history, and a retry is recognised however many other reports came in between. Bounded:
/// at most <c>capacity</c> ids, each a 64-bit digest (about 20 bytes of JSON); only when more reports than that are
/// unconfirmed at once is the oldest forgotten first, and its repeat would count again. Persisted inside the campaign's
/// state, in the same write as the counters it guards.
/// </summary>
public sealed class CountedReports
{
    private HashSet<long>? _index;

    /// <summary>Digests of the counted report ids, oldest first (persisted).</summary>
    public List<long> Digests { get; set; } = [];

    /// <summary>How many report ids are remembered now.</summary>
    [JsonIgnore]
    public int Count => Digests.Count;

    /// <summary>
    /// True when <paramref name="reportId"/> was not counted yet: it is remembered now (the oldest beyond
    /// <paramref name="capacity"/> forgotten) and the caller counts the report. False for a repeat: count nothing.
    /// </summary>
    /// <param name="reportId">The report's deterministic id (member id and the member's effect id).</param>
    /// <param name="capacity">Ids kept at most (at least 1).</param>
    /// <exception cref="ArgumentException"><paramref name="reportId"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1.</exception>
    public bool TryCount(string reportId, int capacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(reportId);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _index ??= [.. Digests];
        var digest = Digest(reportId);
        if (!_index.Add(digest))
        {
            return false;
        }

        Digests.Add(digest);
        var excess = Digests.Count - capacity;
        if (excess > 0)
        {
            foreach (var old in Digests.Take(excess))
            {
                _index.Remove(old);
            }

            Digests.RemoveRange(0, excess);
        }

        return true;
    }

    /// <summary>
    /// Forgets <paramref name="reportId"/>: its member has stored that it will not send that report again
    /// (<c>ForgetCampaignReport</c>), so remembering it would only push out the ids of reports still in flight. An id not
    /// remembered is ignored. Returns true when it was remembered.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="reportId"/> is null or empty.</exception>
    public bool Forget(string reportId)
    {
        ArgumentException.ThrowIfNullOrEmpty(reportId);
        _index ??= [.. Digests];
        var digest = Digest(reportId);
        if (!_index.Remove(digest))
        {
            return false;
        }

        Digests.Remove(digest);
        return true;
    }

    /// <summary>The first 8 bytes of SHA-256 over the id's UTF-8: stable across processes and releases.</summary>
    public static long Digest(string reportId)
    {
        ArgumentNullException.ThrowIfNull(reportId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(reportId), hash);
        return BitConverter.ToInt64(hash[..8]);
    }
}
