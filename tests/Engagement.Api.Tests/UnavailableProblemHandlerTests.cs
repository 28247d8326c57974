using System.Text.Json.Nodes;
using Azure;
using Engagement.Api.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Api.Tests;

/// <summary>An overloaded back end answers 503 with Retry-After and problem details, never a 500; a real bug stays a 500.</summary>
public sealed class UnavailableProblemHandlerTests
{
    public static TheoryData<Exception> Transient() => new()
    {
        new TimeoutException("Response did not arrive on time in 00:00:30"),
        new Orleans.Runtime.SiloUnavailableException("silo gone"),
        new RequestFailedException(503, "Server busy"),
        new RequestFailedException(408, "Operation timed out"),
        new InvalidOperationException("wrapped", new TimeoutException("inner")),
        // What the Azure SDK throws once its retries on a refused connection are used up.
        new AggregateException("Retry failed after 4 tries.",
            new RequestFailedException("Connection refused (127.0.0.1:10002)", new HttpRequestException("Connection refused")),
            new RequestFailedException("Connection refused (127.0.0.1:10002)", new HttpRequestException("Connection refused"))),
        new HttpRequestException("Connection refused"),
        // A campaign activation refusing a pause after its fan-out checkpoint's write timed out (StateWriteGate.ThrowIfBehind).
        new Orleans.Storage.InconsistentStateException("a state write of this campaign failed", null, null, new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.")),
        // That write's own caller: Orleans wraps an exception it cannot send as it is in an OrleansException.
        new Orleans.Runtime.OrleansException("wrapped by the runtime", new TaskCanceledException("storage timeout")),
        new Orleans.Runtime.OrleansException("wrapped by the runtime", new AggregateException(new TaskCanceledException("storage timeout"))),
        // A member's write answered 412 (another activation wrote first; the member hands over and reloads).
        new Orleans.Storage.InconsistentStateException("ETag mismatch", "W/\"1\"", "W/\"2\"", new RequestFailedException(412, "Condition not met", "UpdateConditionNotSatisfied", null)),
        new Orleans.Runtime.OrleansException("wrapped by the runtime", new Orleans.Storage.InconsistentStateException("ETag mismatch")),
    };

    [Theory]
    [MemberData(nameof(Transient))]
    public async Task TransientFaultsAre503WithRetryAfter(Exception fault)
    {
        var (handler, context, body) = Arrange();

        Assert.True(await handler.TryHandleAsync(context, fault, CancellationToken.None));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        body.Position = 0;
        var problem = (await JsonNode.ParseAsync(body))!.AsObject();
        Assert.Equal(503, problem["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task AMemberWhoseOutboxIsBackedUpIs503AndTheTitleSaysSo()
    {
        var (handler, context, body) = Arrange();
        var refusal = new Engagement.Contracts.Members.MemberBacklogException("M-1", 120, 66_000, 65_536);

        Assert.True(await handler.TryHandleAsync(context, refusal, CancellationToken.None));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        body.Position = 0;
        var problem = (await JsonNode.ParseAsync(body))!.AsObject();
        Assert.StartsWith("The member has effects its receivers have not taken yet", problem["title"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACancellationAtTheTopIsLeftAloneWhenTheClientWentAwayButAWrappedOneIsStill503()
    {
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();
        var (handler, context, _) = Arrange();
        context.RequestAborted = aborted.Token;

        Assert.False(await handler.TryHandleAsync(context, new TaskCanceledException("client left"), CancellationToken.None));
        Assert.False(await handler.TryHandleAsync(context, new AggregateException(new TaskCanceledException("client left")), CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);

        // Not the client's: a storage timeout behind a grain's refusal.
        var refusal = new Orleans.Storage.InconsistentStateException("a state write of this campaign failed", null, null, new TaskCanceledException("storage timeout"));
        Assert.True(await handler.TryHandleAsync(context, refusal, CancellationToken.None));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.False(UnavailableProblemHandler.IsTransient(new InvalidOperationException("a bug", new ArgumentException("bad"))));
        Assert.True(UnavailableProblemHandler.IsTransient(new InvalidOperationException("wrapped", new OperationCanceledException("storage timeout"))));
    }

    [Fact]
    public async Task OtherFaultsAreLeftToTheDefaultHandler()
    {
        var (handler, context, _) = Arrange();

        Assert.False(await handler.TryHandleAsync(context, new InvalidOperationException("a bug"), CancellationToken.None));
        Assert.False(await handler.TryHandleAsync(context, new RequestFailedException(409, "Conflict"), CancellationToken.None));
        Assert.False(await handler.TryHandleAsync(context, new AggregateException(new ArgumentException("a bug"), new RequestFailedException(404, "Not found")), CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    private static (UnavailableProblemHandler Handler, DefaultHttpContext Context, MemoryStream Body) Arrange()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        context.Request.Method = "POST";
        context.Request.Path = "/api/v1/events";
        context.Request.Headers.Accept = "application/json";
        var handler = new UnavailableProblemHandler(services.GetRequiredService<Microsoft.AspNetCore.Http.IProblemDetailsService>(), NullLogger<UnavailableProblemHandler>.Instance);
        return (handler, context, body);
    }
}
