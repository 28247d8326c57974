using System.Text;

namespace Engagement.Domain.Campaigns;

/// <summary>Stable hashes for assignment: the same input gives the same bucket in every process and every release.</summary>
public static class StableHash
{
    /// <summary>
    /// FNV-1a, 32-bit (offset basis 2166136261, prime 16777619) over UTF-8: the one in CONTRACT.md §1. The bytes are
    /// encoded on the stack (up to 512 of them), so a member id's hash (every outcome's metric shard) allocates nothing.
    /// </summary>
    public static uint Fnv1a32(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var hash = 2166136261u;
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var buffer = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var count = Encoding.UTF8.GetBytes(value, buffer);
        foreach (var b in buffer[..count])
        {
            hash ^= b;
            hash = unchecked(hash * 16777619u);
        }

        return hash;
    }

    /// <summary>
    /// A uniform number in [0, 1): FNV-1a followed by the MurmurHash3 32-bit finalizer. FNV-1a alone spreads its
    /// last input bytes poorly into the high bits, which a weighted split reads; the finalizer mixes every bit.
    /// </summary>
    public static double Unit(string value)
    {
        var h = Fnv1a32(value);
        h ^= h >> 16;
        h = unchecked(h * 0x85ebca6bu);
        h ^= h >> 13;
        h = unchecked(h * 0xc2b2ae35u);
        h ^= h >> 16;
        return h / 4294967296.0;
    }
}
