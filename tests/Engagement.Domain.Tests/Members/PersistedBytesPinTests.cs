using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// Pins what the member rules persist and emit, byte for byte, over a mixed history (purchases, refunds, late events,
/// behaviour events in several regions, programme metrics on): the stored state's JSON after every event, every
/// effect's id, and each metric contribution's outcome id, id and JSON. Allocation work on the hot path must leave all
/// of it as it was: stored states, archive rows and contribution ids are read back and compared after a crash.
/// The digest was first taken on the code before that work (38fec09), which the allocation steps kept; it was taken again
/// after the tier fixes of 6 Dec, which add the tier left (<c>TierLeft</c>) to tier ledger entries and date a refund's tier
/// drop at the refund, both on purpose; and again when each remembered eventId began to keep the 16-bit fingerprint of its
/// event (a marker byte then 10 bytes an id in <c>eventIdsByDay</c>), on purpose. A change of the digest is a change of what is stored: make it on purpose, and say
/// why in the commit.
/// </summary>
public sealed class PersistedBytesPinTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    private const string Expected = "858FA2EC82ED2A38966A309DD12186AB8F8454240E9AA2621637A0F171009898";

    [Fact]
    public void AMixedHistoryPersistsAndEmitsExactlyThePinnedBytes()
    {
        var options = new ProgramOptions();
        var metrics = new MetricsOptions();
        var text = new StringBuilder();
        string[] regions = ["east", "west", "north"];
        string[] behaviour = [MemberEventTypes.Login, MemberEventTypes.Share, MemberEventTypes.Browse, MemberEventTypes.AddToCart, MemberEventTypes.Review];
        for (var m = 0; m < 3; m++)
        {
            var state = new MemberState { MemberId = "M" + m };
            for (var i = 0; i < 60; i++)
            {
                var now = Start.AddHours(i * 19 + m * 5);

                // Every seventh event arrives two days late, so its entries are dated in the past and tiers move in event time.
                var at = i % 7 == 3 ? now.AddDays(-2) : now;
                var region = regions[(i / 11 + m) % regions.Length];
                var id = string.Create(CultureInfo.InvariantCulture, $"E{m}-{i}");
                MemberEvent evt = (i % 10) switch
                {
                    < 6 => new MemberEvent(id, MemberEventTypes.Purchase, at)
                    {
                        OrderId = "O" + id, Amount = 180.35m * (1 + (i % 5)) + m, RegionId = region, StoreId = "S" + (i % 3),
                    },
                    6 when i > 10 => new MemberEvent(id, MemberEventTypes.Refund, at)
                    {
                        OrderId = string.Create(CultureInfo.InvariantCulture, $"OE{m}-{i - 6}"), Amount = 90.10m, RegionId = region,
                    },
                    _ => new MemberEvent(id, behaviour[(i + m) % behaviour.Length], at) { RegionId = region },
                };

                var outcome = MemberDecider.Apply(state, evt, options, now, metrics);
                text.Append(id).Append(' ').Append(outcome.Reply.Status).Append(' ').Append(outcome.StateChanged).Append('\n');
                text.Append(JsonSerializer.Serialize(state, Web)).Append('\n');
                foreach (var effect in outcome.Effects)
                {
                    text.Append(effect.GetType().Name).Append(' ').Append(effect.Id).Append('\n');
                    if (effect is RecordMetrics record)
                    {
                        text.Append(record.OutcomeId).Append('\n');
                        foreach (var contribution in record.Contributions)
                        {
                            text.Append(contribution.Id).Append(' ').Append(JsonSerializer.Serialize(contribution, Web)).Append('\n');
                        }
                    }
                }
            }
        }

        var digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        Assert.True(text.Length > 100_000, $"{text.Length} chars pinned");
        Assert.True(digest == Expected, $"the pinned bytes changed: digest {digest}, pinned {Expected}");
    }
}
