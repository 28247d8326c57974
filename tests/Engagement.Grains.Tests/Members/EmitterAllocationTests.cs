using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Tests;
using Engagement.Grains.Members.Effects;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// What one emit of the member's outbox allocates on the member's thread (the hot path: one emit per event), pinned so
/// that the emitter's per-emit lists do not creep back. The handler here confirms synchronously and allocates nothing,
/// so every byte counted is the emitter's own.
/// </summary>
public sealed class EmitterAllocationTests
{
    [Fact]
    public void AnEventsEmitAllocatesNothingOfTheEmittersOwn()
    {
        var emitter = new MemberEffectEmitter([new ConfirmingHandler()], Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);
        var outbox = new MemberOutbox();
        var effect = Record();

        var bytes = AllocationProbe.FewestBytes(() =>
        {
            outbox.Add(effect);
            var emitted = emitter.EmitAsync("m1", outbox);
            Assert.True(emitted.IsCompletedSuccessfully);
            Assert.True(emitted.Result.Any);
        }, enough: 0);

        Assert.Empty(outbox.Pending);
        Assert.Equal(0L, bytes);
    }

    [Fact]
    public void TakingBackgroundConfirmationsBeforeAWriteAllocatesNothingOfTheEmittersOwn()
    {
        var handler = new ConfirmingHandler { InBackground = true };
        var emitter = new MemberEffectEmitter([handler], Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);
        var outbox = new MemberOutbox();
        var effect = Record();

        var bytes = AllocationProbe.FewestBytes(() =>
        {
            outbox.Add(effect);
            Assert.True(emitter.TakeConfirmed("m1", outbox));
        }, enough: 0);

        Assert.Empty(outbox.Pending);
        Assert.Equal(0L, bytes);
    }

    private static RecordMetrics Record() =>
        new("e:1", [new MetricContribution { Id = "c:1", MemberId = "m1", Sequence = 1, RegionId = "east", Day = new DateOnly(2026, 11, 24), Counters = new Dictionary<string, long> { ["events"] = 1 } }]);

    /// <summary>Confirms every effect it is given at once, from a task made once.</summary>
    private sealed class ConfirmingHandler : IMemberEffectHandler
    {
        private static readonly Task<int> One = Task.FromResult(1);

        public bool InBackground { get; init; }

        public bool ConfirmsInBackground => InBackground;

        public bool Handles(MemberEffect effect) => effect is RecordMetrics;

        public Task<int> EmitAsync(string memberId, IReadOnlyList<MemberEffect> effects) => effects.Count == 1 ? One : Task.FromResult(effects.Count);

        public int TakeConfirmed(string memberId, IReadOnlyList<MemberEffect> effects) => effects.Count;
    }
}
