using System.Runtime.CompilerServices;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

// The tier ladder: tiers sorted by threshold, ranks, the tier a growth value qualifies for (CONTRACT.md §2).
public static partial class TierPolicy
{
    private static readonly ConditionalWeakTable<ProgramOptions, StrongBox<LadderSnapshot?>> Ladders = new();

    /// <summary>
    /// Tiers from lowest to highest threshold. Sorted once per options instance and reused while its tiers and
    /// thresholds stay as they were (it is read several times per event); a changed tier set sorts again.
    /// </summary>
    public static IReadOnlyList<string> Ladder(ProgramOptions options) => Snapshot(options).Ladder;

    /// <summary>The ladder and its thresholds (growth value, in ladder order) from one snapshot; shared arrays, do not change.</summary>
    internal static (string[] Ladder, long[] Thresholds) LadderWithThresholds(ProgramOptions options)
    {
        var snapshot = Snapshot(options);
        return (snapshot.Ladder, snapshot.Thresholds);
    }

    private static LadderSnapshot Snapshot(ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var box = Ladders.GetValue(options, static _ => new StrongBox<LadderSnapshot?>());
        var snapshot = Volatile.Read(ref box.Value);
        if (snapshot is null || !snapshot.Matches(options.Tiers))
        {
            snapshot = LadderSnapshot.Of(options.Tiers);
            Volatile.Write(ref box.Value, snapshot);
        }

        return snapshot;
    }

    public static string Lowest(ProgramOptions options) => Ladder(options)[0];

    /// <summary>0 for the lowest tier; -1 for a name the options no longer have.</summary>
    public static int Rank(ProgramOptions options, string? tier)
    {
        if (tier is null)
        {
            return -1;
        }

        var ladder = Ladder(options);
        for (var i = 0; i < ladder.Count; i++)
        {
            if (string.Equals(ladder[i], tier, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The highest tier whose threshold <paramref name="growth"/> reaches.</summary>
    public static string Qualifying(ProgramOptions options, long growth)
    {
        var ladder = Ladder(options);
        var best = ladder[0];
        foreach (var name in ladder)
        {
            if (growth >= options.Tiers[name].Threshold)
            {
                best = name;
            }
        }

        return best;
    }
}

/// <summary>A sorted tier ladder and the (name, threshold) pairs it was sorted from.</summary>
internal sealed class LadderSnapshot
{
    private LadderSnapshot(object source, (string Name, long Threshold)[] pairs, string[] ladder)
    {
        Source = source;
        Pairs = pairs;
        Ladder = ladder;
        Thresholds = [.. pairs.OrderBy(p => p.Threshold).Select(p => p.Threshold)];
    }

    /// <summary>The thresholds in ladder order.</summary>
    public long[] Thresholds { get; }

    public object Source { get; }

    public (string Name, long Threshold)[] Pairs { get; }

    public string[] Ladder { get; }

    public static LadderSnapshot Of(IDictionary<string, TierRule> tiers)
    {
        var pairs = tiers.Select(t => (t.Key, t.Value.Threshold)).ToArray();
        return new LadderSnapshot(tiers, pairs, [.. pairs.OrderBy(p => p.Threshold).Select(p => p.Key)]);
    }

    /// <summary>True while the options hold the same tiers with the same thresholds (no allocation).</summary>
    public bool Matches(IDictionary<string, TierRule> tiers)
    {
        if (!ReferenceEquals(Source, tiers) || tiers.Count != Pairs.Length)
        {
            return false;
        }

        foreach (var (name, threshold) in Pairs)
        {
            if (!tiers.TryGetValue(name, out var rule) || rule is null || rule.Threshold != threshold)
            {
                return false;
            }
        }

        return true;
    }
}
