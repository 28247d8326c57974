using System.Globalization;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Campaigns;

/// <summary>Campaign engine settings, bound from <c>Engagement:Campaigns</c> and validated at start.</summary>
public sealed class CampaignOptions
{
    public const string SectionName = "Engagement:Campaigns";

    /// <summary>Percent of all members (0–15) held out of every marketing campaign, in stable buckets. Default 5.</summary>
    public int GlobalControlPercent { get; set; } = 5;

    /// <summary>Member index shards (1–999). Default 64. Changing it needs an index rebuild.</summary>
    public int IndexShardCount { get; set; } = 64;

    /// <summary>Index shards a fan-out reads at once (1–32). Default 4.</summary>
    public int FanOutShardConcurrency { get; set; } = 4;

    /// <summary>Index rows per page (1–1000); counters and cursors are checkpointed after each page. Default 100.</summary>
    public int FanOutPageSize { get; set; } = 100;

    /// <summary>Member deliveries in flight per shard (1–64). Default 8.</summary>
    public int MemberConcurrency { get; set; } = 8;

    /// <summary>Upper bound on deliveries per second per campaign, to spare channel connectors; 0 = no limit. Default 0.</summary>
    public int MaxDeliveriesPerSecond { get; set; }

    /// <summary>How often each silo re-reads the active triggered campaigns. Default 5 s.</summary>
    public TimeSpan TriggeredRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most campaign memberships a member holds, those of live campaigns included: a hard cap (<see cref="MembershipCap"/>).
    /// Ended, settled ones are forgotten first to make room; a member already holding this many it cannot forget (live
    /// campaigns, reports owed) and still matching the audience is refused by the next campaign: it answers
    /// <c>membership_cap_refused</c> (group none) with the cap's reason, the campaign counts it in
    /// <c>progress.membershipCapRefused</c> (within reached, in no group), no touch, grant or membership is recorded and
    /// nothing kept is dropped; a triggered campaign asks no grant for it (docs/campaigns.md, "How it holds up"). Default 100, the
    /// figure <see cref="MemberStateSizes.EveryCapAtOnceCharacters"/> measures; at least 1, and at most what a member's
    /// table row holds with <see cref="MaxAttributedOrders"/> as configured, every other per-member cap at its default and
    /// the ids it keeps as keys at their worst (<see cref="MemberStateSizes.LargestMembershipsKeptThatFit"/>: 197 with
    /// <see cref="MaxAttributedOrders"/> 200), refused at start above it, naming the largest that fits.
    /// </summary>
    public int MaxMembershipsKept { get; set; } = MemberStateSizes.DefaultMaxMembershipsKept;

    /// <summary>
    /// Attributed orders a member keeps over all its campaign memberships (1–2,000, and at most what a member's table row
    /// holds with <see cref="MaxMembershipsKept"/> as configured, every other per-member cap at its default and
    /// the ids it keeps as keys at their worst: <see cref="MemberStateSizes.LargestAttributedOrdersThatFit"/>, 741 with
    /// <see cref="MaxMembershipsKept"/> 100, refused at start above it, naming the largest that fits; each at most
    /// <see cref="MemberStateSizes.AttributedOrderCharacters"/> stored characters with a 36-character order id, longer ids
    /// being kept as keys of at most 35). Default 200 (1,000
    /// before: with every other per-member collection at its cap too, 1,000 made the member pass the 480 KiB row, see
    /// <see cref="Domain.Members.MemberStateSizes.EveryCapAtOnceCharacters"/>; a member with more orders in live campaigns' windows
    /// than this has the oldest dropped, so a refund of those no longer reduces the campaign's revenue: the campaign's
    /// revenue is over-reported by such refunds, never the member's points). Those
    /// refunded in full and those the member no longer keeps go first, losslessly; beyond it the oldest are dropped (those
    /// of the membership whose attribution window ends earliest), each prune logging a warning with the count: a later
    /// refund of a dropped order still reverses its points and growth, but no longer reduces that campaign's revenue
    /// (<see cref="CampaignMemberships.PruneOrders"/>).
    /// </summary>
    public int MaxAttributedOrders { get; set; } = MemberStateSizes.DefaultMaxAttributedOrders;

    /// <summary>
    /// Report ids (outcome moves, attributed purchases) a campaign remembers to count a resent report once (1–100,000;
    /// each about 20 bytes of the campaign's state). Default 4,096. An id is kept until its member has stored the report
    /// as confirmed; only when more reports than this are unconfirmed at once is the oldest dropped (its resend counts again).
    /// </summary>
    public int ReportDedupeCapacity { get; set; } = 4096;

