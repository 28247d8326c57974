using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Engagement.Domain.Members;

/// <summary>
/// How grain state JSON is written as stored text, and how its stored size is counted. The official Azure table
/// provider (string format) turns the serializer's UTF-8 bytes into a .NET string and stores it in at most 15 properties
/// of 32K UTF-16 characters (491,520 characters); separately it refuses more than 15 × 64 KiB (983,040) UTF-8 bytes.
/// So the row's real limit counts characters: a Chinese character written as itself takes one, the <c>\uXXXX</c> escape
/// System.Text.Json's web defaults write for it takes six.
/// </summary>
public static class StoredStateText
{
    /// <summary>
    /// The encoder stored state JSON is written with: letters, digits and most assigned Basic Multilingual Plane characters
    /// as themselves (Chinese of the BMP's CJK ideographs as itself, one stored character, not <c>\uXXXX</c>). Still
    /// escaped, six stored characters each: HTML-sensitive characters (<c>&lt; &gt; &amp; ' " + `</c>), control characters,
    /// and the BMP characters the encoder never allows: unassigned code points, private use (U+E000…), format characters
    /// such as U+FEFF and the separators U+2028/U+2029. Characters outside that plane (emoji, CJK Extension B such as 𠮷:
    /// a surrogate pair) are escaped as two, twelve stored characters, so the stored text has no surrogate for the
    /// provider's 32K-character split to cut. Storage JSON, never put in HTML (StoredStateTextTests pins it).
    /// Rows written with escapes (before this encoder) read the same: JSON escapes decode to the same strings.
    /// </summary>
    public static JavaScriptEncoder Encoder { get; } = JavaScriptEncoder.Create(UnicodeRanges.All);

    /// <summary>
    /// What one row of the official table provider holds in string format: 15 properties of 32K UTF-16 characters
    /// (491,520). The provider drops whatever does not fit without an error.
    /// </summary>
    public const int ProviderCharacterCapacity = 15 * 32 * 1024;

    /// <summary>The most UTF-8 bytes the provider accepts for one state: 15 properties of 64 KiB (983,040).</summary>
    public const int ProviderByteCapacity = 15 * 64 * 1024;

    /// <summary>
    /// The stored size of UTF-8 JSON: its length in UTF-16 characters, what the provider's 15 × 32K-character row
    /// counts. Never more than the UTF-8 byte count (ASCII counts one each, Chinese one for three bytes).
    /// </summary>
    /// <param name="utf8Json">The serialized state, UTF-8.</param>
    public static int Characters(ReadOnlySpan<byte> utf8Json) => Encoding.UTF8.GetCharCount(utf8Json);
}
