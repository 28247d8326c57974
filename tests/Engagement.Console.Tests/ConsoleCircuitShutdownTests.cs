using System.Collections.Concurrent;
using System.Net;
using Engagement.Console.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engagement.Console.Tests;

/// <summary>
/// <see cref="ConsoleCircuitShutdown"/> on its own, in a TestServer whose stop signal the test fires
/// (<see cref="IHostApplicationLifetime.StopApplication"/> on a host that was started, not run, so the signal stops
/// nothing else): a <c>/_blazor</c> request already open is aborted, a new one is refused (503), both marked for the
/// silo's request line, while an API request in flight is not touched and completes once its work does.
/// </summary>
public sealed class ConsoleCircuitShutdownTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheStopAbortsAnOpenCircuitRequestAndLetsAnApiRequestInFlightFinish()
    {
        var circuitOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var circuitAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var circuitMarked = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var apiStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var apiRelease = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var apiAborted = false;
        var logs = new Lines();
        await using var app = await StartAsync(logs, endpoints =>
        {
            endpoints.MapGet("/_blazor/x", async (HttpContext context) =>
            {
                using var aborted = context.RequestAborted.Register(() =>
                {
                    circuitMarked.TrySetResult(context.Items.ContainsKey(ConsoleCircuitShutdown.ClosedForStopItem));
                    circuitAborted.TrySetResult();
                });
                circuitOpen.SetResult();
                await circuitAborted.Task.WaitAsync(Deadline); // as a circuit's connection: open until closed
            });
            endpoints.MapGet("/api/v1/x", async (HttpContext context) =>
            {
                apiStarted.SetResult();
                await apiRelease.Task.WaitAsync(Deadline);
                apiAborted = context.RequestAborted.IsCancellationRequested;
                return Results.Text("done");
            });
        });
        using var client = app.GetTestClient();

        var circuit = client.GetAsync("/_blazor/x", HttpCompletionOption.ResponseHeadersRead);
        var api = client.GetAsync("/api/v1/x");
        await circuitOpen.Task.WaitAsync(Deadline);
        await apiStarted.Task.WaitAsync(Deadline);

        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        await circuitAborted.Task.WaitAsync(Deadline);
        Assert.True(await circuitMarked.Task, "the aborted circuit request is marked as closed for the stop");
        await Assert.ThrowsAnyAsync<Exception>(() => circuit.WaitAsync(Deadline));
        // The stop's line may be written after the circuit sees its abort: polled for, not read once.
        var stopLines = await Eventually.ReturnsAsync(() => Task.FromResult(logs.Snapshot()), l => l.Length > 0, Deadline, "the stop's log line");
        Assert.Equal(["Stopping: closing 1 open console circuit requests and refusing new ones (503), so the stop does not wait for them"], stopLines);

        Assert.False(api.IsCompleted, "the API request waits for its work, not for the stop");
        apiRelease.SetResult();
        using var answer = await api.WaitAsync(Deadline);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("done", await answer.Content.ReadAsStringAsync());
        Assert.False(apiAborted);
    }

    [Fact]
    public async Task AfterTheStopANewCircuitRequestIsRefusedAndMarkedAndAnApiRequestStillAnswers()
    {
        var marked = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var logs = new Lines();
        await using var app = await StartAsync(logs, endpoints =>
        {
            endpoints.MapGet("/_blazor/x", () => Results.Text("open"));
            endpoints.MapGet("/api/v1/x", () => Results.Text("done"));
        }, inspect: context =>
        {
            if (context.Request.Path.StartsWithSegments("/_blazor"))
            {
                marked.TrySetResult(context.Items.ContainsKey(ConsoleCircuitShutdown.ClosedForStopItem));
            }
        });
        using var client = app.GetTestClient();

        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var circuit = await client.GetAsync("/_blazor/x");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, circuit.StatusCode);
        Assert.True(await marked.Task.WaitAsync(Deadline));
        using var api = await client.GetAsync("/api/v1/x");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Empty(logs.Snapshot()); // nothing was open when the stop came: no "closing 0" line
    }

    // A TestServer with the middleware in front of the given endpoints; inspect sees each request's context after it ran.
    private static async Task<WebApplication> StartAsync(Lines logs, Action<WebApplication> map, Action<HttpContext>? inspect = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddProvider(logs);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            finally
            {
                inspect?.Invoke(context);
            }
        });
        app.UseConsoleCircuitShutdown();
        map(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>The messages the middleware logs (its own category only).</summary>
    private sealed class Lines : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> lines = new();

        public string[] Snapshot() => [.. lines];

        public ILogger CreateLogger(string categoryName) =>
            categoryName == typeof(ConsoleCircuitShutdown).FullName ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
