using System.Text;
using Engagement.Azure.Hosting;
using Engagement.Azure.Storage;
using Engagement.Domain.Members;

namespace Engagement.Azure.Tests.Storage;

/// <summary>
/// Both branches of the serializer's bound: stored characters against the configured bound, and the provider's own cap
/// of 983,040 UTF-8 bytes (<see cref="StoredStateText.ProviderByteCapacity"/>), which Chinese text reaches under the
/// character bound (three bytes, one character each).
/// </summary>
public sealed class BoundedJsonGrainStateSerializerTests
{
    private static readonly BoundedJsonGrainStateSerializer Serializer = new(EngagementStorageOptions.DefaultMaxGrainStateBytes);

    /// <summary>A state of <paramref name="chinese"/> Chinese characters and <paramref name="ascii"/> letters in one string.</summary>
    private static string[] State(int chinese, int ascii) => [new string('会', chinese) + new string('a', ascii)];

    [Fact]
    public void ChineseUnderTheCharacterBoundButOverTheProvidersBytesIsRefusedInUtf8Bytes()
    {
        // 400,000 characters stored (under 491,520), 1,200,000 UTF-8 bytes (over 983,040): the provider would refuse it,
        // so the serializer does, in its unit.
        var state = State(400_000, 0);

        var error = Assert.Throws<GrainStateTooLargeException>(() => Serializer.Serialize(state));

        Assert.Equal((1_200_004L, (long)StoredStateText.ProviderByteCapacity, true), (error.ActualBytes, error.LimitBytes, error.CountsUtf8Bytes));
        Assert.Contains("1,200,004 UTF-8 bytes, over the 983,040 the table provider accepts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChineseJustUnderTheProvidersBytesIsWritten()
    {
        // ["…"]: 4 bytes of brackets and quotes, 327,678 Chinese characters (983,034 bytes) and 2 letters: exactly 983,040.
        var state = State(327_678, 2);

        var data = Serializer.Serialize(state);

        Assert.Equal(StoredStateText.ProviderByteCapacity, data.ToMemory().Length);
        Assert.Equal(327_684, StoredStateText.Characters(data.ToMemory().Span));
        Assert.Equal(state, Serializer.Deserialize<string[]>(data));
        Assert.Throws<GrainStateTooLargeException>(() => Serializer.Serialize(State(327_678, 3)));
    }

    [Fact]
    public void AsciiOverTheCharacterBoundIsRefusedInStoredCharacters()
    {
        // 491,520 characters in all is the row; one more is refused, counted in characters.
        Assert.Equal(EngagementStorageOptions.DefaultMaxGrainStateBytes, Serializer.Serialize(State(0, 491_516)).ToMemory().Length);

        var error = Assert.Throws<GrainStateTooLargeException>(() => Serializer.Serialize(State(0, 491_517)));

        Assert.Equal((491_521L, 491_520L, false), (error.ActualBytes, error.LimitBytes, error.CountsUtf8Bytes));
        Assert.Contains("491,521 stored characters, over the bound of 491,520 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MixedTextOverTheCharacterBoundButUnderTheBytesIsRefusedInStoredCharacters()
    {
        // 100,000 Chinese and 391,517 letters: 491,521 characters, 691,521 bytes (under the provider's cap).
        var state = State(100_000, 391_517);
        Assert.Equal(691_521, Encoding.UTF8.GetByteCount(System.Text.Json.JsonSerializer.Serialize(state, Grains.Hosting.JsonGrainStateSerializer.Options)));

        var error = Assert.Throws<GrainStateTooLargeException>(() => Serializer.Serialize(state));

        Assert.Equal((491_521L, 491_520L, false), (error.ActualBytes, error.LimitBytes, error.CountsUtf8Bytes));
    }
}
