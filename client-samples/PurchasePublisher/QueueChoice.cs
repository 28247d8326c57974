using System.Globalization;
using System.Text;

namespace PurchasePublisher;

// Which queue an event goes to (CONTRACT.md §1):
//
//     queue = "{prefix}-{fnv1a32(utf8(memberId)) mod N}"      e.g. engagement-events-2
//
// All of one member's events then land on one queue and stay in order. (The engine is
// correct whatever queue an event lands in; this only keeps each member's events in order.)
//
// FNV-1a, 32-bit:
//
//     hash = 2166136261                      offset basis (0x811C9DC5)
//     for each byte b of the UTF-8 encoding of memberId:
//         hash = hash XOR b                  first XOR ...
//         hash = (hash * 16777619) mod 2^32  ... then multiply by the FNV prime (0x01000193)
//     queue index = hash mod N               hash read as an UNSIGNED 32-bit number
//
// Check values: fnv1a32("") = 2166136261 (0x811c9dc5), fnv1a32("a") = 0xe40c292c,
// fnv1a32("M000123") and its queue: run `PurchasePublisher hash M000123`.
//
// Pitfalls when porting:
//   - Hash the UTF-8 bytes, not UTF-16 chars; do not trim, lowercase or normalise the id.
//   - The multiplication must wrap at 32 bits and the modulo must be unsigned:
//       Java:       int h = 0x811C9DC5; for (byte b : id.getBytes(UTF_8)) { h ^= (b & 0xFF); h *= 0x01000193; }
//                   int q = Integer.remainderUnsigned(h, n);
//       JavaScript: let h = 0x811C9DC5; for (const b of new TextEncoder().encode(id)) { h = Math.imul(h ^ b, 0x01000193) >>> 0; }
//                   const q = h % n;
//       Go:         h := uint32(2166136261); for _, b := range []byte(id) { h ^= uint32(b); h *= 16777619 }; q := h % uint32(n)
//       Python:     h = 2166136261; for b in id.encode(): h = ((h ^ b) * 16777619) & 0xFFFFFFFF; q = h % n
//   - FNV-1 (multiply first, then XOR) gives different numbers; the contract is FNV-1a.

/// <summary>The queue a member's events go to: FNV-1a (32-bit) of the UTF-8 member id, mod N.</summary>
public static class QueueChoice
{
    /// <summary>FNV-1a 32-bit offset basis.</summary>
    public const uint OffsetBasis = 2166136261;

    /// <summary>FNV 32-bit prime.</summary>
    public const uint Prime = 16777619;

    /// <summary>FNV-1a over bytes.</summary>
    public static uint Fnv1a32(ReadOnlySpan<byte> bytes)
    {
        var hash = OffsetBasis;
        foreach (var b in bytes)
        {
            hash ^= b;                        // XOR the byte in first (that is the "1a")
            hash = unchecked(hash * Prime);   // then multiply; uint arithmetic wraps at 2^32
        }

        return hash;
    }

    /// <summary>FNV-1a over the UTF-8 bytes of a string.</summary>
    public static uint Fnv1a32(string text) => Fnv1a32(Encoding.UTF8.GetBytes(text));

    /// <summary>The queue index, 0..queueCount-1, for a member id.</summary>
    public static int QueueIndex(string memberId, int queueCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        return (int)(Fnv1a32(memberId) % (uint)queueCount);
    }

    /// <summary>The queue name for an index: <c>{prefix}-{index}</c>.</summary>
    public static string QueueName(string prefix, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{index}");
}
