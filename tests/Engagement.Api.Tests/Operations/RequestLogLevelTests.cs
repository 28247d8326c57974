using Engagement.Console.Hosting;
using Engagement.Silo;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The silo's request line: health probes at Debug whatever they answer (a 503 from <c>/health/ready</c> every few
/// seconds during a freeze is not an Error per probe), a console circuit request a stopping silo refused or aborted at
/// Information, every other request at Serilog's default level.
/// </summary>
public sealed class RequestLogLevelTests
{
    [Theory]
    [InlineData("/health/ready", 503)]
    [InlineData("/health/ready", 200)]
    [InlineData("/health/live", 200)]
    [InlineData("/api/v1/health/ready", 503)]
    [InlineData("/api/v1/health/live", 200)]
    public void AHealthProbeIsDebugWhateverItAnswers(string path, int status) =>
        Assert.Equal(LogEventLevel.Debug, RequestLogLevel.Of(Context(path, status), 12.5, null));

    [Theory]
    [InlineData("/api/v1/members/M1", 503, LogEventLevel.Error)]
    [InlineData("/api/v1/members/M1", 500, LogEventLevel.Error)]
    [InlineData("/api/v1/members/M1", 404, LogEventLevel.Information)]
    [InlineData("/api/v1/members/M1", 200, LogEventLevel.Information)]
    [InlineData("/healthy", 503, LogEventLevel.Error)]
    public void AnyOtherRequestKeepsSerilogsDefault(string path, int status, LogEventLevel expected) =>
        Assert.Equal(expected, RequestLogLevel.Of(Context(path, status), 12.5, null));

    [Theory]
    [InlineData(503, false)]
    [InlineData(200, true)]
    public void ACircuitRequestClosedByAStoppingSiloIsInformation(int status, bool aborted)
    {
        // Refused (503) or aborted (an exception may surface) by ConsoleCircuitShutdown: routine on a rolling stop.
        var context = Context("/_blazor/negotiate", status);
        context.Items[ConsoleCircuitShutdown.ClosedForStopItem] = true;
        Assert.Equal(LogEventLevel.Information, RequestLogLevel.Of(context, 3, aborted ? new OperationCanceledException() : null));
    }

    [Fact]
    public void ACircuitRequestNotMarkedKeepsSerilogsDefault() =>
        Assert.Equal(LogEventLevel.Error, RequestLogLevel.Of(Context("/_blazor/negotiate", 503), 3, null));

    [Fact]
    public void AnotherRequestThatThrewIsAnError() =>
        Assert.Equal(LogEventLevel.Error, RequestLogLevel.Of(Context("/api/v1/coupons/X", 200), 1, new InvalidOperationException("a bug")));

    private static DefaultHttpContext Context(string path, int status)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Response.StatusCode = status;
        return context;
    }
}
