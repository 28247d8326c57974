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

    // DeliverBatch(subscriptionId, streamId, item, handshakeToken), generated with a CancellationToken after them, is the
    // only call that carries a batch, and only its item is read: the stream id before it is a struct, which GetArgument
    // would box on every delivery.
    internal static long? DeliveredSequence(Orleans.Serialization.Invocation.IInvokable request) =>
        request.GetMethodName() == "DeliverBatch" && request.GetArgumentCount() > 2 && request.GetArgument(2) is EngagementBatchContainer batch
            ? batch.Token.SequenceNumber
            : null;

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
