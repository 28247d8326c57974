using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Campaigns;

/// <summary>
/// The reports (outcome moves, attributed purchases) a campaign counted lately, by their deterministic report id, so
/// that a report sent again (its answer timed out, or the member's write confirming it failed and the member's outbox
/// sent it once more) is counted once. Bounded: the newest <c>capacity</c> ids are kept, each as a 64-bit digest
/// (about 20 bytes of JSON), oldest forgotten first; a repeat arriving after that many newer reports would count again.
/// Persisted inside the campaign's state, in the same write as the counters it guards.
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

    /// <summary>The first 8 bytes of SHA-256 over the id's UTF-8: stable across processes and releases.</summary>
    public static long Digest(string reportId)
    {
        ArgumentNullException.ThrowIfNull(reportId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(reportId), hash);
        return BitConverter.ToInt64(hash[..8]);
    }
}
