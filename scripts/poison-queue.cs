#:package Azure.Storage.Queues
// Reads the poison queue (docs/publishing-events.md): `dotnet run scripts/poison-queue.cs -- <command>`.
//   peek [N]              prints up to N dead letters (default and at most 32), one per line as
//                         `<messageId> <insertedOn, UTC> <letter JSON>`, and leaves them on the queue.
//   delete <messageId>…   deletes exactly the dead letters with those ids (the ones you fixed and resent): receives the
//                         queue in batches, deletes the matching ones and makes every other one visible again at once.
//                         A letter storage refuses to delete or to show again is named on stderr (status and error
//                         code, or the exception type when storage did not answer; when every try failed, what they
//                         failed on and how many) and the rest go on; one not shown
//                         again reappears by itself 5 minutes after it was received, one answered 404 is already gone.
//   take <N>              prints the first N dead letters (N required, 1-32) the same way and deletes each one printed,
//                         fixed or not: only to empty the queue once its whole content is saved.
// Connection: ConnectionStrings__AzureStorage (the silo's own setting, what `scripts/run` prints), else
// AZURE_STORAGE_CONNECTION_STRING (what `scripts/azurite start` prints), else the emulator on its default ports; the
// account, queue endpoint and which of these it came from are printed on stderr first (never the key).
// Queue: ENGAGEMENT_POISON_QUEUE, else engagement-events-poison.
// Exit code: 0 done; 1 an id was not found or a letter could not be deleted or shown again (each named on stderr); 2 usage.
using System.Globalization;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

const string Usage = "usage: dotnet run scripts/poison-queue.cs -- peek [1-32] | delete <messageId>... | take <1-32>";
var mode = args.Length > 0 ? args[0] : "peek";
var count = 32;
if (mode == "delete" ? args.Length < 2
    : mode == "take" ? args.Length != 2 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 32
    : mode != "peek" || args.Length > 2 || (args.Length == 2 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 32)))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

// The silo's setting first, as the silo reads it: a second engine on its own ports (scripts/run prints its
// ConnectionStrings__AzureStorage) must not be read through another Azurite's AZURE_STORAGE_CONNECTION_STRING.
var (connection, source) = Environment.GetEnvironmentVariable("ConnectionStrings__AzureStorage") is { Length: > 0 } silo
    ? (silo, "ConnectionStrings__AzureStorage")
    : Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } azurite
        ? (azurite, "AZURE_STORAGE_CONNECTION_STRING")
        : ("UseDevelopmentStorage=true", "the default UseDevelopmentStorage=true");
var name = Environment.GetEnvironmentVariable("ENGAGEMENT_POISON_QUEUE") ?? "engagement-events-poison";
var queue = new QueueClient(connection, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
Console.Error.WriteLine($"reading {name} on account {queue.AccountName} at {queue.Uri.GetLeftPart(UriPartial.Path)} (connection from {source})");
if (!(await queue.ExistsAsync()).Value)
{
    Console.Error.WriteLine($"{name}: no such queue (nothing was ever dead-lettered)");
    return 0;
}

// A failure as its status and error code when storage answered, else the exception types (a connection failure; the
// SDK's AggregateException when every try failed: what the tries failed on, each named the same way, and how many):
// never the message, which names the account's host.
static string Why(Exception ex) => ex switch
{
    RequestFailedException { Status: not 0, ErrorCode: { Length: > 0 } code } failed => $"{failed.Status} {code}",
    RequestFailedException { Status: not 0 } failed => $"{failed.Status}",
    AggregateException aggregate => $"{string.Join(", ", aggregate.InnerExceptions.Select(Why).Distinct())} after {aggregate.InnerExceptions.Count} tries",
    _ => ex.InnerException is null ? ex.GetType().Name : $"{ex.GetType().Name}: {ex.InnerException.GetType().Name}",
};

static string Line(string id, DateTimeOffset? insertedOn, BinaryData body) =>
    $"{id} {insertedOn?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-"} {body}";

if (mode == "peek")
{
    foreach (var message in (await queue.PeekMessagesAsync(count)).Value)
    {
        Console.WriteLine(Line(message.MessageId, message.InsertedOn, message.Body));
    }

    return 0;
}

if (mode == "take")
{
    foreach (var message in (await queue.ReceiveMessagesAsync(count, TimeSpan.FromMinutes(1))).Value)
    {
        Console.WriteLine(Line(message.MessageId, message.InsertedOn, message.Body));
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }

    return 0;
}

// delete: every letter received here is either deleted (its id was asked for) or made visible again at once, so the
// batches walk the queue without hiding letters from the next reader for longer than this run.
var wanted = new HashSet<string>(args.Skip(1), StringComparer.Ordinal);
var hidden = new List<QueueMessage>();
var failures = 0;
try
{
    while (wanted.Count > 0)
    {
        var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
        if (batch.Length == 0)
        {
            break;
        }

        foreach (var message in batch)
        {
            if (wanted.Remove(message.MessageId))
            {
                try
                {
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    Console.WriteLine($"deleted {message.MessageId}");
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Already gone (deleted by someone else meanwhile): nothing to show again, so not tried again either.
                    failures++;
                    Console.Error.WriteLine($"delete failed: {message.MessageId} ({Why(ex)}); it is no longer on {name}");
                }
                catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
                {
                    failures++;
                    Console.Error.WriteLine($"delete failed: {message.MessageId} ({Why(ex)}); it stays on {name}");
                    hidden.Add(message);
                }
            }
            else
            {
                hidden.Add(message);
            }
        }
    }
}
finally
{
    // Every letter gets its try: one refused (deleted meanwhile, storage trouble) must not leave the rest hidden.
    foreach (var message in hidden)
    {
        try
        {
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            failures++;
            Console.Error.WriteLine($"not made visible again: {message.MessageId} ({Why(ex)}); it is no longer on {name}");
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
        {
            failures++;
            Console.Error.WriteLine($"not made visible again: {message.MessageId} ({Why(ex)}); it reappears on its own within 5 minutes");
        }
    }
}

foreach (var id in wanted)
{
    Console.Error.WriteLine($"not found: {id} (already deleted, or not on {name})");
}

return wanted.Count == 0 && failures == 0 ? 0 : 1;
