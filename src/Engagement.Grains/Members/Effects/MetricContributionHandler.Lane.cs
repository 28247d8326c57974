using Engagement.Domain.Members.Effects;

namespace Engagement.Grains.Members.Effects;

/// <summary>The per-member state of <see cref="MetricContributionHandler"/> on this silo.</summary>
public sealed partial class MetricContributionHandler
{
    /// <summary>
    /// One member's contributions on this silo: queued (sending or to send, in outbox order) and confirmed but not yet
    /// taken. Both are short (what one member emitted since its aggregators last answered), so they are lists looked
    /// through, not sets: a lane is made at the start of most bursts of a member's events and dropped when it empties,
    /// and two hash sets cost it about 230 bytes more each time (by their layout: two 64-byte sets and the first one's
    /// 40-byte buckets and 96-byte entries, 264 bytes, less the 32-byte list that replaces the second). Each list keeps
    /// an upper bound of the sequences it holds: a member's sequences only grow, so a new contribution is known absent
    /// without a look through the list, and a look starts where the last one matched (both sides are in outbox order),
    /// so a member passing all its pending contributions at each emit (an aggregator outage: up to 200) costs one pass.
    /// </summary>
    /// <param name="memberId">The member whose lane it is.</param>
    private sealed class Lane(string memberId)
    {
        public string MemberId { get; } = memberId;

        public List<RecordMetrics> Queue { get; } = [];

        /// <summary>Contributions the aggregators confirmed that the member has not taken yet (<see cref="TakeLeading"/>); each at most once.</summary>
        public List<Key> Done { get; } = [];

        /// <summary>At least the highest sequence in <see cref="Queue"/> (<see cref="long.MinValue"/> when it was last emptied).</summary>
        private long _highestQueued = long.MinValue;

        /// <summary>At least the highest sequence in <see cref="Done"/> (<see cref="long.MinValue"/> while it was never added to).</summary>
        private long _highestDone = long.MinValue;

        /// <summary>Where the next look through <see cref="Queue"/> starts: just after the last match.</summary>
        private int _nextLook;

        public Task Sending { get; set; } = Task.CompletedTask;

        /// <summary>
        /// A sender runs and looks at the queue again before it stops. Set and cleared under the lane's lock, so a
        /// contribution queued after the sender's last look always starts a new one (<see cref="Sending"/> completes
        /// only after that look, a little later).
        /// </summary>
        public bool Running { get; set; }

        /// <summary>The member deactivated while the sender ran: the lane is dropped when it stops (<see cref="Release"/>).</summary>
        public bool Released { get; set; }

        /// <summary>Queues <paramref name="effect"/> unless it is queued already (sending or to send).</summary>
        public void Enqueue(RecordMetrics effect)
        {
            var key = Key.Of(effect);
            if (key.Sequence <= _highestQueued && IndexIn(Queue, key, static effect => Key.Of(effect), ref _nextLook) >= 0)
            {
                return;
            }

            Queue.Add(effect);
            _highestQueued = Math.Max(_highestQueued, key.Sequence);
        }

        /// <summary>The sender's first <paramref name="sent"/> queued contributions are confirmed: they move to <see cref="Done"/>, each at most once.</summary>
        public void Confirm(int sent)
        {
            var look = 0;
            for (var i = 0; i < sent; i++)
            {
                var key = Key.Of(Queue[i]);
                if (key.Sequence > _highestDone || IndexIn(Done, key, static done => done, ref look) < 0)
                {
                    Done.Add(key);
                    _highestDone = Math.Max(_highestDone, key.Sequence);
                }
            }

            Queue.RemoveRange(0, sent);
            if (Queue.Count == 0)
            {
                _highestQueued = long.MinValue;
            }

            _nextLook = 0;
        }

        /// <summary>
        /// Where <paramref name="key"/> is in <paramref name="items"/>, or -1: looked for from <paramref name="from"/> to the
        /// end, then from the start; <paramref name="from"/> moves just after a match, so keys looked for in list order
        /// cost one pass in all.
        /// </summary>
        private static int IndexIn<T>(List<T> items, Key key, Func<T, Key> keyOf, ref int from)
        {
            var count = items.Count;
            var start = from < count ? from : 0;
            for (var n = 0; n < count; n++)
            {
                var i = start + n < count ? start + n : start + n - count;
                if (keyOf(items[i]) == key)
                {
                    from = i + 1;
                    return i;
                }
            }

            return -1;
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
