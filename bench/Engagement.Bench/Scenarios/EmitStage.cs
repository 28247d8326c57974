using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members.Effects;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// The member outbox's emit in the stage profile: the engine's own <see cref="MemberEffectEmitter"/> over the member's
/// pending effects after each state write, everything sent (the outbox emptied every write, as the profile did before
/// it emitted), with one handler that takes every kind and confirms it at once from a task made beforehand. So what it
/// allocates on the thread is the emitter's own per-emit work, without any receiver's (detail
/// <c>stage.emit_allocated_bytes_per_event</c>).
/// </summary>
internal sealed class EmitStage
{
    private readonly MemberEffectEmitter _emitter = new([new ConfirmEverything()], Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);

    /// <summary>Emits everything pending in <paramref name="outbox"/>; throws unless it completed at once and emptied the outbox.</summary>
    public void Emit(string memberId, MemberOutbox outbox)
    {
        var emitted = _emitter.EmitAsync(memberId, outbox, everything: true);
        if (!emitted.IsCompletedSuccessfully || outbox.Count > 0)
        {
            throw new InvalidOperationException($"The stage's emit of {memberId} did not complete at once with an empty outbox.");
        }
    }

    /// <summary>Confirms whatever it is given, answering from tasks made once (up to 64 effects).</summary>
    private sealed class ConfirmEverything : IMemberEffectHandler
    {
        private static readonly Task<int>[] Answers = [.. Enumerable.Range(0, 65).Select(Task.FromResult)];

        public bool Handles(MemberEffect effect) => true;

        public Task<int> EmitAsync(string memberId, IReadOnlyList<MemberEffect> effects) =>
            effects.Count < Answers.Length ? Answers[effects.Count] : Task.FromResult(effects.Count);
    }
}