    /// <summary>
    /// Grants of a triggered campaign that may await their members' confirmation at once (1–10,000; each a member id in
    /// the campaign's state). Default 1,000. Past it a matching event fires nothing for the campaign, and nothing is
    /// counted, until confirmations arrive (<see cref="Engagement.Domain.Campaigns.PendingGrantRule"/>).
    /// </summary>
    public int MaxPendingGrants { get; set; } = 1000;

    /// <summary>The Azure table of the member index. Default <c>EngagementMemberIndex</c>.</summary>
    public string MemberIndexTableName { get; set; } = "EngagementMemberIndex";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (GlobalControlPercent is < 0 or > CampaignAssignment.MaxGlobalControlPercent)
        {
            errors.Add("GlobalControlPercent must be between 0 and 15.");
        }

        if (IndexShardCount is < 1 or > 999)
        {
            errors.Add("IndexShardCount must be between 1 and 999.");
        }

        if (FanOutShardConcurrency is < 1 or > 32)
        {
            errors.Add("FanOutShardConcurrency must be between 1 and 32.");
        }

        if (FanOutPageSize is < 1 or > 1000)
        {
            errors.Add("FanOutPageSize must be between 1 and 1000.");
        }

        if (MemberConcurrency is < 1 or > 64)
        {
            errors.Add("MemberConcurrency must be between 1 and 64.");
        }

        if (MaxDeliveriesPerSecond < 0)
        {
            errors.Add("MaxDeliveriesPerSecond must not be negative.");
        }

        if (TriggeredRefreshInterval <= TimeSpan.Zero)
        {
            errors.Add("TriggeredRefreshInterval must be positive.");
        }

        if (ReportDedupeCapacity is < 1 or > 100_000)
        {
            errors.Add("ReportDedupeCapacity must be between 1 and 100000.");
        }

        if (MaxPendingGrants is < 1 or > 10_000)
        {
            errors.Add("MaxPendingGrants must be between 1 and 10000.");
        }

        if (MaxMembershipsKept < 1)
        {
            errors.Add("MaxMembershipsKept must be at least 1.");
        }

        if (MaxAttributedOrders is < 1 or > CampaignMemberships.MaxAttributedOrdersLimit)
        {
            errors.Add("MaxAttributedOrders must be between 1 and 2000.");
        }

        // Caps a member's table row cannot hold with the other campaign cap as configured and every other per-member cap full
        // at its default (MemberStateSizes.EveryCapAtOnce); only a cap raised past its default is named (the defaults fit together).
        if (MaxMembershipsKept >= 1 && MaxAttributedOrders is >= 1 and <= CampaignMemberships.MaxAttributedOrdersLimit)
        {
            var orders = MemberStateSizes.LargestAttributedOrdersThatFit(MaxMembershipsKept);
            if (MaxAttributedOrders > MemberStateSizes.DefaultMaxAttributedOrders && MaxAttributedOrders > orders)
            {
                errors.Add(RowRefusal("MaxAttributedOrders", MaxAttributedOrders, "MaxMembershipsKept", MaxMembershipsKept, orders));
            }

            var memberships = MemberStateSizes.LargestMembershipsKeptThatFit(MaxAttributedOrders);
            if (MaxMembershipsKept > MemberStateSizes.DefaultMaxMembershipsKept && MaxMembershipsKept > memberships)
            {
                errors.Add(RowRefusal("MaxMembershipsKept", MaxMembershipsKept, "MaxAttributedOrders", MaxAttributedOrders, memberships));
            }
        }

        return errors;
    }

    /// <summary>
    /// Why <paramref name="setting"/> is refused: the row it does not fit, what the figure assumes, and the largest value that
    /// fits, or, when none does (<paramref name="largest"/> 0: the other cap alone fills the row), that the other comes first.
    /// </summary>
    private static string RowRefusal(string setting, int value, string other, int otherValue, int largest) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{setting} {value} does not fit a member's table row ({StoredStateText.ProviderCharacterCapacity:N0} stored characters) with {other} {otherValue}, every other per-member cap at its default and the ids it keeps as keys at their worst: ")
        + (largest < 1
            ? string.Create(CultureInfo.InvariantCulture, $"none fits with {other} {otherValue}; lower that first.")
            : string.Create(CultureInfo.InvariantCulture, $"the largest that fits is {largest}."));
}

internal sealed class CampaignOptionsValidator : IValidateOptions<CampaignOptions>
{
    public ValidateOptionsResult Validate(string? name, CampaignOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => CampaignOptions.SectionName + ": " + e));
    }
}
