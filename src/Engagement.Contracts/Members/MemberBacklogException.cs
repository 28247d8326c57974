using System.Globalization;

namespace Engagement.Contracts.Members;

/// <summary>
/// A member refused a change because its outbox (the effects it owes its receivers: ledger archive rows, journal rows,
/// touches, index rows, metric contributions, coupon records) stays past its byte bound after emitting them all first:
/// a receiver, the ledger archive most often, is down. Nothing was decided or stored; the member's outbox retry keeps
/// sending, and once the receiver is back the member takes changes again. A <see cref="TimeoutException"/> ("not now"):
/// the API answers 503 with <c>Retry-After</c>, a queue event is received again later, a campaign fan-out counts the
/// member as not reached and goes on with its page (docs/rules.md "The outbox is bounded by count and by bytes").
/// </summary>
/// <remarks>Crosses silos by Orleans' codec under a stable alias: the base exception's message, then both figures.</remarks>
[GenerateSerializer, Alias("engagement.member-backlog.v1")]
public sealed class MemberBacklogException : TimeoutException
{
    /// <summary>Creates the exception for a member whose outbox holds <paramref name="effects"/> effects, <paramref name="bytes"/> bytes of stored JSON.</summary>
    /// <param name="memberId">The member that refused the change.</param>
    /// <param name="effects">Effects pending in its outbox.</param>
    /// <param name="bytes">Their stored JSON, UTF-8 bytes.</param>
    /// <param name="boundBytes">The outbox's byte bound, UTF-8 bytes.</param>
    public MemberBacklogException(string memberId, int effects, int bytes, int boundBytes)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"Member {memberId} has {effects} effects ({bytes:N0} bytes) its receivers have not taken (the ledger archive or another receiver is down), "
            + $"over the outbox bound of {boundBytes:N0} bytes: the change is refused, nothing was applied; retry later, once they are delivered."))
    {
        Effects = effects;
        Bytes = bytes;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public MemberBacklogException()
    {
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public MemberBacklogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public MemberBacklogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Effects pending in the member's outbox when it refused.</summary>
    [Id(0)]
    public int Effects { get; }

    /// <summary>Their stored JSON when it refused, UTF-8 bytes.</summary>
    [Id(1)]
    public int Bytes { get; }
}
