namespace Engagement.Azure.Streaming;

/// <summary>
/// On a silo, watches the pulling agents' deliveries of this provider's items to their consumers (the calls that carry
/// an <see cref="EngagementBatchContainer"/>) and keeps why each last failed in <see cref="ConsumerFailures"/>; every
/// other call passes straight through. The failure itself is rethrown unchanged: the agent retries as before.
/// </summary>
internal sealed class ConsumerFailureFilter(ConsumerFailures failures) : IOutgoingGrainCallFilter
{
    // The pulling agent delivers through Orleans' internal IStreamConsumerExtension.DeliverBatch: every other call is
    // told apart by its interface type alone, before any argument is read (reading one boxes it).
    private const string ConsumerExtension = "Orleans.Streams.IStreamConsumerExtension";

    public Task Invoke(IOutgoingGrainCallContext context) =>
        context.Request.GetInterfaceType().FullName == ConsumerExtension && DeliveredSequence(context.Request) is { } sequence
            ? WatchAsync(context, sequence)
            : context.Invoke();

    private static long? DeliveredSequence(Orleans.Serialization.Invocation.IInvokable request)
    {
        for (var i = 0; i < request.GetArgumentCount(); i++)
        {
            if (request.GetArgument(i) is EngagementBatchContainer batch)
            {
                return batch.Token.SequenceNumber;
            }
        }

        return null;
    }

    private async Task WatchAsync(IOutgoingGrainCallContext context, long sequence)
    {
        try
        {
            await context.Invoke();
            failures.Forget(sequence);
        }
        catch (Exception ex)
        {
            failures.Record(sequence, ex);
            throw;
        }
    }
}
