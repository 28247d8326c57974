using System.Globalization;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// The words a ledger reason is made of — what a purchase earned (<see cref="EarningPolicy.Describe"/>), an amount
/// (<see cref="Money.Describe"/>), the late event a correction names (<see cref="CorrectionCause"/>) — are written
/// straight into the reason that contains them: the reason is the one string made. Their text is what it always was
/// (stored in the ledger, so it must not move; the whole stored state is pinned by <c>PersistedBytesPinTests</c>).
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
    public void AReasonEndingWithTheLateEventMakesOnlyItsOwnString()
    {
        var cause = new CorrectionCause("e-9", "purchase O-1 of 1000.00 CNY", new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero));
        _ = Reason(cause);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var reason = Reason(cause);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("purchase O-2 earns 240 points (was 120): " + cause.ToString(), reason);
        Assert.Equal(StringBytes(reason.Length), bytes); // not the sentence's own string too, nor the cause boxed

        static string Reason(CorrectionCause cause) => string.Create(CultureInfo.InvariantCulture, $"purchase O-2 earns {240} points (was {120}): {cause}");
    }

    [Fact]
    public void AReasonWithTheEarningAndTheAmountMakesOnlyItsOwnString()
    {
        var options = new ProgramOptions();
        var earning = new EarningPolicy.Earning(200, "V1", 1m, true, 2m);
        _ = Reason(earning, options);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var reason = Reason(earning, options);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("purchase O-1 of 268.50 CNY at V1 ×1.0, first purchase ×2", reason);
        Assert.Equal(StringBytes(reason.Length), bytes);

        static string Reason(EarningPolicy.Earning earning, ProgramOptions options) =>
            $"purchase O-1 of {Money.Text(268.5m, null, null, options)} {EarningPolicy.Text(earning)}";
    }

    /// <summary>What a string of <paramref name="length"/> characters allocates, measured.</summary>
    private static long StringBytes(int length)
    {
        _ = new string('x', length);
        var before = GC.GetAllocatedBytesForCurrentThread();
        _ = new string('x', length);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
