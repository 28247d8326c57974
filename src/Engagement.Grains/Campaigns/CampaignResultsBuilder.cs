using Engagement.Contracts.Campaigns;
using Engagement.Domain.Campaigns;

namespace Engagement.Grains.Campaigns;

/// <summary>Turns a campaign's counters into <see cref="CampaignResults"/> with <see cref="CampaignMath"/>.</summary>
internal static class CampaignResultsBuilder
{
    public const string Method =
        "Intention to treat: every member assigned to a group counts in its audience, whether or not the touch went out. " +
        "converted = members with a purchase within the attribution window after assignment; revenue = their purchases in that window (CNY), net of refunds of those purchases; " +
        "cost = unit cost × grants the members hold (touches sent or deferred: a deferred touch's offer is the member's from then on, sent later or not); ROI = (revenue − cost) / cost; incremental revenue = revenue − control revenue per control member × audience (null without a control); incremental ROI = (incremental revenue − cost) / cost, the one to report; uplift d = conversion rate − control's rate; " +
        CampaignMath.IntervalMethod;

    public static CampaignResults Build(string campaignId, string status, CampaignGrainState state, DateTimeOffset now)
    {
        var definition = state.Definition!;
        var control = Tally(state, CampaignGroups.Control);
        var global = Tally(state, CampaignGroups.GlobalControl);
        var arms = definition.Arms.Select(a => (a.Name, Counters: Counters(state, a.Name))).ToList();
        var treatedCounters = new GroupCounters();
        foreach (var (_, counters) in arms)
        {
            treatedCounters.Add(counters);
        }

        var treated = treatedCounters.ToTally();
        return new CampaignResults
        {
            CampaignId = campaignId,
            Status = status,
            AttributionWindowDays = definition.AttributionWindowDays ?? CampaignDefinitions.DefaultAttributionWindowDays,
            Arms = [.. arms.Select(a => Row(a.Name, a.Counters, control))],
            Treated = Row("treated", treatedCounters, control),
            Control = Row(CampaignGroups.Control, Counters(state, CampaignGroups.Control), null),
            GlobalControl = Row(CampaignGroups.GlobalControl, Counters(state, CampaignGroups.GlobalControl), null),
            TreatedVsGlobalControl = ToView(CampaignMath.Compare(treated, global)),
            Method = Method,
            ComputedAt = now,
        };
    }

    private static CampaignGroupResult Row(string name, GroupCounters counters, GroupTally? baseline)
    {
        var tally = counters.ToTally();
        return new CampaignGroupResult
        {
            Name = name,
            Audience = counters.Audience,
            Sent = counters.Sent,
            Deferred = counters.Deferred,
            Suppressed = counters.Suppressed,
            HeldBackForStock = counters.HeldBackForStock,
            Converted = counters.Converted,
            Revenue = counters.Revenue,
            Cost = counters.Cost,
            Roi = CampaignMath.Roi(tally),
            ConversionRate = CampaignMath.ConversionRate(tally),
            Uplift = baseline is null ? null : ToView(CampaignMath.Compare(tally, baseline)),
            IncrementalRevenue = baseline is null ? null : CampaignMath.IncrementalRevenue(tally, baseline),
            IncrementalRoi = baseline is null ? null : CampaignMath.IncrementalRoi(tally, baseline),
        };
    }

    private static CampaignUplift? ToView(Uplift? uplift) => uplift is null ? null : new CampaignUplift
    {
        Difference = uplift.Difference,
        Low = uplift.Low,
        High = uplift.High,
        Relative = uplift.Relative,
        Significant = uplift.Significant,
    };

    private static GroupCounters Counters(CampaignGrainState state, string key) => state.Groups.GetValueOrDefault(key) ?? new GroupCounters();

    private static GroupTally Tally(CampaignGrainState state, string key) => Counters(state, key).ToTally();
}
