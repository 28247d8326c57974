using Azure;

namespace Engagement.Api.Support;

/// <summary>
/// A member search whose index read failed, told without the query: the query may be a member's phone number, and the
/// failure it replaces may carry it (an Azure <see cref="RequestFailedException"/>'s message can hold the request URI
/// with the table filter, <c>$filter=Phone eq '13812341234'</c>). It keeps only what a log needs: the failure's type
/// and HTTP status, whether it was transient (answered 503 by the API, see <c>UnavailableProblemHandler</c>), and the
/// query's kind and length. It has no inner exception, so nothing logged with it can carry the original message.
/// </summary>
public sealed class MemberSearchFailedException : Exception
{
    /// <summary>Creates one from its parts (see <see cref="From"/>).</summary>
    /// <param name="fault">The failure's type name, e.g. <c>RequestFailedException</c>.</param>
    /// <param name="status">The storage answer's HTTP status, or null when there was none (a timeout).</param>
    /// <param name="transient">Whether the failure means "not now" rather than "this request is wrong".</param>
    /// <param name="queryKind"><see cref="PhoneKind"/> or <see cref="TextKind"/>.</param>
    /// <param name="queryLength">The query's length in characters (trimmed).</param>
    public MemberSearchFailedException(string fault, int? status, bool transient, string queryKind, int queryLength)
        : base($"Member search failed: {fault}{(status is { } s ? $" (status {s})" : "")} for a {queryKind} query of {queryLength} characters")
    {
        Fault = fault;
        Status = status;
        Transient = transient;
        QueryKind = queryKind;
        QueryLength = queryLength;
    }

    /// <summary>A query that reads as a phone number (digits, with spaces, <c>+</c>, <c>-</c>, <c>.</c> or brackets).</summary>
    public const string PhoneKind = "phone";

    /// <summary>Any other query (a member id prefix); not logged either.</summary>
    public const string TextKind = "text";

    /// <summary>The failure's type name.</summary>
    public string Fault { get; }

    /// <summary>The storage answer's HTTP status, or null (a timeout, an unreachable store).</summary>
    public int? Status { get; }

    /// <summary>True when the API answers it 503 with Retry-After (a timeout, the storage SDK's own cancellation included, storage busy or unreachable).</summary>
    public bool Transient { get; }

    /// <summary><see cref="PhoneKind"/> or <see cref="TextKind"/>.</summary>
    public string QueryKind { get; }

    /// <summary>The query's length in characters (trimmed).</summary>
    public int QueryLength { get; }

    /// <summary>
    /// What <paramref name="failure"/> of a search for <paramref name="query"/> is told as, without the query. Transient
    /// (503 with Retry-After) are the faults <c>UnavailableProblemHandler.IsTransient</c> names and a cancellation: only
    /// one the caller did not ask for reaches here (the storage SDK's own timeout, a <see cref="TaskCanceledException"/>
    /// on its timeout token, or an <see cref="AggregateException"/> of them once its retries are used up), since <see cref="MemberDirectory"/> and the console's search page let the caller's own
    /// cancellation through as is.
    /// </summary>
    /// <param name="failure">What the index read threw, never the caller's own cancellation.</param>
    /// <param name="query">The query searched for (never kept).</param>
    public static MemberSearchFailedException From(Exception failure, string query)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(query);
        var status = failure is RequestFailedException { Status: > 0 } r ? r.Status : (int?)null;
        var transient = Problems.UnavailableProblemHandler.IsUnaskedCancellation(failure, CancellationToken.None)
            || Problems.UnavailableProblemHandler.IsTransient(failure);
        return new MemberSearchFailedException(failure.GetType().Name, status, transient, KindOf(query), query.Trim().Length);
    }

    /// <summary><see cref="PhoneKind"/> for a query of digits (at least one) and phone punctuation, else <see cref="TextKind"/>.</summary>
    /// <param name="query">The query as typed.</param>
    public static string KindOf(string query) =>
        query is not null && query.Any(char.IsAsciiDigit) && query.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '.' or '(' or ')')
            ? PhoneKind
            : TextKind;
}
