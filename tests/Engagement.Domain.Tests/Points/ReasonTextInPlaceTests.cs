using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// The words a ledger reason is made of — what a purchase earned (<see cref="EarningPolicy.Describe"/>), an amount
/// (<see cref="Money.Describe"/>), the late event a correction names (<see cref="CorrectionCause"/>) — are written
/// straight into the reason that contains them: the reason is the one string made. Their text is what it always was
/// (stored in the ledger, so it must not move; the whole stored state is pinned by <c>PersistedBytesPinTests</c>). What
/// that saves per event is measured by the bench's <c>rules</c> scenario (bench/results/rules-2026-12-06-repricing.md);
/// here, that the purchase path writes the earning's words in place is pinned by what longer words cost it.
/// </summary>
public sealed class ReasonTextInPlaceTests
{
    [Fact]
    public void TheWordsAreWhatTheyWere()
    {
        var options = new ProgramOptions();
        Assert.Equal("at V2 ×1.2", EarningPolicy.Describe(new EarningPolicy.Earning(120, "V2", 1.2m, false, 1m)));
        Assert.Equal("at V1 ×1.0, first purchase ×2", EarningPolicy.Describe(new EarningPolicy.Earning(200, "V1", 1m, true, 2m)));
        Assert.Equal("at V3 ×1.25, first purchase ×1.5", EarningPolicy.Describe(new EarningPolicy.Earning(200, "V3", 1.25m, true, 1.5m)));
        Assert.Equal("268.50 CNY", Money.Describe(268.5m, null, null, options));
        var usd = new ForeignAmount { Currency = "USD", Amount = 100m, Rate = 7.1m };
        Assert.Equal("100 USD at 7.1 = 710.00 CNY", Money.Describe(710m, usd, null, options));
        Assert.Equal("40.5 USD at 7.1 = 287.55 CNY", Money.Describe(287.55m, usd, 40.5m, options));
        Assert.Equal(
            "late event e-9, purchase O-1 of 1000.00 CNY that occurred 2026-03-02T02:00:00+00:00",
            new CorrectionCause("e-9", "purchase O-1 of 1000.00 CNY", new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero)).ToString());
    }

    [Fact]
    public void TheLateEventsSentenceIsWrittenIntoTheReasonNotMadeAsAStringOfItsOwn()
    {
        var cause = new CorrectionCause("e-9", "purchase O-1 of 1000.00 CNY", new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero));

        // An interpolated reason writes an ISpanFormattable hole through TryFormat, into its own buffer; any other value it
        // turns into a string first (and a struct is boxed for that).
        var formattable = Assert.IsAssignableFrom<ISpanFormattable>(cause);
        AssertWritesInPlace(formattable, cause.ToString());
        Assert.Equal(
            "purchase O-2 earns 240 points (was 120): " + cause.ToString(),
            string.Create(CultureInfo.InvariantCulture, $"purchase O-2 earns {240} points (was {120}): {cause}"));
    }

    [Fact]
    public void TheEarningAndTheAmountAreWrittenIntoTheReasonNotMadeAsStringsOfTheirOwn()
    {
        var options = new ProgramOptions();
        var earning = new EarningPolicy.Earning(200, "V1", 1m, true, 2m);
        var usd = new ForeignAmount { Currency = "USD", Amount = 100m, Rate = 7.1m };

        AssertWritesInPlace(EarningPolicy.Text(earning), EarningPolicy.Describe(earning));
        AssertWritesInPlace(EarningPolicy.Text(earning with { First = false }), "at V1 ×1.0");
        AssertWritesInPlace(Money.Text(268.5m, null, null, options), "268.50 CNY");
        AssertWritesInPlace(Money.Text(710m, usd, null, options), Money.Describe(710m, usd, null, options));
        Assert.Equal(
            "purchase O-1 of 268.50 CNY at V1 ×1.0, first purchase ×2",
            $"purchase O-1 of {Money.Text(268.5m, null, null, options)} {EarningPolicy.Text(earning)}");
    }

    [Fact]
    public void APurchaseWritesItsEarningsWordsOnlyIntoItsReason()
    {
        // The tier's name is in the earning's words ("at V1 ×1.0") and, for a purchase that moves no tier, in no other
        // string the purchase makes: 100 more characters of it cost the reason 200 bytes, and would cost as much again
        // if the words were made as a string of their own first (EarningPolicy.Describe) and then copied in.
        var shortName = Options("V1");
        var longName = Options(new string('V', 100) + "1");

        var shortBytes = AllocationProbe.FewestBytes(() => Purchase(shortName));
        var longBytes = AllocationProbe.FewestBytes(() => Purchase(longName), shortBytes + 200);

        Assert.Equal(200, longBytes - shortBytes);
    }

    private static ProgramOptions Options(string tier) => new()
    {
        Tiers = new(StringComparer.Ordinal) { [tier] = new() { Threshold = 0, PointsMultiplier = 1m } },
        Benefits = new(StringComparer.Ordinal),
    };

    private static void Purchase(ProgramOptions options)
    {
        var at = new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);
        var state = new MemberState { MemberId = "M1" };
        var (status, _) = PurchasePolicy.Apply(state, new MemberEvent("e1", MemberEventTypes.Purchase, at) { OrderId = "O-1", Amount = 100m }, options, at, new RuleChanges());
        Assert.Equal(EventStatus.Applied, status);
    }

    /// <summary>
    /// <paramref name="value"/> writes exactly <paramref name="words"/> into a buffer with room for them, and into one
    /// a character short writes nothing and says so (the interpolated string then grows its buffer and asks again).
    /// </summary>
    private static void AssertWritesInPlace(ISpanFormattable value, string words)
    {
        var buffer = new char[words.Length + 8];
        Assert.True(value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture));
        Assert.Equal(words, new string(buffer, 0, written));
        Assert.False(value.TryFormat(buffer.AsSpan(0, words.Length - 1), out written, default, CultureInfo.InvariantCulture));
        Assert.Equal(0, written);
        Assert.Equal(words, value.ToString(null, CultureInfo.InvariantCulture));
    }
}
