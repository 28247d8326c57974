using System.Text;
using System.Text.Json;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// What the stored-state encoder (<see cref="StoredStateText.Encoder"/>) writes as itself and what it escapes, pinned: the
/// row's size rules (MemberStateSizes, OrderIds) and the provider's 32K-character split both depend on it.
/// </summary>
public sealed class StoredStateTextTests
{
    private static readonly JsonSerializerOptions Storage = new(JsonSerializerDefaults.Web) { Encoder = StoredStateText.Encoder };

    /// <summary>The provider's property size: it cuts the stored string every 32K UTF-16 characters.</summary>
    private const int PropertyCharacters = 32 * 1024;

    /// <summary>The stored text of <paramref name="value"/> as a JSON string, quotes left out.</summary>
    private static string StoredText(string value)
    {
        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, Storage));
        return json[1..^1];
    }

    [Theory]
    [InlineData("会员积分兑换", "会员积分兑换")] // CJK: one stored character each
    [InlineData("Ünïcødé ñ é", "Ünïcødé ñ é")] // other BMP letters too
    [InlineData("A-1_b.c:d/e~f|g@h#i$j%k(l)m*n,o;p=q?r!s", "A-1_b.c:d/e~f|g@h#i$j%k(l)m*n,o;p=q?r!s")]
    [InlineData("+", "\\u002B")]
    [InlineData("&", "\\u0026")]
    [InlineData("<", "\\u003C")]
    [InlineData(">", "\\u003E")]
    [InlineData("'", "\\u0027")]
    [InlineData("\"", "\\u0022")]
    [InlineData("`", "\\u0060")]
    [InlineData("\\", "\\\\")]
    [InlineData("\u0001", "\\u0001")]
    [InlineData("\n", "\\n")]
    [InlineData("\u007F", "\\u007F")]
    [InlineData("😀", "\\uD83D\\uDE00")] // outside the BMP: a surrogate pair, 12 stored characters
    [InlineData("𠮷", "\\uD842\\uDFB7")] // CJK Extension B is outside the BMP too: Chinese, yet 12 stored characters
    [InlineData("\uE000", "\\uE000")] // BMP, but private use: escaped
    [InlineData("\uFEFF", "\\uFEFF")] // BMP format character (byte-order mark): escaped
    [InlineData("\u2028", "\\u2028")] // BMP line separator: escaped
    [InlineData("\u0378", "\\u0378")] // BMP, unassigned: escaped
    public void TheEncoderKeepsAssignedBmpTextAndEscapesTheRest(string value, string stored)
    {
        Assert.Equal(stored, StoredText(value));
        Assert.Equal(stored.Length, StoredStateText.Characters(Encoding.UTF8.GetBytes(stored)));
    }

    [Fact]
    public void ALoneSurrogateIsStoredAsAnEscapedReplacementCharacterNeverAsItself()
    {
        // In code, not as test data (a test runner cannot carry a lone surrogate intact): six stored characters each.
        Assert.Equal("\\uFFFD", StoredText("\uD83D"));
        Assert.Equal("\\uFFFD", StoredText("\uDE00"));
        Assert.Equal("a\\uFFFD\\uFFFDb", StoredText("a\uDE00\uD83Db")); // a low then a high: not a pair, each replaced
        Assert.DoesNotContain(StoredText("a\uDE00\uD83Db"), char.IsSurrogate);
    }

    [Fact]
    public void TheWorstIdCharactersTakeSixAndTwelveStoredCharactersEach()
    {
        // What the size rules must allow for: an id of 128 code points stores as 128 (Chinese), 768 (+ & < > ' ") or
        // 1,536 (emoji) characters.
        Assert.Equal(128, StoredText(new string('兑', 128)).Length);
        Assert.Equal(768, StoredText(new string('+', 128)).Length);
        Assert.Equal(1_536, StoredText(string.Concat(Enumerable.Repeat("😀", 128))).Length);
    }

    [Fact]
    public void TheProvidersSplitEveryThirtyTwoKCharactersNeverCutsASurrogatePair()
    {
        // The stored text has no surrogate at all (emoji and lone surrogates are escaped), so wherever the provider cuts it
        // no piece ends half a character; pieces of it at every 32K boundary decode back to the same value.
        static string Piece(int i, bool read) => (i % 4) switch
        {
            0 => "😀",
            1 => "会",
            2 => read ? "\uFFFD" : "\uD83D", // a lone surrogate reads back as the replacement character
            _ => "a",
        };
        var value = string.Concat(Enumerable.Range(0, 20_000).Select(i => Piece(i, read: false)));
        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(new[] { value, value }, Storage));

        Assert.True(json.Length > 3 * PropertyCharacters, $"{json.Length} characters: too short to be split");
        Assert.DoesNotContain(json, char.IsSurrogate);
        var pieces = json.Chunk(PropertyCharacters).Select(p => new string(p)).ToList();
        Assert.All(pieces, p => Assert.False(char.IsHighSurrogate(p[^1])));
        var back = JsonSerializer.Deserialize<string[]>(string.Concat(pieces), Storage)!;
        Assert.Equal(string.Concat(Enumerable.Range(0, 20_000).Select(i => Piece(i, read: true))), back[0]);
        Assert.Equal(back[0], back[1]);
        Assert.Contains("😀", back[0], StringComparison.Ordinal);
    }
}
