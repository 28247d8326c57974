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
            o.Keys["k1"] = "store:ops@example.com@S001"; // named after an e-mail address, bound to S001
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

    // store:x@SH.PD is the key "x" bound to store SH.PD, a valid store id: it binds and the silo starts, with a warning
    // naming the setting (never the key, a secret) and two valid values to write if the '@' was part of the name.
    [Fact]
    public async Task ANamedKeyBoundToADomainShapedStoreIdBindsWithAWarningWhoseSuggestionsAreValidKeyValues()
    {
        var logs = new Collector();
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddProvider(logs));
        services.AddEngagementApiProtection();
        services.Configure<ApiKeyOptions>(o =>
        {
            o.Keys["secret-key-1"] = "store:x@SH.PD";
            o.Keys["secret-key-2"] = "store@SH.PD"; // nameless: bound, no warning
            o.Keys["secret-key-3"] = "store@S001,mall.cn"; // several stores: bound, no warning
            o.KeyHashes[new string('a', 64)] = "store:ops@example.com";
        });
        await using var provider = services.BuildServiceProvider();
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }

        var lines = logs.Lines.ToArray();
        Assert.Contains((LogLevel.Information, "Store key x is bound to stores SH.PD"), lines);
        Assert.Contains((LogLevel.Information, "Store key store is bound to stores SH.PD"), lines);
        Assert.Contains((LogLevel.Information, "Store key store is bound to stores S001,mall.cn"), lines);
        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.DoesNotContain(lines, l => l.Text.Contains("secret-key", StringComparison.Ordinal));

        var x = Assert.Single(warnings, w => Equals(w.Properties["KeyName"], "x"));
        Assert.Equal("Engagement:Api:Keys", x.Properties["Setting"]);
        Assert.Equal("SH.PD", x.Properties["StoreId"]);
        var bound = (string)x.Properties["AsBoundName"]!;
        Assert.Equal<(string, string)?>(("store", "x@SH.PD"), ApiKeyIdentity.Parse(bound));
        Assert.Equal(new[] { "S001" }, ApiKeyIdentity.StoresOf(bound)!);
        var unbound = (string)x.Properties["AsUnboundName"]!;
        Assert.Equal<(string, string)?>(("store", "x at SH.PD"), ApiKeyIdentity.Parse(unbound));
        Assert.Null(ApiKeyIdentity.StoresOf(unbound));

        var ops = Assert.Single(warnings, w => Equals(w.Properties["KeyName"], "ops"));
        Assert.Equal("Engagement:Api:KeyHashes:" + new string('a', 64), ops.Properties["Setting"]);
        Assert.Equal<(string, string)?>(("store", "ops@example.com"), ApiKeyIdentity.Parse((string)ops.Properties["AsBoundName"]!));
    }

    private sealed class Collector : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, IReadOnlyDictionary<string, object?> Properties)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(Collector owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                owner.Lines.Enqueue((logLevel, formatter(state, exception)));
                var properties = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
                owner.Entries.Enqueue((logLevel, properties.ToDictionary(p => p.Key, p => p.Value)));
            }
        }
    }
}
