using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Campaigns;

/// <summary>Reads the audience attributes of a member at one instant.</summary>
public static class MemberAttributesReader
{
    public static MemberAttributes Read(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var summary = MemberEngine.Summarize(state, options, now);
        return new MemberAttributes
        {
            Tier = summary.Tier,
            Segment = summary.Rfm.Segment,
            ValueClass = summary.Rfm.ValueClass,
            Stage = state.Lifecycle.Stage,
            Region = summary.RegionId ?? "",
            Tags = [.. summary.Tags.Order(StringComparer.Ordinal)],
            Phone = summary.Phone ?? "",
        };
    }
}
