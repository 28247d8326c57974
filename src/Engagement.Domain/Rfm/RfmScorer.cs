using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Rfm;

/// <summary>Recency, frequency and monetary scores, the segment they put a member in, and the value class.</summary>
public static class RfmScorer
{
    /// <summary>The member's RFM reading at <paramref name="now"/> (UTC): scores, segment, value class, trailing spend in CNY.</summary>
    public static RfmResult Score(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var reading = Read(state, options, now);
        return new RfmResult
        {
            RecencyDays = reading.RecencyDays,
            Frequency = reading.Frequency,
            Monetary = reading.Monetary,
            RecencyScore = reading.RecencyScore,
            FrequencyScore = reading.FrequencyScore,
            MonetaryScore = reading.MonetaryScore,
            Segment = reading.Segment,
            ValueClass = reading.ValueClass,
        };
    }

    /// <summary>
    /// <see cref="Score"/> as a value on the stack: what the metric segments read on every outcome, with no
    /// <see cref="RfmResult"/> to allocate.
    /// </summary>
    internal static Reading Read(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var rfm = options.Rfm;
        var from = now.AddDays(-rfm.WindowDays);
        var frequency = 0;
        var monetary = 0m;
        foreach (var order in state.Orders)
        {
            if (order.At > from && !order.FullyRefunded)
            {
                frequency++;
                monetary += order.Unrefunded;
            }
        }

        // Orders the count cap summarised are still purchases of the window: a member with more than MaxOrders orders a
        // year keeps every one in frequency and monetary (an engine lot, amount 0, counts as fully refunded in both).
        foreach (var summary in state.OrderSummaries)
        {
            if (summary.At > from && !summary.FullyRefunded)
            {
                frequency++;
                monetary += summary.Unrefunded;
            }
        }

        int? recencyDays = state.LastPurchaseAt is { } last ? Math.Max(0, (int)(now - last).TotalDays) : null;
        var r = RecencyScore(rfm, recencyDays);
        var f = FrequencyScore(rfm, frequency);
        var m = MonetaryScore(rfm, monetary);
        var segment = recencyDays is null
            ? NeverBought(state, rfm, now)
            : Segment(r, f, m);

        return new Reading(recencyDays, frequency, monetary, r, f, m, segment, ValueClass(rfm, monetary));
    }

    public static int RecencyScore(RfmOptions rfm, int? days) => days switch
    {
        null => 1,
        var d when d <= rfm.Recency5MaxDays => 5,
        var d when d <= rfm.Recency4MaxDays => 4,
        var d when d <= rfm.Recency3MaxDays => 3,
        var d when d <= rfm.Recency2MaxDays => 2,
        _ => 1,
    };

    public static int FrequencyScore(RfmOptions rfm, int purchases) => purchases switch
    {
        var n when n >= rfm.Frequency5Min => 5,
        var n when n >= rfm.Frequency4Min => 4,
        var n when n >= rfm.Frequency3Min => 3,
        var n when n >= rfm.Frequency2Min => 2,
        _ => 1,
    };

    public static int MonetaryScore(RfmOptions rfm, decimal spend) => spend switch
    {
        var s when s >= rfm.Monetary5Min => 5,
        var s when s >= rfm.Monetary4Min => 4,
        var s when s >= rfm.Monetary3Min => 3,
        var s when s >= rfm.Monetary2Min => 2,
        _ => 1,
    };

    public static string ValueClass(RfmOptions rfm, decimal spend) =>
        spend >= rfm.ValueClassAMin ? "A" : spend >= rfm.ValueClassBMin ? "B" : "C";

    /// <summary>
    /// The usual 5×5 RFM grid on recency (rows) against FM = the rounded-up mean of the frequency and
    /// monetary scores (columns), so a big spender who comes rarely still reads as valuable:
    /// <code>
    ///        FM=1            FM=2                FM=3                FM=4              FM=5
    /// R=5    New             Potential Loyalist  Potential Loyalist  Champions         Champions
    /// R=4    Promising       Potential Loyalist  Potential Loyalist  Loyal             Loyal
    /// R=3    About to Sleep  About to Sleep      Need Attention      Loyal             Loyal
    /// R=2    Hibernating     Hibernating         At Risk             At Risk           Cannot Lose Them
    /// R=1    Lost            Hibernating         At Risk             At Risk           Cannot Lose Them
    /// </code>
    /// </summary>
    public static string Segment(int r, int f, int m)
    {
        var fm = (f + m + 1) / 2;
        return r switch
        {
            >= 5 => fm switch { <= 1 => RfmSegments.New, <= 3 => RfmSegments.PotentialLoyalist, _ => RfmSegments.Champions },
            4 => fm switch { <= 1 => RfmSegments.Promising, <= 3 => RfmSegments.PotentialLoyalist, _ => RfmSegments.Loyal },
            3 => fm switch { <= 2 => RfmSegments.AboutToSleep, 3 => RfmSegments.NeedAttention, _ => RfmSegments.Loyal },
            2 => fm switch { <= 2 => RfmSegments.Hibernating, <= 4 => RfmSegments.AtRisk, _ => RfmSegments.CannotLoseThem },
            _ => fm switch { <= 1 => RfmSegments.Lost, 2 => RfmSegments.Hibernating, <= 4 => RfmSegments.AtRisk, _ => RfmSegments.CannotLoseThem },
        };
    }

    /// <summary>The fields of an <see cref="RfmResult"/>, without the object (<see cref="Read"/>).</summary>
    internal readonly record struct Reading(
        int? RecencyDays, int Frequency, decimal Monetary, int RecencyScore, int FrequencyScore, int MonetaryScore, string Segment, string ValueClass);

    /// <summary>No purchase yet: "New" while recently registered, then "Hibernating" (never woke, not lost).</summary>
    private static string NeverBought(MemberState state, RfmOptions rfm, DateTimeOffset now)
    {
        var since = state.RegisteredAt ?? state.FirstSeenAt;
        return since is null || now - since.Value <= TimeSpan.FromDays(rfm.NewMemberDays)
            ? RfmSegments.New
            : RfmSegments.Hibernating;
    }
}
