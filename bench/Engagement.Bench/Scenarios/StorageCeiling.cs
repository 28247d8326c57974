using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Bench.Infrastructure;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// The raw storage work one event needs, done by a bare loop with no Orleans in between: receive up to 32
/// messages, then for each one upsert a row of the member's state size and delete the message. One worker per
/// queue, like the engine's one pulling agent per queue. Two shapes: <c>serial</c> (one message at a time per
/// worker: Q operations in flight) and <c>batch-parallel</c> (a received batch's messages at once: up to 32·Q in
/// flight, which is what the engine's per-stream delivery and parallel deletes can reach).
/// </summary>
internal sealed class StorageCeiling(QueueServiceClient queues, TableServiceClient tables, string prefix, string tableName, int queueCount, TimeProvider time)
{
    private long _done;

    public long Done => Interlocked.Read(ref _done);

    public async Task<double> MeasureAsync(string label, EventFactory events, int count, int stateChars, bool parallelBatch)
    {
        var publisher = new Publisher(queues, $"{prefix}-{(parallelBatch ? "p" : "s")}", queueCount);
        await publisher.CreateQueuesAsync();
        var table = tables.GetTableClient(tableName);
        await table.CreateIfNotExistsAsync();
        var payload = new string('x', Math.Max(stateChars, 1));
        try
        {
            Console.WriteLine($"  ceiling ({label}): loading {count:N0} messages");
            var now = time.GetUtcNow();
            await publisher.SendAllAsync(Enumerable.Range(0, count).Select(_ => events.Next(now)), 64);

            Interlocked.Exchange(ref _done, 0);
            var start = Stopwatch.GetTimestamp();
            await using (Progress.Start("ceiling " + label, count, () => Done))
            {
                await Task.WhenAll(publisher.Queues.Select(q => WorkerAsync(q, table, payload, parallelBatch)));
            }

            return Done / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        finally
        {
            await publisher.DeleteQueuesAsync();
        }
    }

    private async Task WorkerAsync(QueueClient queue, TableClient table, string payload, bool parallelBatch)
    {
        while (true)
        {
            QueueMessage[] batch = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5));
            if (batch.Length == 0)
            {
                // Preloaded: an empty receive means this queue is drained.
                return;
            }

            if (parallelBatch)
            {
                await Task.WhenAll(batch.Select(m => HandleAsync(queue, table, payload, m)));
            }
            else
            {
                foreach (var message in batch)
                {
                    await HandleAsync(queue, table, payload, message);
                }
            }
        }
    }

    private async Task HandleAsync(QueueClient queue, TableClient table, string payload, QueueMessage message)
    {
        var entity = new TableEntity(MemberIdOf(message.Body), "member")
        {
            ["DataChunks"] = 1,
            ["Data0"] = payload,
            ["ServiceId"] = "ceiling",
            ["GrainId"] = "member",
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace);
        try
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }

        Interlocked.Increment(ref _done);
    }

    private static string MemberIdOf(BinaryData body)
    {
        var reader = new Utf8JsonReader(body.ToMemory().Span);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("memberId"u8))
            {
                reader.Read();
                return reader.GetString() ?? "unknown";
            }
        }

        return "unknown";
    }
}
