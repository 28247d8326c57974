using System.Globalization;
using System.Text;
using System.Text.Json;
using Engagement.Api.Hosting;
using Engagement.Api.Problems;
using Engagement.Api.Security;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Events;

/// <summary>
/// <c>POST /api/v1/events</c>: the queue envelope over HTTP, one object or an array, for systems that cannot use a queue.
/// Valid events are applied even when others beside them are invalid; the invalid ones are named in the problem.
/// Limits (<see cref="RequestLimits"/>): 4 MB and 1,000 events per request, 64 KB per event (the queue's own limit);
/// a body that is not UTF-8 is refused whole (400 naming <c>body</c>). A store key may send only
/// <see cref="ApiRoles.TillEventTypes"/>; another type is refused alone, named <c>[i].type</c> (<c>type</c>), 403 when no
/// event was applied; a store key bound to its store(s) (<see cref="StoreKeyScope"/>) may not send an event naming
/// another <c>storeId</c>, refused alone the same way, named <c>[i].storeId</c> (<c>storeId</c>).
/// </summary>
public static partial class EventEndpoints
{
    /// <summary>At most this many events in one request; larger loads belong on the queues.</summary>
    public const int MaxBatch = 1000;

    [LoggerMessage(Level = LogLevel.Information, Message = "POST /events: {Received} received, {Applied} applied or held, {Invalid} invalid")]
    private static partial void LogReceived(ILogger logger, int received, int applied, int invalid);

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/events", PostEventsAsync)
            .RequireAuthorization(ApiRoles.TillPolicy)
            .WithTags("events")
            .WithMetadata(new MemberDeadlineMetadata(MemberDeadlineKind.Command)) // one event only: see PostEventsAsync
            .WithSummary("Apply one event or an array of events (the queue envelope of CONTRACT.md §1)")
            .WithDescription(ResultsDescription)
            .Accepts<EngagementEvent>("application/json")
            .Produces<EventsAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                EventsOpenApi.OneOrAnArray(operation, MaxBatch);
                return Task.CompletedTask;
            });
        return routes;
    }

    /// <summary>
    /// The OpenAPI description of <c>POST /api/v1/events</c>: the body, the answers and each event's <c>status</c> in
    /// <c>results</c> with what a POS does on it (docs/http-api.md says the same).
    /// </summary>
    internal const string ResultsDescription =
        "Body: one event envelope (CONTRACT.md §1) or an array of 1–1,000 of them; 4 MB per request, 64 KB per event. "
        + "202: every event valid; `results[i].status` per event (`index`, `eventId`, `memberId`, `status`, `reason`): "
        + "`applied` (applied now; done), "
        + "`held` (a refund whose purchase has not arrived: kept and applied when it does; done, do not resend), "
        + "`duplicate` (this eventId was applied before: nothing changed; done, the first answer stands), "
        + "`rejected` (valid on the wire but refused by the member's rules, e.g. a refund over what is left; `reason` says why; "
        + "fix the event before sending it again, a resend as is is refused again), "
        + "`failed` (the engine could not apply it now: storage or a timeout; send it again with the same eventId). "
        + "An applied purchase may carry `refusedCoupons` `[{code, reason, detail}]`: coupons it listed that were not used "
        + "(`not_applicable`, `below_min_spend`, `used`, `expired`, `voided`, …); the purchase counts without them, so the till "
        + "takes back any discount it gave for them. "
        + "400: no event applied (invalid JSON or not UTF-8, every event invalid or rejected); `errors` names each by "
        + "`[index].field` (`field` for one object): fix and resend. "
        + "403: no event applied and one or more of a type a store key may not send (a store key sends `purchase` and `refund` "
        + "only); `errors` names each by `[index].type` (`type` for one object). Beside applied events such an event is named "
        + "the same way in a 422. "
        + "413: the request or one object over its limit. "
        + "422: some events applied, others invalid, rejected or failed: `errors` names them, `results` holds every outcome; "
        + "resend only the named ones. "
        + "503 with Retry-After: some events `failed` (the others applied), or one event past the 10 s command deadline; "
        + "resend the failed ones with the same eventIds after Retry-After seconds.";

    private static async Task<object> Box<T>(Task<T> work) => (await work)!;

    private static async Task<IResult> PostEventsAsync(HttpRequest request, IGrainFactory grains, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Engagement.Api.Events");
        var body = await ReadBodyAsync(request);
        if (body is null)
        {
            return TooLarge($"at most {RequestLimits.MaxEventsBodyBytes / (1024 * 1024)} MB per request; send larger loads in several requests or through the queues");
        }

        if (EventParser.FindInvalidUtf8(body) is { } at)
        {
            return FieldErrors.Problem("body", string.Create(CultureInfo.InvariantCulture, $"not valid UTF-8 text (byte {at + 1}); send UTF-8"));
        }

        JsonDocument document;
        try
        {
            // A leading byte-order mark is not JSON, but some Windows tools write one.
            document = JsonDocument.Parse(body.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? body.AsMemory(Encoding.UTF8.Preamble.Length) : body);
        }
        catch (JsonException ex)
        {
            var errors = new FieldErrors();
            errors.Add("body", EventParser.MalformedJson(ex));
            return errors.ToProblem("The body is not JSON");
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Object && body.Length > RequestLimits.MaxEventBytes)
            {
                return TooLarge("one event is at most 64 KB, the queue's own limit");
            }

            var elements = document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray().ToList()
                : [document.RootElement];
            var errors = new FieldErrors();
            if (elements.Count == 0 || elements.Count > MaxBatch)
            {
                errors.Add("body", $"send 1 to {MaxBatch} events");
                return errors.ToProblem();
            }

            var isBatch = document.RootElement.ValueKind == JsonValueKind.Array;
            var now = EngineClock.Of(request.HttpContext.RequestServices).GetUtcNow();
            var currencies = request.HttpContext.RequestServices.GetService<EventCurrencies>() ?? EventCurrencies.ProgrammeDefault;
            var valid = new List<(int Index, EngagementEvent Event)>();
            var user = request.HttpContext.User;
            var tillOnly = user.IsInRole(ApiRoles.Store) && !user.IsInRole(ApiRoles.Admin);
            var refusedForRole = 0;
            var refusedForStore = 0;
            for (var i = 0; i < elements.Count; i++)
            {
                if (tillOnly && NotForTill(elements[i]) is { } type)
                {
                    // A till sends sales and refunds (ApiRoles.TillEventTypes); growth-earning behaviour, registrations and
                    // profile changes come from the app or an integration, so a leaked till key cannot mint them. Refused
                    // alone, as an invalid event is: its neighbours are applied (docs/http-api.md, roles).
                    errors.Add(isBatch ? $"[{i}].type" : "type", $"a store key may send only purchase and refund events, not {type}; send it with an admin key");
                    refusedForRole++;
                    continue;
                }

                if (tillOnly && StoreOf(elements[i]) is { } store && !StoreKeyScope.Allows(user, store))
                {
                    // A bound till key sells at its own store(s) only: another storeId would pass that store's coupon
                    // scope (StoreKeyScope). Refused alone, as above.
                    errors.Add(isBatch ? $"[{i}].storeId" : "storeId", StoreKeyScope.Message(user, store));
                    refusedForRole++;
                    refusedForStore++;
                    continue;
                }

                var parsed = EventParser.Parse(elements[i], now, currencies);
                if (parsed.Event is { } evt)
                {
                    valid.Add((i, evt));
                }
                else
                {
                    foreach (var error in parsed.Errors)
                    {
                        errors.Add(isBatch ? $"[{i}].{error.Field}" : error.Field, error.Message);
                    }
                }
            }

            // One member's events stay in order; members run side by side; a member that fails, fails alone. One event
            // may be applied after its 503 (the command deadline below), when the request is over and Kestrel has reset
            // its RequestAborted for the connection's next request: it is not given that token.
            var applying = EventBatchApplier.ApplyAsync(
                valid,
                evt => grains.GetGrain<IMemberGrain>(evt.MemberId).ApplyEventAsync(evt),
                logger,
                isBatch ? request.HttpContext.RequestAborted : CancellationToken.None);
            if (!isBatch)
            {
                // One event (a till's purchase) has the command deadline; its grain call is not recalled past it. A
                // batch (up to 1,000 events, answered per event) has none (MemberDeadlines, docs/http-api.md).
                var deadline = MemberDeadlines.Of(request.HttpContext.RequestServices, MemberDeadlineKind.Command);
                if (await MemberDeadlines.WithinAsync(Box(applying), deadline, logger, "POST /api/v1/events", MemberDeadlineKind.Command) is null)
                {
                    return MemberDeadlines.Unavailable(request.HttpContext, deadline, MemberDeadlineKind.Command);
                }
            }

            var (outcomes, failuresTransient) = await applying;
            var failed = outcomes.Count(o => o.Status == EventBatchApplier.Failed);
            if (failed > 0 && !errors.Any)
            {
                // The engine's fault, not the request's (storage down, a timeout; the reasons say which when it is not
                // only "not now"): the caller sends the failed ones again (the applied ones would answer duplicate).
                request.HttpContext.Response.Headers.RetryAfter = UnavailableProblemHandler.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: failuresTransient
                        ? "The engine is busy or its storage is unavailable; send the failed events again later"
                        : "The engine could not apply some events; send the failed events again later (its log says why)",
                    detail: string.Create(CultureInfo.InvariantCulture, $"{failed} of {outcomes.Length} events were not applied (status failed in results); the others were."),
                    extensions: new Dictionary<string, object?> { ["results"] = outcomes });
            }

            foreach (var notApplied in outcomes.Where(o => o.Status == EventBatchApplier.Failed))
            {
                errors.Add(isBatch ? $"[{notApplied.Index}]" : "event", notApplied.Reason ?? "not applied");
            }

            foreach (var rejected in outcomes.Where(o => o.Status == ApplyStatus.Rejected))
            {
                var (field, message) = RefusedField(rejected.Reason);
                errors.Add(isBatch ? $"[{rejected.Index}]{(field is null ? "" : "." + field)}" : field ?? "event", message);
            }

            int received = elements.Count, appliedCount = outcomes.Count(o => o.Status is not (ApplyStatus.Rejected or EventBatchApplier.Failed)), invalidCount = received - appliedCount;
            LogReceived(logger, received, appliedCount, invalidCount);

            if (errors.Any)
            {
                // Everything valid beside the invalid ones has been applied; the problem says which were. An event the
                // member refused (a refund over what is left) was not applied either: when nothing was, it is a 400.
                // An event the engine failed to store is not the caller's fault: never a 400 (422 names it).
                // Nothing applied and an event refused to the key's role: 403, since resending it fixed is not enough.
                var noneValid = appliedCount == 0 && failed == 0;
                var forbidden = noneValid && refusedForRole > 0;
                return Results.Problem(
                    statusCode: forbidden ? StatusCodes.Status403Forbidden : noneValid ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity,
                    title: forbidden && refusedForStore == refusedForRole ? "No event was applied: this store key may not act for the events' store"
                        : forbidden ? "No event was applied: a store key may send only purchase and refund events" : noneValid ? "No event was applied" : "Some events were not applied",
                    detail: noneValid
                        ? "Each invalid event is named by its index and field (the field alone for a single object)."
                        : "Each invalid event is named by its index and field; the others were applied.",
                    extensions: new Dictionary<string, object?>
                    {
                        ["errors"] = errors.ToDictionary(),
                        ["results"] = outcomes,
                    });
            }

            return Results.Accepted(value: new EventsAccepted(outcomes.Length, outcomes));
        }
    }

    /// <summary>
    /// The field a member's refusal is about and what to say: the member's rules write <c>field: message</c>
    /// (<c>amount: refund of 1.00 CNY exceeds …</c>), named like a wire error (<c>amount</c>, <c>[i].amount</c>);
    /// a reason naming no event field is kept whole, under <c>event</c> (<c>[i]</c> in an array).
    /// </summary>
    private static (string? Field, string Message) RefusedField(string? reason)
    {
        if (reason is null)
        {
            return (null, "refused by the member's rules");
        }

        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && EventFieldNames.Contains(reason[..colon]) ? (reason[..colon], reason[(colon + 2)..]) : (null, reason);
    }

    /// <summary>
    /// The type of an event a store key may not send: a CONTRACT.md §1 type outside <see cref="ApiRoles.TillEventTypes"/>;
    /// null for a till's type and for a missing or unknown one (validation names those).
    /// </summary>
    private static string? NotForTill(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && type.GetString() is { } name && EventTypes.All.Contains(name) && !ApiRoles.TillEventTypes.Contains(name)
            ? name
            : null;

    /// <summary>The <c>storeId</c> an event names (a string), else null.</summary>
    private static string? StoreOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("storeId", out var store) && store.ValueKind == JsonValueKind.String
            ? store.GetString()
            : null;

    /// <summary>The envelope's fields (CONTRACT.md §1) a refusal may name.</summary>
    private static readonly HashSet<string> EventFieldNames = new(StringComparer.Ordinal)
    {
        "eventId", "type", "memberId", "occurredAt", "storeId", "regionId", "channel", "orderId", "amount", "currency", "items", "properties", "coupons", "memberRef",
    };

    /// <summary>The whole body, or null when it is larger than <see cref="RequestLimits.MaxEventsBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        // The server refuses a larger body with 413 (BadRequestProblemHandler); counting here holds on any server.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = RequestLimits.MaxEventsBodyBytes;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > RequestLimits.MaxEventsBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult TooLarge(string message)
    {
        var errors = new FieldErrors();
        errors.Add("body", message);
        return Results.ValidationProblem(
            errors.ToDictionary(),
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The request body is too large");
    }
}

/// <summary>
/// What became of each event of a request; <paramref name="RefusedCoupons"/>: an applied purchase's coupons that were not
/// applied, each with its code (as sent), reason and sentence; left out of the JSON when none was (an extension of CONTRACT.md §4).
/// </summary>
public sealed record ApplyOutcome(int Index, string EventId, string MemberId, string Status, string? Reason,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RefusedCoupon>? RefusedCoupons = null);

/// <summary>The 202 body.</summary>
public sealed record EventsAccepted(int Count, IReadOnlyList<ApplyOutcome> Results);
