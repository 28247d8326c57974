using System.Security.Claims;
using Azure;
using Engagement.Api.Problems;
using Engagement.Api.Support;
using Engagement.Contracts.Search;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Tests;

/// <summary>
/// A member search whose index read fails is told without the query (it may be a phone number): what the API logs of
/// it names the fault, its status and the query's kind and length, never the phone, and a transient fault is still 503.
/// </summary>
public sealed class MemberSearchFailureTests
{
    private const string Phone = "13912345678";

    [Fact]
    public async Task AFailedSearchForAPhoneIsLoggedAs503WithoutThePhone()
    {
        // What the Azure SDK throws when the index table is busy: its message carries the request URI and its filter.
        var directory = new MemberDirectory(new FailingSearch(new RequestFailedException(
            503, $"Service request failed.\nStatus: 503 (Server Busy)\n\nGET http://127.0.0.1:10002/devstoreaccount1/memberindex()?$filter=RowKey%20eq%20'{Phone}'", "ServerBusy", null)));

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => directory.SearchAsync(Phone, 20, new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.DoesNotContain(Phone, failure.ToString(), StringComparison.Ordinal);
        var told = Assert.IsType<MemberSearchFailedException>(failure);
        Assert.Equal(("RequestFailedException", 503, MemberSearchFailedException.PhoneKind, 11), (told.Fault, told.Status, told.QueryKind, told.QueryLength));

        // The API's handler answers it 503 (retry later) and logs it: nothing logged carries the phone.
        var log = new TextLog();
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(new MemoryStream()));
        context.Request.Method = "GET";
        context.Request.Path = "/api/v1/members";
        var handler = new UnavailableProblemHandler(services.GetRequiredService<IProblemDetailsService>(), log);
        Assert.True(await handler.TryHandleAsync(context, failure, CancellationToken.None));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.NotEmpty(log.Lines);
        Assert.DoesNotContain(log.Lines, l => l.Contains(Phone, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASearchTimingOutInStorageIs503WithRetryAfterAndProblemDetailsLoggedWithoutThePhone()
    {
        // The Azure SDK's network timeout: a TaskCanceledException on its own timeout token, with no TimeoutException
        // inside, that the caller did not ask for (the caller's token is never cancelled).
        using var storageTimeout = new CancellationTokenSource();
        await storageTimeout.CancelAsync();
        var directory = new MemberDirectory(new FailingSearch(new TaskCanceledException(
            $"The operation was cancelled because it exceeded the configured timeout of 0:01:40 (GET memberindex()?$filter=RowKey%20eq%20'{Phone}').",
            null, storageTimeout.Token)));

        var failure = await Assert.ThrowsAsync<MemberSearchFailedException>(() => directory.SearchAsync(Phone, 20, new ClaimsPrincipal(new ClaimsIdentity()), CancellationToken.None));
        Assert.Equal(("TaskCanceledException", (int?)null, true), (failure.Fault, failure.Status, failure.Transient));
        Assert.DoesNotContain(Phone, failure.ToString(), StringComparison.Ordinal);

        var log = new TextLog();
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        context.Request.Method = "GET";
        context.Request.Path = "/api/v1/members";
        context.Request.Headers.Accept = "application/json";
        var handler = new UnavailableProblemHandler(services.GetRequiredService<IProblemDetailsService>(), log);

        Assert.True(await handler.TryHandleAsync(context, failure, CancellationToken.None));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal(UnavailableProblemHandler.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), context.Response.Headers.RetryAfter.ToString());
        body.Position = 0;
        var problem = (await System.Text.Json.Nodes.JsonNode.ParseAsync(body))!.AsObject();
        Assert.Equal(503, problem["status"]!.GetValue<int>());
        Assert.Single(log.Lines);
        Assert.DoesNotContain(log.Lines, l => l.Contains(Phone, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASearchWhoseRetriesAllTimedOutIsTransient()
    {
        // Once the Azure SDK's retries are used up on timeouts it throws an aggregate of its TaskCanceledExceptions.
        using var storageTimeout = new CancellationTokenSource();
        await storageTimeout.CancelAsync();
        var timedOut = new TaskCanceledException("exceeded the configured timeout of 0:01:40", null, storageTimeout.Token);
        var directory = new MemberDirectory(new FailingSearch(new AggregateException("Retry failed after 4 tries.", timedOut, timedOut)));

        var failure = await Assert.ThrowsAsync<MemberSearchFailedException>(() => directory.SearchAsync(Phone, 20, new ClaimsPrincipal(new ClaimsIdentity()), CancellationToken.None));

        Assert.Equal(("AggregateException", true), (failure.Fault, failure.Transient));
        Assert.True(UnavailableProblemHandler.IsTransient(failure));
    }

    [Fact]
    public async Task ANonTransientSearchFailureIsStillToldWithoutThePhoneAndTheCallersCancellationStaysACancellation()
    {
        var refused = new MemberDirectory(new FailingSearch(new RequestFailedException(400, $"Bad filter: RowKey eq '{Phone}'", "InvalidInput", null)));
        var failure = await Assert.ThrowsAsync<MemberSearchFailedException>(() => refused.SearchAsync(Phone, 20, new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.DoesNotContain(Phone, failure.ToString(), StringComparison.Ordinal);
        Assert.False(UnavailableProblemHandler.IsTransient(failure));

        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var cancelled = new MemberDirectory(new FailingSearch(new TaskCanceledException("cancelled", null, cancel.Token)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.SearchAsync(Phone, 20, new ClaimsPrincipal(new ClaimsIdentity()), cancel.Token));
    }

    private sealed class FailingSearch(Exception failure) : IMemberSearch
    {
        public Task<IReadOnlyList<MemberSearchHit>> SearchAsync(string query, int limit, CancellationToken cancellationToken = default) =>
            Task.FromException<IReadOnlyList<MemberSearchHit>>(failure);
    }

    // What a log would hold of each entry: its message and the exception logged with it.
    private sealed class TextLog : ILogger<UnavailableProblemHandler>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            Lines.Add(formatter(state, exception) + "\n" + exception);
        }
    }
}
