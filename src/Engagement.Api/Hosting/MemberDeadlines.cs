using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using Engagement.Api.Problems;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Api.Hosting;

/// <summary>
/// How long a member-facing or POS request (a member's app, a till) waits for the engine before it answers 503,
/// bound from <c>Engagement:Api:MemberDeadline</c> (docs/http-api.md, which lists the endpoints). Wall-clock time.
/// Operator endpoints (audience estimates, the index rebuild, <c>/audit</c>, programme reports, backups) have none.
/// </summary>
public sealed class MemberDeadlineOptions
{
    /// <summary>The configuration section, <c>Engagement:Api:MemberDeadline</c>.</summary>
    public const string SectionName = "Engagement:Api:MemberDeadline";

    /// <summary>The deadline of a read (a member's view, a coupon check, stock). Default 5 s, allowed 1 s to 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Read { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The deadline of a command (a redemption, a coupon redeemed, stock set, one event posted). Default 10 s, allowed
    /// 1 s to 60 s. A command past it is not abandoned: it is applied (and audited) when the engine answers.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Command { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Which deadline of <see cref="MemberDeadlineOptions"/> an endpoint has.</summary>
public enum MemberDeadlineKind
{
    /// <summary><see cref="MemberDeadlineOptions.Read"/>: nothing is changed.</summary>
    Read,

