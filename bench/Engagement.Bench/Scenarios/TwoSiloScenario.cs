using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Events;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.Configuration;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// Scale-out on one storage account: the same durable drain (preloaded events on the storage queues, silos composed
/// like the real host, Azure membership table, lease-based queue balancing) first with one silo, then with two silos
/// in one cluster, on the same Azurite, each pass with members of its own. Reports both drain rates and their ratio.
/// </summary>
internal static class TwoSiloScenario
{
    public static async Task RunAsync(BenchOptions options, ScenarioResult result)
    {
        if (options.ConnectionString is not { Length: > 0 } connectionString)
        {
            result.Status = ScenarioResult.Skipped;
            result.Message = "needs Azurite: eval \"$(scripts/azurite start /tmp/bench-azurite)\" sets AZURE_STORAGE_CONNECTION_STRING";
            return;
        }

        var run = options.RunId + "x";
        var time = new ShiftableTime(options.Start);
        result.Details["members_per_pass"] = options.Members;
        result.Details["events_per_pass"] = options.Events;
        result.Details["queues"] = options.Queues;
        var one = await DrainAsync(options, connectionString, run + "1", silos: 1, time, result);
        var two = await DrainAsync(options, connectionString, run + "2", silos: 2, time, result);

        result.Add("one silo, sustained", one, "events/s");
        result.Add("two silos, sustained", two, "events/s");
        result.Add("two silos / one silo", Math.Round(two / one, 2), "×");
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Each pass: {options.Events:N0} events for {options.Members:N0} new members preloaded on {options.Queues} queues, then the silo(s) started (in this process, Azure membership table, lease-based queue balancer: {options.Queues / 2} + {options.Queues - (options.Queues / 2)} queues for two); sustained = events applied between 10% and 90% of the drain / that time. Both passes share one Azurite, a single Node process: when it is the bottleneck a second silo cannot add much, and the ratio says how much of the engine's own work a second silo takes over. Against Azure Storage the account limits bind instead (docs/scaling.md, \"On paper: 20 silos, 10 million members\")."));
    }

    private static async Task<double> DrainAsync(BenchOptions options, string connectionString, string run, int silos, ShiftableTime time, ScenarioResult result)
    {
        var prefix = $"bench-{run}";
        var pass = silos == 1 ? "one" : "two";
        var queueService = new QueueServiceClient(connectionString);
        var tableService = new TableServiceClient(connectionString);
        var publisher = new Publisher(queueService, prefix, options.Queues);
        var events = new EventFactory(run, options.Members, seed: 3);
        var tables = new[] { $"B{run}State", $"B{run}Reminders", $"B{run}Ledger", $"B{run}Silos", $"B{run}Index" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:AzureStorage"] = connectionString,
            ["Engagement:Ingestion:QueueNamePrefix"] = prefix,
            ["Engagement:Ingestion:QueueCount"] = options.Queues.ToString(CultureInfo.InvariantCulture),
            ["Engagement:Campaigns:MemberIndexTableName"] = tables[4],
        }).Build();
        try
        {
            await publisher.CreateQueuesAsync();
            Console.WriteLine($"  {pass}: preloading {options.Events:N0} events for {options.Members:N0} members on {options.Queues} queues");
            var now = time.GetUtcNow();
            await publisher.SendAllAsync(Enumerable.Range(0, options.Events).Select(_ => events.Next(now)), concurrency: 64);

            var acceptedBase = IngestionMetrics.AcceptedTotal;
            long Accepted() => IngestionMetrics.AcceptedTotal - acceptedBase;
            var sampler = RateSampler.Start(Accepted);
            var hosts = new List<BenchSilo>();
            try
            {
                for (var i = 0; i < silos; i++)
                {
                    hosts.Add(await BenchSilo.StartAsync(prefix, time, s =>
                    {
                        s.AddEngagementGrains(configuration);
                        s.AddEngagementAzureStorage(o =>
                        {
                            o.ConnectionString = connectionString;
                            o.GrainStateTableName = tables[0];
                            o.ReminderTableName = tables[1];
                            o.LedgerTableName = tables[2];
                            o.MembershipTableName = tables[3];
                            o.TouchQueueName = $"{prefix}-touches";
                        });

                        // The membership table instead of BenchSilo's localhost clustering (the last registration wins),
                        // so the silos of a pass form one cluster as the real host's do.
                        s.UseEngagementAzureClustering();
                        s.AddEngagementCampaignStorage(configuration);
                        s.AddEngagementQueueStreams(configuration);
                    }));
                }

                await using (Progress.Start($"drain ({pass})", options.Events, Accepted))
                {
                    await RateSampler.WaitForAsync(Accepted, options.Events, TimeSpan.FromSeconds(400), $"two-silo drain ({pass})", TimeSpan.FromSeconds(Math.Max(420, options.Events / 20.0)));
                }

                await sampler.DisposeAsync();
                var rate = sampler.SustainedRate(options.Events);
                result.Details[$"{pass}.overall_events_per_s"] = sampler.OverallRate(options.Events);
                result.Details[$"{pass}.longest_idle_s"] = sampler.LongestIdle(options.Events);
                result.Details[$"{pass}.first_applied_after_s"] = sampler.FirstAt();
                return rate;
            }
            finally
            {
                foreach (var host in hosts)
                {
                    await host.DisposeAsync();
                }
            }
        }
        finally
        {
            await CleanUpAsync(queueService, tableService, connectionString, publisher, prefix, tables);
        }
    }

    private static async Task CleanUpAsync(QueueServiceClient queues, TableServiceClient tables, string connectionString, Publisher publisher, string prefix, string[] tableNames)
    {
        try
        {
            await publisher.DeleteQueuesAsync();
            await queues.GetQueueClient(QueuePartitioner.PoisonQueueNameFor(prefix)).DeleteIfExistsAsync();
            await queues.GetQueueClient($"{prefix}-touches").DeleteIfExistsAsync();
            foreach (var table in tableNames)
            {
                await tables.DeleteTableAsync(table);
            }

            var leases = new BlobServiceClient(connectionString).GetBlobContainerClient(QueueBalancingHostingExtensions.LeaseContainer);
            await foreach (var blob in leases.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{QueueBalancingHostingExtensions.LeaseCategory}-{prefix}", CancellationToken.None))
            {
                await leases.DeleteBlobIfExistsAsync(blob.Name);
            }
        }
        catch (global::Azure.RequestFailedException ex)
        {
            Console.WriteLine($"  (clean-up of {prefix} incomplete: {ex.Message})");
        }
    }
}
