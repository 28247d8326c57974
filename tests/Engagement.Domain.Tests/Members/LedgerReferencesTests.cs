using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tests.Members;

/// <summary>
/// Ledger entries waiting in the outbox for their archive batch are stored once: by sequence when the recent ledger
/// written beside them holds them, in full when it does not; loading gives back the same entries either way.
/// </summary>
public sealed class LedgerReferencesTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void PendingEntriesTheRecentLedgerHoldsAreStoredBySequenceAndLoadBackAsTheSameEntries()
    {
        var state = Purchases(new ProgramOptions(), 6);
        var pending = state.Outbox.Pending.OfType<ArchiveLedgerEntry>().Select(e => e.Entry).ToList();
        Assert.True(pending.Count >= 6, $"{pending.Count} pending entries");

        var json = JsonSerializer.Serialize(state, Web);
        var back = JsonSerializer.Deserialize<MemberState>(json, Web)!;

        // Each entry is stored once (in the recent ledger), each pending one as a reference.
        foreach (var entry in pending)
        {
            Assert.Single(Occurrences(json, JsonSerializer.Serialize(entry, Web)));
        }

        Assert.Equal(pending.Count, Occurrences(json, "\"$effect\":\"ledger-ref\"").Count);
        Assert.Empty(Occurrences(json, "\"$effect\":\"ledger\","));

        // Loaded, the outbox lists the same effects in the same order, each the recent ledger's own entry.
        Assert.Equal(state.Outbox.Pending.Select(e => e.Id), back.Outbox.Pending.Select(e => e.Id));
        var loaded = back.Outbox.Pending.OfType<ArchiveLedgerEntry>().Select(e => e.Entry).ToList();
        Assert.Equal(pending, loaded);
        Assert.All(loaded, e => Assert.Contains(back.Ledger, l => ReferenceEquals(l, e)));
        Assert.DoesNotContain(back.Outbox.Pending, e => e is ArchiveLedgerReference);
        Assert.Equal(json, JsonSerializer.Serialize(back, Web));

        // Storing never changes the outbox itself.
        Assert.All(state.Outbox.Pending, e => Assert.IsNotType<ArchiveLedgerReference>(e));
    }

    [Fact]
    public void PendingEntriesTrimmedFromTheRecentLedgerAreStoredInFull()
    {
        // Keep only the newest 2 ledger entries: the older pending ones are not beside them in the stored state.
        var state = Purchases(new ProgramOptions { LedgerEntriesKept = 2 }, 4);
        var pending = state.Outbox.Pending.OfType<ArchiveLedgerEntry>().Select(e => e.Entry).ToList();
        var trimmed = pending.Where(e => !state.Ledger.Contains(e)).ToList();
        Assert.NotEmpty(trimmed);

        var json = JsonSerializer.Serialize(state, Web);
        var back = JsonSerializer.Deserialize<MemberState>(json, Web)!;

        Assert.Equal(trimmed.Count, Occurrences(json, "\"$effect\":\"ledger\",").Count);
        Assert.Equal(pending.Count - trimmed.Count, Occurrences(json, "\"$effect\":\"ledger-ref\"").Count);
        Assert.Equal(pending, back.Outbox.Pending.OfType<ArchiveLedgerEntry>().Select(e => e.Entry));
    }

    [Fact]
    public void AnEntryWhoseSequenceTheLedgerHoldsWithOtherContentIsStoredInFull()
    {
        var state = Purchases(new ProgramOptions(), 1);
        var held = state.Ledger[^1];
        var other = held with { Delta = held.Delta + 1, BalanceAfter = held.BalanceAfter + 1 };
        state.Outbox.Confirm([.. state.Outbox.Pending]);
        state.Outbox.Add(new ArchiveLedgerEntry(other));

        var back = JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)!;

        Assert.Equal(other, Assert.IsType<ArchiveLedgerEntry>(Assert.Single(back.Outbox.Pending)).Entry);
        Assert.Equal(held, back.Ledger[^1]);
    }

    [Fact]
    public void AWaitingEntryIsStoredByOneReferenceMadeOnceAndACopyStoresItsOwn()
    {
        var state = Purchases(new ProgramOptions(), 2);
        var pending = state.Outbox.Pending.OfType<ArchiveLedgerEntry>().ToList();
        Assert.True(pending.Count >= 2, $"{pending.Count} pending entries");
        var first = pending[0];

        // Every state write while the entry waits stores the same reference object, with the same JSON.
        var json = JsonSerializer.Serialize(state, Web);
        var reference = Assert.IsType<ArchiveLedgerReference>(LedgerReferences.For(first, state.Ledger));
        Assert.Same(reference, LedgerReferences.For(first, state.Ledger));
        Assert.Equal(first.Entry.Sequence, reference.Sequence);
        Assert.Equal(json, JsonSerializer.Serialize(state, Web));

        // A copy naming another entry does not carry the original's reference; the cache is not part of equality.
        var copy = first with { Entry = pending[1].Entry };
        Assert.Equal(pending[1].Entry.Sequence, Assert.IsType<ArchiveLedgerReference>(LedgerReferences.For(copy, state.Ledger)).Sequence);
        Assert.Equal(new ArchiveLedgerEntry(first.Entry), first);
        Assert.Equal(new ArchiveLedgerEntry(first.Entry).GetHashCode(), first.GetHashCode());
        Assert.NotEqual(new ArchiveLedgerEntry(pending[1].Entry), first);
    }

    [Fact]
    public void AnEntryTrimmedFromTheRecentLedgerAfterItsReferenceWasMadeIsStoredInFull()
    {
        var options = new ProgramOptions { LedgerEntriesKept = 2 };
        var state = Purchases(options, 1);
        var first = state.Outbox.Pending.OfType<ArchiveLedgerEntry>().First();
        Assert.IsType<ArchiveLedgerReference>(LedgerReferences.For(first, state.Ledger));

        // More purchases push the entry out of the two kept; it still waits in the outbox, the same object.
        for (var i = 1; i < 4; i++)
        {
            var at = Start.AddHours(i);
            MemberDecider.Apply(state, new MemberEvent("e-O" + i, MemberEventTypes.Purchase, at) { OrderId = "O" + i, Amount = 120m + i }, options, at);
        }

        Assert.Same(first, state.Outbox.Pending.OfType<ArchiveLedgerEntry>().First());
        Assert.DoesNotContain(state.Ledger, e => e.Sequence == first.Entry.Sequence);

        // The reference made before is not handed out again: the entry is written in full, and loads back.
        Assert.Null(LedgerReferences.For(first, state.Ledger));
        var json = JsonSerializer.Serialize(state, Web);
        var full = JsonSerializer.Serialize<MemberEffect>(first, Web);
        Assert.StartsWith("{\"$effect\":\"ledger\",", full, StringComparison.Ordinal);
        Assert.Contains(full, json, StringComparison.Ordinal);
        Assert.DoesNotContain($"\"$effect\":\"ledger-ref\",\"sequence\":{first.Entry.Sequence}}}", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize<MemberState>(json, Web)!;
        Assert.Equal(first.Entry, back.Outbox.Pending.OfType<ArchiveLedgerEntry>().First().Entry);
    }

    [Fact]
    public void AStateWhoseOutboxNamesAnEntryItsLedgerDoesNotHoldIsRefused()
    {
        var state = Purchases(new ProgramOptions(), 1);
        var json = JsonSerializer.Serialize(state, Web);
        var sequence = state.Ledger[^1].Sequence;
        var broken = json.Replace($"\"$effect\":\"ledger-ref\",\"sequence\":{sequence}", "\"$effect\":\"ledger-ref\",\"sequence\":9999", StringComparison.Ordinal);
        Assert.NotEqual(json, broken);

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<MemberState>(broken, Web));
        Assert.Contains("9999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StatesStoredBeforeReferencesLoadAlike()
    {
        // Written by earlier versions: every pending entry in full, beside the same entry in the recent ledger.
        var state = Purchases(new ProgramOptions(), 3);
        var pending = state.Outbox.Pending.OfType<ArchiveLedgerEntry>().ToList();
        var older = JsonSerializer.Serialize(state, Web);
        foreach (var effect in pending)
        {
            older = older.Replace(
                $"{{\"$effect\":\"ledger-ref\",\"sequence\":{effect.Entry.Sequence}}}",
                JsonSerializer.Serialize<MemberEffect>(effect, Web),
                StringComparison.Ordinal);
        }

        Assert.Empty(Occurrences(older, "ledger-ref"));
        var back = JsonSerializer.Deserialize<MemberState>(older, Web)!;

        Assert.Equal(pending.Select(e => e.Entry), back.Outbox.Pending.OfType<ArchiveLedgerEntry>().Select(e => e.Entry));
        Assert.True(JsonSerializer.Serialize(back, Web).Length < older.Length);
    }

    [Fact]
    public void StatesStoredOneAfterTheOtherOnAThreadEachStoreTheirOwnOutbox()
    {
        // The short forms are written through a list each outbox reuses: a shorter outbox stored after a longer one
        // must not carry the longer one's tail, nor the longer one's next write the shorter one's effects.
        var longer = Purchases(new ProgramOptions(), 6, "M-long");
        var shorter = Purchases(new ProgramOptions(), 2, "M-short");
        Assert.True(longer.Outbox.Count > shorter.Outbox.Count, $"{longer.Outbox.Count} against {shorter.Outbox.Count} pending");
        var longerIds = longer.Outbox.Pending.Select(e => e.Id).ToList();
        var shorterIds = shorter.Outbox.Pending.Select(e => e.Id).ToList();

        var longerJson = JsonSerializer.Serialize(longer, Web);
        var shorterJson = JsonSerializer.Serialize(shorter, Web);
        var longerAgain = JsonSerializer.Serialize(longer, Web);

        Assert.Equal(longerJson, longerAgain);
        Assert.Equal(shorterIds, JsonSerializer.Deserialize<MemberState>(shorterJson, Web)!.Outbox.Pending.Select(e => e.Id));
        Assert.Equal(longerIds, JsonSerializer.Deserialize<MemberState>(longerAgain, Web)!.Outbox.Pending.Select(e => e.Id));

        // Neither outbox was touched by storing, and the stored list is not the outbox itself.
        Assert.Equal(longerIds, longer.Outbox.Pending.Select(e => e.Id));
        Assert.Equal(shorterIds, shorter.Outbox.Pending.Select(e => e.Id));
        Assert.NotSame(shorter.Outbox.Pending, shorter.StoredOutbox);
        Assert.All(shorter.Outbox.Pending, e => Assert.IsNotType<ArchiveLedgerReference>(e));
    }

    [Fact]
    public void StoredOutboxesReadFromTwoStatesStayEachStatesOwnWhenTheFirstIsStoredAfterwards()
    {
        // A reader that keeps the stored form (an export, a second serializer pass) holds its member's effects, not
        // those of whichever member was stored next on the thread.
        var first = Purchases(new ProgramOptions(), 6, "M-first");
        var second = Purchases(new ProgramOptions(), 2, "M-second");
        var firstJson = JsonSerializer.Serialize(first, Web);
        var secondJson = JsonSerializer.Serialize(second, Web);
        var firstOutbox = StoredOutboxIn(firstJson);
        var secondOutbox = StoredOutboxIn(secondJson);
        Assert.NotEqual(firstOutbox, secondOutbox);

        var a = first.StoredOutbox!;
        var b = second.StoredOutbox!;
        Assert.NotSame(a, b);
        Assert.NotSame(first.Outbox.Pending, a); // the short forms' list, not the outbox itself
        Assert.Contains(a, e => e is ArchiveLedgerReference);

        var firstAgain = JsonSerializer.Serialize(first, Web);

        Assert.Equal(firstJson, firstAgain);
        Assert.Equal(firstOutbox, JsonSerializer.Serialize(a, Web));
        Assert.Equal(secondOutbox, JsonSerializer.Serialize(b, Web));
        Assert.Equal(first.Outbox.Count, a.Count);
        Assert.Equal(second.Outbox.Count, b.Count);
    }

    private static string StoredOutboxIn(string stateJson)
    {
        using var document = JsonDocument.Parse(stateJson);
        return document.RootElement.GetProperty("outbox").GetRawText();
    }

    private static MemberState Purchases(ProgramOptions options, int count, string memberId = "M1")
    {
        var state = new MemberState { MemberId = memberId };
        for (var i = 0; i < count; i++)
        {
            var at = Start.AddHours(i);
            MemberDecider.Apply(state, new MemberEvent("e-O" + i, MemberEventTypes.Purchase, at) { OrderId = "O" + i, Amount = 120m + i }, options, at);
        }

        return state;
    }

    private static List<int> Occurrences(string text, string value)
    {
        var found = new List<int>();
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            found.Add(at);
        }

        return found;
    }
}