    /// <summary><see cref="MemberDeadlineOptions.Command"/>: the command may still be applied after its 503.</summary>
    Command,
}

/// <summary>
/// Endpoint metadata: the endpoint answers 503 past the <paramref name="Kind"/> deadline (docs/http-api.md). Added by
/// <see cref="MemberDeadlines.WithMemberDeadline"/>; <c>POST /api/v1/events</c> carries it for its one-event form (an
/// array has no deadline). Operator endpoints carry none.
/// </summary>
/// <param name="Kind">Which deadline of <see cref="MemberDeadlineOptions"/>.</param>
public sealed record MemberDeadlineMetadata(MemberDeadlineKind Kind);

/// <summary>
/// Deadlines of the member-facing and POS endpoints. The endpoint's work is awaited up to its deadline; past it the
/// request answers 503 with <c>Retry-After</c> (<see cref="UnavailableProblemHandler.RetryAfterSeconds"/> s) and
/// problem details titled "The engine did not answer within N s", instead of after Orleans' 30 s response timeout.
/// Nothing is cancelled: a grain call already sent runs to its end, and the endpoint's work after it (its audit row)
/// too, so an endpoint's work past its first await uses no request-scoped service and no request token for what must
/// be written once the command is applied.
/// </summary>
public static partial class MemberDeadlines
{
    /// <summary>Registers <see cref="MemberDeadlineOptions"/> (validated at start).</summary>
    public static IServiceCollection AddEngagementMemberDeadlines(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MemberDeadlineOptions>()
            .Bind(configuration.GetSection(MemberDeadlineOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Gives the endpoint(s) of <paramref name="builder"/> the <paramref name="kind"/> deadline, and the
    /// <see cref="MemberDeadlineMetadata"/> that says so.
    /// </summary>
    public static TBuilder WithMemberDeadline<TBuilder>(this TBuilder builder, MemberDeadlineKind kind)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new MemberDeadlineMetadata(kind)).AddEndpointFilter(new DeadlineFilter(kind));

    /// <summary>The deadline of <paramref name="kind"/> configured in <paramref name="services"/>.</summary>
    public static TimeSpan Of(IServiceProvider services, MemberDeadlineKind kind)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptions<MemberDeadlineOptions>>().Value;
        return kind == MemberDeadlineKind.Read ? options.Read : options.Command;
    }

    /// <summary>
    /// <paramref name="work"/>'s result, or null when it has not finished within <paramref name="deadline"/> (wall
    /// clock); it is not cancelled then, and how it ends later is logged to <paramref name="logger"/>: Information, or a
    /// Warning when a <see cref="MemberDeadlineKind.Command"/> faulted after its 503 (it may not have been applied). A
    /// transient fault (<see cref="UnavailableProblemHandler.IsTransient"/>, a cancellation: a storage freeze abandons
    /// many requests) is logged by its type and message, without its stack trace; any other fault with it.
    /// </summary>
    public static async Task<T?> WithinAsync<T>(Task<T> work, TimeSpan deadline, ILogger logger, string what, MemberDeadlineKind kind)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(work);
        using var timer = new CancellationTokenSource();
        var late = Task.Delay(deadline, TimeProvider.System, timer.Token);
        if (await Task.WhenAny(work, late) == work)
        {
            await timer.CancelAsync();
            return await work;
        }

        var started = Stopwatch.GetTimestamp();
        _ = work.ContinueWith(
            t => FinishedLate(logger, what, kind, started, t),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return null;
    }

    private static void FinishedLate(ILogger logger, string what, MemberDeadlineKind kind, long started, Task work)
    {
        var lateSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (work.Exception is not { } faulted)
        {
            LogFinishedLate(logger, what, lateSeconds, work.IsCanceled ? "cancelled" : "completed", null);
            return;
        }

        var fault = faulted.GetBaseException();
        var outcome = $"{fault.GetType().Name}: {fault.Message}".ReplaceLineEndings(" ");
        var transient = UnavailableProblemHandler.IsTransient(faulted) || UnavailableProblemHandler.IsUnaskedCancellation(faulted, CancellationToken.None);
        var exception = transient ? null : fault;
        if (kind == MemberDeadlineKind.Command)
        {
            LogCommandFaultedLate(logger, what, lateSeconds, outcome, exception);
        }
        else
        {
            LogFinishedLate(logger, what, lateSeconds, outcome, exception);
        }
    }

    /// <summary>The 503 of a request past its <paramref name="deadline"/>: <c>Retry-After</c> and problem details.</summary>
    public static IResult Unavailable(HttpContext context, TimeSpan deadline, MemberDeadlineKind kind)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = UnavailableProblemHandler.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: string.Create(CultureInfo.InvariantCulture, $"The engine did not answer within {deadline.TotalSeconds:0.###} s"),
            detail: kind == MemberDeadlineKind.Command
                ? "The command was sent and may still be applied (storage slow or unavailable). Retry it unchanged, with the same id: the engine applies it once (CONTRACT.md §1, §4). "
                    + "A stock or inventory PUT has no id (the last write wins): a retry sets the value again and writes a second audit row, so read the stock first and retry only if it is not what you sent."
                : "Nothing was changed (storage slow or unavailable); retry the same request later.",
            type: "https://tools.ietf.org/html/rfc9110#section-15.6.4");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the engine did not answer within {DeadlineSeconds} s")]
    private static partial void LogPastDeadline(ILogger logger, string method, string path, double deadlineSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Request}, answered 503 at its deadline, finished {LateSeconds:0.0} s later: {Outcome}")]
    private static partial void LogFinishedLate(ILogger logger, string request, double lateSeconds, string outcome, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Request}, answered 503 at its deadline, failed {LateSeconds:0.0} s later: {Outcome}; it may not have been applied")]
    private static partial void LogCommandFaultedLate(ILogger logger, string request, double lateSeconds, string outcome, Exception? exception);

    private sealed class DeadlineFilter(MemberDeadlineKind kind) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            var deadline = Of(http.RequestServices, kind);
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MemberDeadlines));
            // Strings now: the request's HttpContext is reused once it is answered, and the work may outlive it.
            var method = http.Request.Method;
            var path = http.Request.Path.Value ?? "";
            var answer = await WithinAsync(Box(next(context)), deadline, logger, method + " " + path, kind);
            if (answer is not null)
            {
                return answer.Value;
            }

            LogPastDeadline(logger, method, path, deadline.TotalSeconds);
            return Unavailable(http, deadline, kind);
        }

        private static async Task<Boxed> Box(ValueTask<object?> work) => new(await work);
    }

    private sealed record Boxed(object? Value);
}
