namespace Engagement.Console.Tests;

/// <summary>
/// A test of a shared console host (a collection fixture) that closes every browser context it opened when it ends
/// (<see cref="ConsoleHostFixture.CloseTestPagesAsync"/>). A page left open keeps its Blazor circuit, its timers (a
/// campaign page re-reads a counting or running campaign every second) and its animations running in the host and in
/// Chromium for the rest of the collection, on the two cores every later test of the lane shares.
/// </summary>
public abstract class BrowserTest : IAsyncLifetime
{
    /// <summary>The collection's host, whose pages this test opens.</summary>
    protected abstract ConsoleHostFixture Host { get; }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => Host.CloseTestPagesAsync();
}
