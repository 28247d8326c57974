using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Grains.Tests.Members;

/// <summary>Refused held refunds go to the poison queue, which does not drop repeats: a partial send confirms what went out.</summary>
public sealed class DeadLetterHandlerTests
{
    [Fact]
    public async Task WhenTheSecondDeadLetterFailsTheFirstIsConfirmedAndOnlyTheSecondIsSentAgain()
    {
        var sink = new FailingOnceSink(failAt: 2);
        var handler = new DeadLetterHandler(sink, NullLogger<DeadLetterHandler>.Instance);
        List<MemberEffect> effects = [Refused("r1"), Refused("r2"), Refused("r3")];

        Assert.Equal(1, await handler.EmitAsync("m1", effects));
        Assert.Equal(2, await handler.EmitAsync("m1", effects.Skip(1).ToList()));

        Assert.Equal(["r1", "r2", "r3"], sink.Published);
    }

    [Fact]
    public async Task WhenTheFirstFailsNothingIsConfirmedAndTheFailureReachesTheEmitter()
    {
        var sink = new FailingOnceSink(failAt: 1);
        var handler = new DeadLetterHandler(sink, NullLogger<DeadLetterHandler>.Instance);

        await Assert.ThrowsAsync<IOException>(() => handler.EmitAsync("m1", [Refused("r1")]));
        Assert.Empty(sink.Published);
    }

    private static DeadLetterRefund Refused(string eventId) =>
        new(new HeldRefund { EventId = eventId, OrderId = "O-" + eventId, Amount = 10m, SourceQueue = "purchases", SourceText = eventId }, "no purchase within 30 days");

    private sealed class FailingOnceSink(int failAt) : IDeadLetterSink
    {
        private int _calls;

        public List<string> Published { get; } = [];

        public Task PublishAsync(string reason, string queue, string body, CancellationToken cancellationToken = default)
        {
            if (++_calls == failAt)
            {
                throw new IOException("the poison queue did not answer");
            }

            Published.Add(body);
            return Task.CompletedTask;
        }
    }
}
