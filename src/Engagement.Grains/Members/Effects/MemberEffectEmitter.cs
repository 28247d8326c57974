using Engagement.Domain.Members.Effects;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members.Effects;

/// <summary>
/// The one emitter of a member's outbox (<see cref="MemberOutbox"/>): after the state write, hands each pending
/// effect to the handler of its kind and removes what the receivers confirmed. A handler that fails keeps its
/// effects pending (the next emit, or the next activation, sends them again: each carries a deterministic id).
/// </summary>
public sealed partial class MemberEffectEmitter(IEnumerable<IMemberEffectHandler> handlers, ILogger<MemberEffectEmitter> logger)
{
    private readonly IMemberEffectHandler[] _handlers = [.. handlers];

    /// <summary>
    /// Emits every pending effect. Returns what was confirmed: <see cref="EmitResult.Any"/> when the outbox shrank,
    /// <see cref="EmitResult.Durable"/> when one of them asks to be confirmed in storage at once (<see cref="MemberEffect.ConfirmDurably"/>).
    /// </summary>
    public async Task<EmitResult> EmitAsync(string memberId, MemberOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        if (outbox.Count == 0)
        {
            return default;
        }

        var confirmed = new List<MemberEffect>();
        var claimed = 0;
        foreach (var handler in _handlers)
        {
            List<MemberEffect>? batch = null;
            foreach (var effect in outbox.Pending)
            {
                if (handler.Handles(effect))
                {
                    (batch ??= []).Add(effect);
                }
            }

            if (batch is null)
            {
                continue;
            }

            claimed += batch.Count;
            try
            {
                var done = await handler.EmitAsync(memberId, batch);
                confirmed.AddRange(batch.Take(done));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogEmitFailed(ex, memberId, batch.Count, handler.GetType().Name);
            }
        }

        if (claimed < outbox.Count)
        {
            // A kind no handler on this silo emits (e.g. an index row with campaigns off): nothing will ever take it.
            foreach (var orphan in outbox.Pending.Where(e => !_handlers.Any(h => h.Handles(e))))
            {
                LogDropped(memberId, orphan.Id);
                confirmed.Add(orphan);
            }
        }

        outbox.Confirm(confirmed);
        return new EmitResult(confirmed.Count > 0, confirmed.Exists(e => e.ConfirmDurably));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: emitting {Count} effects through {Handler} failed; they stay in the outbox and are retried")]
    private partial void LogEmitFailed(Exception ex, string memberId, int count, string handler);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: no handler on this silo emits effect {EffectId}; dropped")]
    private partial void LogDropped(string memberId, string effectId);
}

/// <summary>What <see cref="MemberEffectEmitter.EmitAsync"/> confirmed.</summary>
/// <param name="Any">The outbox shrank.</param>
/// <param name="Durable">A confirmed effect must be confirmed in storage now (its receiver does not drop repeats).</param>
public readonly record struct EmitResult(bool Any, bool Durable);
