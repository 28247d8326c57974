using Engagement.Api.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// At start the silo logs every store key's binding as it reads it: the stores of a bound key, a warning for an unbound
/// one, so a key whose name holds an <c>@</c> is never bound (or left unbound) without a word.
/// </summary>
public sealed class StoreKeyBindingLogTests
{
    [Fact]
    public async Task EachStoreKeyIsLoggedWithItsBindingAtStart()
    {
        var logs = new Collector();
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddProvider(logs));
        services.AddEngagementApiProtection();
        services.Configure<ApiKeyOptions>(o =>
        {
            o.Keys["k1"] = "store:ops@example.com@S001"; // named after an e-mail address, bound to S001 (without @S001 start-up refuses it)
            o.Keys["k2"] = "store:till@Mall 3";
            o.Keys["k3"] = "store@S:1";
            o.Keys["k4"] = "support:a@b";
        });
        await using var provider = services.BuildServiceProvider();
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        var lines = logs.Lines.ToArray();
        Assert.Contains((LogLevel.Information, "Store key ops@example.com is bound to stores S001"), lines);
        Assert.Contains((LogLevel.Information, "Store key store is bound to stores S:1"), lines);
        Assert.Contains(lines, l => l.Level == LogLevel.Warning && l.Text.StartsWith("Store key till@Mall 3 is bound to no store", StringComparison.Ordinal));
        Assert.Equal(3, lines.Count(l => l.Text.StartsWith("Store key ", StringComparison.Ordinal)));
    }

    private sealed class Collector : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(Collector owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
