using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Engagement.Contracts.Events;
using Engagement.EndToEnd.Tests.Infrastructure;
using Engagement.EndToEnd.Tests.Ingestion;
using Xunit.Abstractions;

namespace Engagement.EndToEnd.Tests.Backup;

/// <summary>
/// Issue 14: a backup taken while a real silo process ingests restores to consistent members. The backup copies the
/// tables one after another (grain state first), so the copies are of different moments; consistency here means each
/// member's restored state is one state the member itself wrote, and the other tables agree with that state: its
/// ledger holds exactly its entries 1..next−1 (in the ledger table or listed as pending in the state, which the member
/// writes when it wakes), the points balance of its lots equals the sum of its ledger's points and its newest points
/// entry, and its reminder is there. On its own Azurite (the test deletes every table); about two minutes.
/// </summary>
[Trait("Category", "Backup")]
[Trait("Machine", "Alone")] // needs the machine to itself: kills the silo under load while a backup runs
[ExpectedSeconds(70)]
public sealed partial class BackupUnderLoadTests(ITestOutputHelper output)
{
    private const string Container = "engagement-backups";

    [Fact]
    public async Task ABackupTakenWhileASiloIngestsRestoresEveryMemberConsistentWithItsLedgerAndReminder()
    {
        await using var azurite = await DedicatedAzurite.StartAsync();
        var settings = SiloSettings.ForTest("backup") with
        {
            ConnectionString = azurite.ConnectionString,
            // Small ledger batches: members archive every few events, so a backup both finds entries waiting in
            // states and races ledger rows written after their state was copied.
            Extra = new Dictionary<string, string> { ["Engagement__Backup__Enabled"] = "false", ["Engagement__Member__Outbox__LedgerBatch"] = "4" },
        };
        var prefix = "B" + Guid.NewGuid().ToString("N")[..5].ToUpperInvariant();
        var model = LoadModel.Full(prefix, members: 150, events: 2400, duplicateShare: 0.03, malformedShare: 0, seed: 1408, now: settings.Clock.GetUtcNow());
        var queues = new QueueServiceClient(settings.ConnectionString);
        await PublishAsync(queues, settings, model.Messages);

        string backup;
        MemberRows copied;
        var silo = await SiloProcess.StartAsync(settings);
        try
        {
            await Poll.UntilAsync(async () => await PendingAsync(queues, settings) < model.Messages.Count * 85 / 100, TimeSpan.FromMinutes(3), "15% of the events applied");

            // Backups until one copied a ledger row its member's state had not reached (the race this test is about);
            // usually the first does. Each must finish while events are still being applied; once the load is applied
            // there is no race left to catch, so the tries end there (or after four).
            (backup, copied) = ("", new MemberRows());
            var pending = 0;
            for (var attempt = 1; attempt <= 4 && copied.RowsAheadOfState() == 0; attempt++)
            {
                var (exit, text) = await DotnetCommand.SiloAsync(settings.ConnectionString, "backup");
                Assert.True(exit == 0, $"backup exited with {exit}:\n{text}");
                backup = BackupLine().Match(text).Groups[1].Value;
                pending = await PendingAsync(queues, settings);
                copied = await MemberRows.FromBackupAsync(settings.ConnectionString, Container, backup, prefix);
                output.WriteLine($"backup {backup}: {copied.States.Count} member states, {copied.RowsAheadOfState()} ledger rows ahead of their member's state; {pending} messages still queued");
                if (pending == 0)
                {
                    break;
                }
            }

            // Without such a row the restore's cut leaves nothing out and the checks below pass (0 == 0) whether or not
            // the cut works: such a run proves nothing about it, so it fails rather than pass.
            Assert.True(
                copied.RowsAheadOfState() > 0,
                $"none of the backups (last: {backup}) copied a ledger row ahead of its member's state: the ledger cut was never exercised; " +
                "the load no longer races the copy (more events, a smaller Engagement__Member__Outbox__LedgerBatch)");
            Assert.True(pending > 0, "the backup must finish while the silo is still ingesting");
        }
        finally
        {
            await silo.KillAsync();
            await silo.DisposeAsync();
        }

        // Disaster: every table gone, the queues emptied (what was applied after the backup is not in it).
        var tables = new TableServiceClient(settings.ConnectionString);
        var engineTables = new List<string>();
        await foreach (var table in tables.QueryAsync())
        {
            engineTables.Add(table.Name);
            await tables.DeleteTableAsync(table.Name);
        }

        // Every table the silo wrote (grain state, ledger, journal, index, search, audit, metrics, coupon codes,
        // reminders), whatever later features add; only the membership table is rebuilt by the silos instead.
        Assert.Superset(new HashSet<string>(["EngagementGrainState", "EngagementLedger", "EngagementReminders", "EngagementMetrics", "EngagementMemberIndex", "EngagementSilos"]), engineTables.ToHashSet());
        var owned = engineTables.Where(t => t != "EngagementSilos").Order(StringComparer.Ordinal).ToList();

        await foreach (var queue in queues.GetQueuesAsync())
        {
            await queues.GetQueueClient(queue.Name).ClearMessagesAsync();
        }

        var (code, restoreOutput) = await DotnetCommand.SiloAsync(settings.ConnectionString, "restore", "--backup", backup);
        output.WriteLine(restoreOutput);
        Assert.True(code == 0, $"restore exited with {code}:\n{restoreOutput}");
        var cut = CutLine().Match(restoreOutput);
        Assert.True(cut.Success, "the restore reports how it cut the ledger at each member's state:\n" + restoreOutput);
        Assert.Equal(copied.RowsAheadOfState(), int.Parse(cut.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));

        Assert.Equal(owned, RestoredLine().Matches(restoreOutput).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        var back = new List<string>();
        await foreach (var table in tables.QueryAsync())
        {
            back.Add(table.Name);
        }

        Assert.Equal(owned, back.Order(StringComparer.Ordinal));

        var restored = await MemberRows.FromTablesAsync(settings.ConnectionString, prefix);
        Assert.Equal(copied.States.Keys.Order(StringComparer.Ordinal), restored.States.Keys.Order(StringComparer.Ordinal));
        Assert.True(restored.States.Count >= 100, $"most members had been seen when the backup ran ({restored.States.Count} of {model.Members.Count})");
        var behindFinal = restored.States.Values.Count(s => s.Balance != model.Members[s.MemberId].Points);
        output.WriteLine($"{restored.States.Count} members restored; {behindFinal} of them without events applied after the backup");
        AssertConsistent(restored, model);

        // The engine on the restored account: what support sees agrees with the state, and the pending rows are written.
        await using var again = await SiloProcess.StartAsync(settings);
        await AssertServedConsistentlyAsync(again, restored);
    }

    private static void AssertConsistent(MemberRows rows, LoadModel model)
    {
        var broken = new List<string>();
        foreach (var state in rows.States.Values)
        {
            var archived = rows.Ledger.GetValueOrDefault(state.MemberId) ?? [];
            var ahead = archived.Where(r => r.Sequence >= state.NextSequence).Select(r => r.Sequence).ToList();
            if (ahead.Count > 0)
            {
                broken.Add($"{state.MemberId}: ledger rows {string.Join(",", ahead)} past its next sequence {state.NextSequence}");
            }

            var entries = archived.Concat(state.Pending).GroupBy(r => r.Sequence).Select(g => g.First()).OrderBy(r => r.Sequence).ToList();
            if (!entries.Select(r => r.Sequence).SequenceEqual(Enumerable.Range(1, (int)state.NextSequence - 1).Select(i => (long)i)))
            {
                broken.Add($"{state.MemberId}: ledger (table and pending) holds sequences [{string.Join(",", entries.Select(r => r.Sequence))}], not 1..{state.NextSequence - 1}");
                continue;
            }

            var points = entries.Where(r => r.Kind == "points").ToList();
            var newest = points.LastOrDefault()?.BalanceAfter ?? 0;
            if (points.Sum(r => r.Delta) != state.Balance || newest != state.Balance)
            {
                broken.Add($"{state.MemberId}: lots hold {state.Balance} points; its ledger's points add up to {points.Sum(r => r.Delta)}, newest balance {newest}");
            }

            var tier = entries.LastOrDefault(r => r.Kind == "tier")?.BalanceAfter ?? 1;
            if (state.Tier != "V" + tier.ToString(CultureInfo.InvariantCulture))
            {
                broken.Add($"{state.MemberId}: tier {state.Tier}, its ledger says V{tier}");
            }

            if (entries.Any(r => r.EventId is { } id && !id.StartsWith(state.MemberId + "-", StringComparison.Ordinal)))
            {
                broken.Add($"{state.MemberId}: a ledger entry names another member's event");
            }

            if (state.RemindsItself && !rows.Reminders.Any(rk => rk.EndsWith($"_{state.MemberId}-lifecycle", StringComparison.Ordinal)))
            {
                broken.Add($"{state.MemberId}: its state counts on a lifecycle reminder the reminder table lacks");
            }

            if (!model.Members.ContainsKey(state.MemberId))
            {
                broken.Add($"{state.MemberId}: not a member of the load");
            }
        }

        Assert.True(broken.Count == 0, $"{broken.Count} restored members are not consistent:\n" + string.Join("\n", broken.Take(20)));
    }

    private static async Task AssertServedConsistentlyAsync(SiloProcess silo, MemberRows restored)
    {
        using var support = silo.CreateClient(SiloProcess.SupportKey);
        var broken = new List<string>();
        await Parallel.ForEachAsync(restored.States.Values, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (state, _) =>
        {
            var view = await support.GetMemberAsync(state.MemberId);
            var ledger = await LedgerAsync(support, state.MemberId);
            var points = ledger.Where(e => e.Kind == "points").ToList();
            string? problem = view is null ? "404"
                : view.Int64Of("pointsBalance") != state.Balance ? $"serves {view.Int64Of("pointsBalance")} points, its state holds {state.Balance}"
                : !ledger.Select(e => e.Sequence).Order().SequenceEqual(Enumerable.Range(1, (int)state.NextSequence - 1).Select(i => (long)i)) ? $"its ledger pages hold {ledger.Count} entries, not 1..{state.NextSequence - 1}"
                : points.Sum(e => e.Delta) != state.Balance || (points.MaxBy(e => e.Sequence)?.BalanceAfter ?? 0) != state.Balance ? "its points ledger does not add up to its balance"
                : null;
            if (problem is not null)
            {
                lock (broken)
                {
                    broken.Add($"{state.MemberId}: {problem}");
                }
            }
        });

        Assert.True(broken.Count == 0, $"{broken.Count} members read inconsistently after the restore:\n" + string.Join("\n", broken.Take(20)));
    }

    /// <summary>Every ledger entry of a member through the API, paging back with <c>before</c>.</summary>
    private static async Task<List<MemberRows.LedgerRow>> LedgerAsync(HttpClient http, string memberId)
    {
        var all = new List<MemberRows.LedgerRow>();
        string? before = null;
        do
        {
            var page = (await http.GetFromJsonAsync<JsonNode>($"api/v1/members/{memberId}/ledger?limit=200{before}", Api.Json))!.AsObject();
            all.AddRange(page["entries"]!.AsArray().Select(e => new MemberRows.LedgerRow(
                e!["sequence"]!.GetValue<long>(), e["kind"]!.GetValue<string>(), e["delta"]!.GetValue<long>(), e["balanceAfter"]!.GetValue<long>(), e["eventId"]?.GetValue<string>())));
            before = page["nextBefore"] is JsonValue next ? "&before=" + next.GetValue<long>().ToString(CultureInfo.InvariantCulture) : null;
        }
        while (before is not null);
        return all;
    }

    private static async Task PublishAsync(QueueServiceClient queues, SiloSettings settings, IReadOnlyList<LoadModel.Message> messages)
    {
        for (var i = 0; i < settings.QueueCount; i++)
        {
            await queues.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, i)).CreateIfNotExistsAsync();
        }

        // One sender per queue keeps each member's messages in order.
        await Task.WhenAll(messages.GroupBy(m => QueuePartitioner.QueueIndex(m.MemberId!, settings.QueueCount)).Select(async group =>
        {
            var queue = queues.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, group.Key));
            foreach (var message in group)
            {
                await queue.SendMessageAsync(message.Body);
            }
        }));
    }

    private static async Task<int> PendingAsync(QueueServiceClient queues, SiloSettings settings)
    {
        var total = 0;
        for (var i = 0; i < settings.QueueCount; i++)
        {
            total += (await queues.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, i)).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        return total;
    }

    [GeneratedRegex(@"^backup (\d{8}-\d{6}):", RegexOptions.Multiline)]
    private static partial Regex BackupLine();

    [GeneratedRegex(@"^\s*restored (\w+): [\d,]+ of [\d,]+ rows", RegexOptions.Multiline)]
    private static partial Regex RestoredLine();

    [GeneratedRegex(@"cut EngagementLedger at the state of [\d,]+ members: left out ([\d,]+) rows")]
    private static partial Regex CutLine();
}
