using Azure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Problems;

/// <summary>
/// Turns an overloaded or unreachable back end into 503 Service Unavailable with <c>Retry-After</c> (seconds) and RFC 9457
/// problem details, instead of a 500: a grain call that timed out (<see cref="TimeoutException"/>), a silo that is gone
/// or refused the message (<see cref="SiloUnavailableException"/>, <see cref="OrleansMessageRejectionException"/>), and
/// Azure Storage answering 408, 429 or 5xx or not reachable at all (<see cref="RequestFailedException"/>, also inside the
/// <see cref="AggregateException"/> its retries end with), and a cancellation the client did not ask for (the Azure SDK's
/// network timeout arrives as a <see cref="TaskCanceledException"/> on its own token, alone or as an aggregate of them
/// once its retries are used up) while the request was not aborted. A request the client aborted is left as it is.
/// Nothing was lost: a caller retries the same request (every write of the API is idempotent by its id, CONTRACT.md §3).
/// </summary>
public sealed partial class UnavailableProblemHandler(IProblemDetailsService problems, ILogger<UnavailableProblemHandler> logger) : IExceptionHandler
{
    /// <summary>The <c>Retry-After</c> the response carries, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    /// <inheritdoc/>
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        // A cancellation at the top (alone or an aggregate of them) may be the client's own: only unasked is it "not now".
        // Wrapped in another exception (a grain call's OrleansException) it is a storage timeout (IsTransient).
        var unavailable = IsCancellation(exception)
            ? IsUnaskedCancellation(exception, httpContext.RequestAborted)
            : IsTransient(exception);
        if (httpContext.Response.HasStarted || !unavailable)
        {
            return false;
        }

        LogUnavailable(logger, exception, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = Find<Contracts.Members.MemberBacklogException>(exception) is not null
                ? "The member has effects its receivers have not taken yet (a receiver is down); retry the same request later"
                : "The engine is busy or its storage is unavailable; retry the same request later",
            Type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// True for the faults that say "not now" rather than "this request is wrong", also when wrapped: through inner
    /// exceptions and through every exception of an <see cref="AggregateException"/> (once the Azure SDK's retries are
    /// used up on a network error it throws an aggregate of <see cref="RequestFailedException"/>s with status 0).
    /// Storage unreachable (status 0, <see cref="HttpRequestException"/>, <see cref="IOException"/>) counts as "not now",
    /// and so does a member search failure told without its query (<see cref="Support.MemberSearchFailedException"/>)
    /// whose original fault was one of these. Also "not now": an <see cref="Orleans.Storage.InconsistentStateException"/>
    /// anywhere in the chain (a state write refused with 412 because another activation wrote first, or a campaign
    /// activation refusing calls after its own write failed until it reloads storage: the repeat reads storage again),
    /// and a cancellation below the top level (a storage write that timed out, wrapped by Orleans in an
    /// <see cref="OrleansException"/> or carried as the inner exception of such a refusal). A cancellation at the top
    /// level is the caller's to judge (<see cref="IsUnaskedCancellation"/>: the client may have left).
    /// </summary>
    public static bool IsTransient(Exception exception) => IsTransientAt(exception, depth: 0);

    /// <summary>
    /// True when <paramref name="exception"/> is a cancellation (<see cref="OperationCanceledException"/>, its
    /// <see cref="TaskCanceledException"/>, or an <see cref="AggregateException"/> of only those) while
    /// <paramref name="requestAborted"/> is not cancelled: nobody asked for it, so it is a timeout (the Azure SDK's
    /// network timeout), "not now" rather than a bug. A cancelled <paramref name="requestAborted"/> (the client went
    /// away) is false: there is nobody to answer.
    /// </summary>
    /// <param name="exception">What the endpoint threw.</param>
    /// <param name="requestAborted">The request's own token (<see cref="HttpContext.RequestAborted"/>).</param>
    public static bool IsUnaskedCancellation(Exception exception, CancellationToken requestAborted) =>
        !requestAborted.IsCancellationRequested && IsCancellation(exception);

    private static bool IsCancellation(Exception exception) => exception switch
    {
        OperationCanceledException => true,
        AggregateException { InnerExceptions.Count: > 0 } aggregate => aggregate.Flatten().InnerExceptions.All(e => e is OperationCanceledException),
        _ => false,
    };

    /// <summary>The first <typeparamref name="T"/> among <paramref name="exception"/>'s inner exceptions (itself first), or null.</summary>
    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        var depth = 0;
        for (var e = exception; e is not null && depth < 16; e = e.InnerException, depth++)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool IsTransientAt(Exception? exception, int depth)
    {
        // Bounded: an exception graph is a tree in practice, but nothing stops a cycle through InnerException.
        for (var e = exception; e is not null && depth < 16; e = e.InnerException, depth++)
        {
            switch (e)
            {
                case TimeoutException:
                case SiloUnavailableException:
                case OrleansMessageRejectionException:
                case RequestFailedException { Status: 0 or 408 or 429 or >= 500 }:
                case HttpRequestException:
                case IOException:
                case Support.MemberSearchFailedException { Transient: true }:
                case Orleans.Storage.InconsistentStateException:
                case OperationCanceledException when depth > 0:
                    return true;
                case AggregateException aggregate:
                    return aggregate.InnerExceptions.Any(inner => IsTransientAt(inner, depth + 1));
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the back end did not answer in time ({Fault})")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method, string path, string fault);
}
