using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members.Effects;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// The member's outbox rides in every state write: only what an effect is made of may be stored, not what it derives
/// (its id, its delivery flags, its follow-up), which System.Text.Json would write for an override that lacks
/// <c>[JsonIgnore]</c> even though the base property has it.
/// </summary>
public class MemberEffectJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly string[] Derived = ["id", "confirmDurably", "mayWaitForBatch", "followUp", "after"];

    public static TheoryData<Type> EffectTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var derived in typeof(MemberEffect).GetCustomAttributes<JsonDerivedTypeAttribute>())
        {
            data.Add(derived.DerivedType);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EffectTypes))]
    public void NoEffectKindStoresWhatItDerives(Type effectType)
    {
        // An effect with every field unset: what is stored is whatever the serializer visits.
        var effect = (MemberEffect)RuntimeHelpers.GetUninitializedObject(effectType);

        var stored = JsonSerializer.SerializeToNode(effect, Web)!.AsObject().Select(p => p.Key).ToList();

        Assert.Contains("$effect", stored);
        Assert.Empty(stored.Intersect(Derived, StringComparer.Ordinal));
    }

    [Fact]
    public void AnOutboxOfLedgerEntriesStoresTheEntriesAndReadsBackWithTheSameIds()
    {
        var outbox = new MemberOutbox();
        outbox.Add(new ArchiveLedgerEntry(Entry(7)));
        outbox.Add(new ArchiveLedgerEntry(Entry(8)));
        outbox.Add(new ForgetCampaignReport("C-1", "campaign-purchase:C-1:e1"));

        var json = JsonSerializer.Serialize(outbox, Web);
        var back = JsonSerializer.Deserialize<MemberOutbox>(json, Web)!;

        foreach (var name in Derived)
        {
            Assert.DoesNotContain($"\"{name}\":", json, StringComparison.Ordinal);
        }

        Assert.Equal(["ledger:7", "ledger:8", "campaign-forget:campaign-purchase:C-1:e1"], back.Pending.Select(e => e.Id));
        Assert.True(back.Pending[0].MayWaitForBatch);
        Assert.Equal(json, JsonSerializer.Serialize(back, Web));
    }

    internal static LedgerEntry Entry(long sequence) => new()
    {
        Sequence = sequence,
        At = DateTimeOffset.UnixEpoch,
        Kind = LedgerKinds.Points,
        Delta = 10,
        BalanceAfter = 10 * sequence,
        Reason = "purchase O-1 of 100.00 CNY",
        RuleId = RuleIds.PointsEarn,
        EventId = "e" + sequence,
    };
}
