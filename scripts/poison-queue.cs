#:package Azure.Storage.Queues
// Reads the poison queue (README, Publishing events): `dotnet run scripts/poison-queue.cs -- [peek|take] [N]`.
//   peek N  prints up to N dead letters (at most 32) as they are, one JSON per line, and leaves them on the queue.
//   take N  prints them the same way and deletes each one printed: run it once you have saved or resent them.
// Connection: AZURE_STORAGE_CONNECTION_STRING (what `scripts/azurite start` prints), else the emulator on its default ports.
// Queue: ENGAGEMENT_POISON_QUEUE, else engagement-events-poison.
using Azure.Storage.Queues;

var mode = args.Length > 0 ? args[0] : "peek";
var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 32;
if (mode is not ("peek" or "take") || count is < 1 or > 32)
{
    Console.Error.WriteLine("usage: dotnet run scripts/poison-queue.cs -- [peek|take] [1-32]");
    return 2;
}

var connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") ?? "UseDevelopmentStorage=true";
var name = Environment.GetEnvironmentVariable("ENGAGEMENT_POISON_QUEUE") ?? "engagement-events-poison";
var queue = new QueueClient(connection, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
if (!(await queue.ExistsAsync()).Value)
{
    Console.Error.WriteLine($"{name}: no such queue (nothing was ever dead-lettered)");
    return 0;
}

if (mode == "peek")
{
    foreach (var message in (await queue.PeekMessagesAsync(count)).Value)
    {
        Console.WriteLine(message.Body.ToString());
    }

    return 0;
}

foreach (var message in (await queue.ReceiveMessagesAsync(count, TimeSpan.FromMinutes(1))).Value)
{
    Console.WriteLine(message.Body.ToString());
    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
}

return 0;
