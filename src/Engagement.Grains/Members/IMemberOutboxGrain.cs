namespace Engagement.Grains.Members;

/// <summary>The member grain's own entry for retrying its outbox (<see cref="MemberOutboxRetry"/>); not for clients.</summary>
public interface IMemberOutboxGrain : IGrainWithStringKey
{
    /// <summary>
    /// Emits the effects still pending in the member's outbox (all but ledger entries waiting for a batch), as a change
    /// of its own. Does nothing for a member never seen. Throws only when storage cannot be read after a failed change.
    /// </summary>
    Task RetryOutboxAsync();
}
