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
