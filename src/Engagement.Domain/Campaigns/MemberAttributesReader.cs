using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Rfm;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Campaigns;

/// <summary>Reads the audience attributes of a member at one instant.</summary>
public static class MemberAttributesReader
{
    public static MemberAttributes Read(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);

        // Read straight from the state (what MemberEngine.Summarize would say): this runs after every event.
        var rfm = RfmScorer.Read(state, options, now);
        return new MemberAttributes
        {
            Tier = TierPolicy.Current(state, options),
            Segment = rfm.Segment,
            ValueClass = rfm.ValueClass,
            Stage = state.Lifecycle.Stage,
            Region = state.RegionId ?? "",
            Tags = [.. state.Tags.Order(StringComparer.Ordinal)],
            Phone = state.Phone ?? "",
        };
    }
}
