using System.Collections;
using System.Reflection;
using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Offers;
using Engagement.Grains.Ports;

namespace Engagement.Grains.Tests.Hosting;

/// <summary>
/// Side by side: <see cref="JsonGrainStateSerializer"/> writes what System.Text.Json's reflection-based web-default options
/// write, byte for byte, and what either writes the other loads back. Catches a change of the serializer's own options or
/// metadata (a source-generated context, a converter added to its options); both sides use today's types, so a change of
/// the types themselves (a property renamed, an attribute converter, an enum or discriminator change) passes here: the
/// stored format is pinned by <see cref="StoredStateRowsTests"/>, against rows the code at bc6b55b8 wrote.
/// </summary>
public sealed class GrainStateJsonCompatibilityTests
{
    /// <summary>The serializer as it was: reflection, web defaults, and (since the state is stored with Chinese unescaped) the stored-text encoder.</summary>
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web) { Encoder = StoredStateText.Encoder };

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_full_member_state_is_written_as_the_reflection_serializer_wrote_it_and_its_old_rows_load()
    {
        var state = FullMember();
        var member = state.Member;

        // Sanity: the state is "full": what most members leave out is present, so its properties' shapes are compared.
        Assert.NotEmpty(member.Orders);
        Assert.NotEmpty(member.Ledger);
        Assert.True(member.Outbox.Count > 0);
        Assert.NotEqual(MemberMetricState.Empty, member.Metrics);
        Assert.NotEmpty(member.PointsDebtPieces);
        var old = JsonSerializer.SerializeToUtf8Bytes(state, Reflection);
        foreach (var property in new[] { "orders", "ledger", "outbox", "metrics", "pointsDebtPieces", "lifecycle", "eventIdsByDay" })
        {
            Assert.Contains("\"" + property + "\":", System.Text.Encoding.UTF8.GetString(old), StringComparison.Ordinal);
        }

        AssertCompatible(state);
    }

    [Fact]
    public void A_legacy_member_row_with_pending_archive_and_journal_loads_as_before()
    {
        var state = FullMember();
        state.PendingArchive = [.. state.Member.Ledger.Take(2)];
        state.PendingJournal = [new LifecycleJournalEntry(Start, LifecycleJournalEntry.LevelEntered, 1, Start.AddDays(-3))];
        AssertCompatible(state);
    }

    [Fact]
    public void A_new_member_and_an_empty_state_are_written_as_before() => AssertCompatible(new MemberGrainState { Member = new MemberState { MemberId = "m-new" } });

    [Fact]
    public void The_other_grain_states_are_written_as_before_with_every_property_set()
    {
        AssertCompatible(Filled<CampaignGrainState>());
        AssertCompatible(Filled<CampaignRegistryState>());
        AssertCompatible(Filled<CampaignCatalogState>());
        AssertCompatible(Filled<AlertBookState>());
        AssertCompatible(Filled<ValueClassThresholds>());
        AssertCompatible(Filled<AggregatorShard>());
        AssertCompatible(new List<string> { "cn-east", "cn-north" });
        AssertCompatible(Filled<OfferState<StoreInventory>>());
        AssertCompatible(Filled<OfferState<RegionStock>>());
        AssertCompatible(Filled<OfferState<PointValueSchedule>>());
        AssertCompatible(Filled<OfferState<RewardCatalogue>>());
        AssertCompatible(Filled<OfferState<RewardStock>>());
    }

    [Fact]
    public void A_type_other_than_the_grain_states_serializes_as_before()
    {
        var value = new Dictionary<string, DebtPiece> { ["a"] = new(12, Start) };
        AssertCompatible(value);
    }

    /// <summary>
    /// The new serializer writes the bytes the reflection options write; what the reflection options wrote (an old row)
    /// loads through the new serializer into a state that the reflection options write back unchanged.
    /// </summary>
    private static void AssertCompatible<T>(T state)
    {
        var serializer = new JsonGrainStateSerializer();
        var old = JsonSerializer.SerializeToUtf8Bytes(state, Reflection);
        var now = serializer.Serialize(state).ToArray();
        Assert.Equal(System.Text.Encoding.UTF8.GetString(old), System.Text.Encoding.UTF8.GetString(now));

        var loaded = serializer.Deserialize<T>(new BinaryData(old));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(old), JsonSerializer.Serialize(loaded, Reflection));

        var loadedByReflection = JsonSerializer.Deserialize<T>(now, Reflection);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(old), JsonSerializer.Serialize(loadedByReflection, Reflection));
    }

    /// <summary>
    /// A member with a history: purchases (with items, another currency, odd amounts), refunds (one exceeding what is left
    /// to take back: points debt), logins, browses, carts, shares, reviews, a profile update; programme metrics on; the
    /// outbox left undrained, as a crash between the write and the emit leaves it.
    /// </summary>
    private static MemberGrainState FullMember()
    {
        var options = new ProgramOptions();
        var metrics = new MetricsOptions();
        var member = new MemberState { MemberId = "m-full" };
        var n = 0;
        void Apply(MemberEvent evt) => MemberDecider.Apply(member, evt, options, evt.OccurredAt.AddMinutes(1), metrics);
        for (var i = 0; i < 30; i++)
        {
            var at = Start.AddDays(i * 3).AddHours(i % 5);
            Apply(new MemberEvent($"p{i}", MemberEventTypes.Purchase, at)
            {
                OrderId = $"O{i}",
                Amount = 10.05m + (i * 37.3m),
                RegionId = "cn-east",
                StoreId = "s1",
                Channel = i % 2 == 0 ? "store" : "app",
                Items = [new MemberEventItem("sku" + i, "shoes", 1 + (i % 3), 10.05m)],
            });
            Apply(new MemberEvent($"x{n++}", i % 3 == 0 ? MemberEventTypes.Login : i % 3 == 1 ? MemberEventTypes.Browse : MemberEventTypes.AddToCart, at.AddHours(1)));
            if (i % 4 == 0)
            {
                Apply(new MemberEvent($"s{i}", MemberEventTypes.Share, at.AddHours(2)));
            }

            if (i % 7 == 3)
            {
                Apply(new MemberEvent($"r{i}", MemberEventTypes.Refund, at.AddDays(1)) { OrderId = $"O{i}", Amount = 5.01m });
            }
        }

        Apply(new MemberEvent("rev", MemberEventTypes.Review, Start.AddDays(95)));
        Apply(new MemberEvent("prof", MemberEventTypes.ProfileUpdate, Start.AddDays(95).AddHours(1))
        {
            Properties = new Dictionary<string, string> { ["consent.sms"] = "true", ["birthday"] = "1990-05-01" },
        });

        // Points debt, as a refund after the points were spent leaves it (set directly: the shape is what is compared).
        member.PointsDebt = 120;
        member.PointsDebtPieces.Add(new DebtPiece(120, Start.AddDays(50)));
        return new MemberGrainState { Member = member, ReminderPeriod = TimeSpan.FromDays(1), NextReminderAt = Start.AddDays(96), OutboxWakes = 2 };
    }

    /// <summary>A <typeparamref name="T"/> with every public settable property (and constructor parameter) given a non-default value, nested objects and collections included down to four levels.</summary>
    private static T Filled<T>() => (T)Fill(typeof(T), 0)!;

    private static object? Fill(Type type, int depth)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Fill(inner, depth);
        }

        if (type == typeof(string)) return "v" + depth;
        if (type == typeof(bool)) return true;
        if (type == typeof(int)) return 7 + depth;
        if (type == typeof(long)) return 70_000L + depth;
        if (type == typeof(double)) return 1.25;
        if (type == typeof(decimal)) return 12.34m;
        if (type == typeof(DateTimeOffset)) return Start.AddHours(depth);
        if (type == typeof(DateTime)) return Start.UtcDateTime.AddHours(depth);
        if (type == typeof(DateOnly)) return DateOnly.FromDateTime(Start.UtcDateTime);
        if (type == typeof(TimeSpan)) return TimeSpan.FromMinutes(90);
        if (type.IsEnum) return Enum.GetValues(type).Cast<object>().Last();
        if (depth > 3 || type.IsAbstract && !type.IsInterface || type.IsPrimitive)
        {
            return type.IsValueType ? Activator.CreateInstance(type) : null;
        }

        if (type.IsArray)
        {
            var array = Array.CreateInstance(type.GetElementType()!, 1);
            array.SetValue(Fill(type.GetElementType()!, depth + 1), 0);
            return array;
        }

        if (type.IsGenericType && type.GetGenericArguments() is { Length: 2 } kv && typeof(IEnumerable).IsAssignableFrom(type) && kv[0] == typeof(string))
        {
            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(kv))!;
            dictionary["k" + depth] = Fill(kv[1], depth + 1);
            return dictionary;
        }

        if (type.IsGenericType && type.GetGenericArguments() is { Length: 1 } element && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Fill(element[0], depth + 1));
            return list;
        }

        if (type.IsInterface)
        {
            return null;
        }

        var constructor = type.GetConstructor(Type.EmptyTypes) ?? type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var instance = constructor.Invoke([.. constructor.GetParameters().Select(p => FillAs(p.ParameterType, depth + 1))]);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0)
            {
                property.SetValue(instance, FillAs(property.PropertyType, depth + 1));
            }
        }

        return instance;
    }

    /// <summary><see cref="Fill"/>, turned into <paramref name="type"/> through its JSON when that made another collection type (an immutable one).</summary>
    private static object? FillAs(Type type, int depth)
    {
        var value = Fill(type, depth);
        return value is null || type.IsInstanceOfType(value) ? value : JsonSerializer.Deserialize(JsonSerializer.Serialize(value, Reflection), type, Reflection);
    }
}
