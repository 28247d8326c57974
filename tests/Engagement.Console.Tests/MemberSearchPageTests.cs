using System.Reflection;
using System.Security.Claims;
using Engagement.Api.Support;
using Engagement.Console.Components.Pages;
using Engagement.Contracts.Search;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Console.Tests;

/// <summary>
/// The member search page's own rule for a search's outcome, driven without a browser: the window it guards (the box's
/// bound query changed, the newer search not started yet) lies inside MudBlazor's debounce callback, which a browser test
/// cannot time. The page is built by hand and its search called as the debounce would call it.
/// </summary>
public sealed class MemberSearchPageTests
{
    [Fact]
    public async Task ASearchThatFailsAfterItsQueryLeftTheBoxShowsNoWarning()
    {
        var search = new GatedMemberSearch(new NoMembers());
        var page = new Members();
        Set(page, "Directory", new MemberDirectory(search));
        Set(page, "Auth", new Anonymous());
        Set(page, "Log", NullLogger<Members>.Instance);
        var hold = search.HoldNext("SW1");
        SetField(page, "_query", "SW1");
        var searching = (Task)typeof(Members).GetMethod("SearchAsync", BindingFlags.Instance | BindingFlags.NonPublic)!.Invoke(page, ["SW1"])!;
        await hold.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The agent's next query is in the box (bound), its search not started; then the first search fails.
        SetField(page, "_query", "SW2");
        hold.Fail(new global::Azure.RequestFailedException("test: the member search timed out"));
        await searching.WaitAsync(TimeSpan.FromSeconds(30));

        // Dropped, as an answer for that query would be: no warning about a search the agent no longer asks for.
        Assert.False((bool)typeof(Members).GetField("_failed", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(page)!);
    }

    [Fact]
    public async Task ASearchThatFailsForTheQueryInTheBoxShowsTheWarningAndLogsNoQuery()
    {
        // A phone number typed in the box: the failure is logged, with its exception, and neither carries the number
        // (the test fake's exception message included, so the tests do not make logging it look normal).
        const string phone = "13800138000";
        var search = new GatedMemberSearch(new NoMembers());
        var page = new Members();
        var log = new Recorded();
        Set(page, "Directory", new MemberDirectory(search));
        Set(page, "Auth", new Anonymous());
        Set(page, "Log", log);
        search.FailNext(phone, what => new global::Azure.RequestFailedException(what));
        SetField(page, "_query", phone);
        await (Task)typeof(Members).GetMethod("SearchAsync", BindingFlags.Instance | BindingFlags.NonPublic)!.Invoke(page, [phone])!;
        Assert.True((bool)typeof(Members).GetField("_failed", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(page)!);
        var written = Assert.Single(log.Lines);
        Assert.DoesNotContain(phone, written, StringComparison.Ordinal);
    }

    /// <summary>The page's log lines, each its message and its exception's text.</summary>
    private sealed class Recorded : Microsoft.Extensions.Logging.ILogger<Members>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception) + " " + exception);
    }

    private static void Set(Members page, string property, object value) =>
        typeof(Members).GetProperty(property, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.SetValue(page, value);

    private static void SetField(Members page, string field, object? value) =>
        typeof(Members).GetField(field, BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(page, value);

    private sealed class NoMembers : IMemberSearch
    {
        public Task<IReadOnlyList<MemberSearchHit>> SearchAsync(string query, int limit, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<MemberSearchHit>>([]);
    }

    private sealed class Anonymous : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity())));
    }
}
