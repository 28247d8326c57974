using Engagement.Domain.Members.Effects;

namespace Engagement.Grains.Members.Effects;

/// <summary>The per-member state of <see cref="MetricContributionHandler"/> on this silo.</summary>
public sealed partial class MetricContributionHandler
{
    /// <summary>
    /// One member's contributions on this silo: queued (sending or to send, in outbox order) and confirmed but not yet
    /// taken. Both are short (what one member emitted since its aggregators last answered), so they are lists looked
    /// through, not sets: a lane is made at the start of most bursts of a member's events and dropped when it empties,
    /// and two hash sets cost it about 380 bytes more each time.
    /// </summary>
    /// <param name="memberId">The member whose lane it is.</param>
    private sealed class Lane(string memberId)
    {
        public string MemberId { get; } = memberId;

        public List<RecordMetrics> Queue { get; } = [];

        /// <summary>Contributions the aggregators confirmed that the member has not taken yet (<see cref="TakeLeading"/>); each at most once.</summary>
        public List<Key> Done { get; } = [];

        public Task Sending { get; set; } = Task.CompletedTask;

        /// <summary>
        /// A sender runs and looks at the queue again before it stops. Set and cleared under the lane's lock, so a
        /// contribution queued after the sender's last look always starts a new one (<see cref="Sending"/> completes
        /// only after that look, a little later).
        /// </summary>
        public bool Running { get; set; }

        /// <summary>The member deactivated while the sender ran: the lane is dropped when it stops (<see cref="Release"/>).</summary>
        public bool Released { get; set; }

        /// <summary>Whether the contribution <paramref name="key"/> is queued (sending or to send): then it is not queued again.</summary>
        public bool Queues(Key key)
        {
            foreach (var queued in Queue)
            {
                if (Key.Of(queued) == key)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// A contribution effect as the lane knows it: its outcome id and sequence, what its <see cref="MemberEffect.Id"/> is
    /// made of (<see cref="RecordMetrics.HasSameId"/> compares the same), without building that string at each look.
    /// </summary>
    private readonly record struct Key(string OutcomeId, long Sequence)
    {
        public static Key Of(MemberEffect effect)
        {
            var metrics = (RecordMetrics)effect;
            return new Key(metrics.OutcomeId, metrics.Sequence);
        }
    }
}
