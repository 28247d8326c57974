using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Grains.Members;

namespace Engagement.Azure.Tests.Storage;

/// <summary>Realistic member states, made by the domain's own rules from a fixed history.</summary>
public static class MemberStates
{
    /// <summary>
    /// A member with orders (positional JSON), a partial refund, names outside ASCII, a profile and ledger entries
    /// pending archive; <paramref name="variant"/> changes the amounts, so members differ.
    /// </summary>
    public static MemberGrainState WithHistory(int variant = 0)
    {
        var options = new ProgramOptions();
        var start = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(8));
        var state = new MemberState();
        var events = new List<MemberEvent>
        {
            new("e1", MemberEventTypes.Register, start) { RegionId = "east", StoreId = "S001", Channel = "pos" },
            new("e2", MemberEventTypes.Purchase, start.AddMinutes(5))
            {
                OrderId = "O-1", Amount = 268.50m + variant, RegionId = "east", StoreId = "上海-S001", Channel = "pos",
                Items = [new MemberEventItem("SKU-1", "护肤", 2, 134.25m + (variant / 2m))],
            },
            new("e3", MemberEventTypes.Purchase, start.AddDays(3)) { OrderId = "O-2", Amount = 1999.99m + variant, Channel = "app" },
            new("e4", MemberEventTypes.Refund, start.AddDays(4)) { OrderId = "O-2", Amount = 500.01m },
            new("e5", MemberEventTypes.ProfileUpdate, start.AddDays(5))
            {
                Properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["birthday"] = "1990-02-03", ["timeZone"] = "Asia/Shanghai" },
            },
            new("e6", MemberEventTypes.Share, start.AddDays(6)),
        };
        var archive = new List<Domain.Ledger.LedgerEntry>();
        foreach (var evt in events)
        {
            var decision = MemberEngine.Apply(state, evt, options, evt.OccurredAt.AddSeconds(1));
            Assert.Equal(EventStatus.Applied, decision.Status);
            archive.AddRange(decision.NewEntries);
        }

        return new MemberGrainState { Member = state, PendingArchive = archive, ReminderPeriod = TimeSpan.FromDays(1), NextReminderAt = start.AddDays(7) };
    }
}
