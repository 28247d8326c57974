using System.Collections.Concurrent;
using Engagement.Domain.Offers;
using Engagement.Silo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// A production silo without <c>Engagement:Offers:CouponSecret</c> says so at start, as an Error naming the setting
/// and that it must be the same on every silo (docs/production.md, "Settings every production silo needs"); before, it logged
/// nothing and coupons were quietly refused. Development (its own secret) and a silo with a secret stay silent.
/// </summary>
[Collection(StartLogHostCollection.Name)]
public sealed class CouponSecretCheckTests
{
    [Theory]
    [InlineData("Production", null, true)]
    [InlineData("Staging", null, true)]
    [InlineData("Production", "a-production-coupon-secret-0123456789", false)]
    [InlineData("Development", null, false)]
    public async Task AProductionSiloWithoutTheSecretLogsAnErrorAtStart(string environment, string? secret, bool error)
    {
        var logged = new List<(LogLevel Level, string Message)>();
        var check = new CouponSecretCheck(
            new Environment(environment),
            Options.Create(new OffersOptions { CouponSecret = secret }),
            new ListLogger(logged));

        await check.StartAsync(CancellationToken.None);

        if (error)
        {
            var (level, message) = Assert.Single(logged);
            Assert.Equal(LogLevel.Error, level);
            Assert.StartsWith("Engagement:Offers:CouponSecret is not set: this silo issues no coupons", message, StringComparison.Ordinal);
            Assert.Contains("the same on every silo", message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(logged);
        }
    }

    [Fact]
    public async Task AProductionSiloStartedWithoutTheSecretLogsTheError()
    {
        var host = new StartLogHostFixture();
        try
        {
            await host.InitializeAsync();

            var error = Assert.Single(host.Events, e => e.Properties.TryGetValue("SourceContext", out var source)
                && source is ScalarValue { Value: "Engagement.Silo.CouponSecretCheck" });
            Assert.Equal(LogEventLevel.Error, error.Level);
            Assert.Equal("Engagement:Offers:CouponSecret", ((ScalarValue)error.Properties["Setting"]).Value);
            Assert.Contains("the same on every silo", error.MessageTemplate.Text, StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "Engagement.Silo";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }

    private sealed class ListLogger(List<(LogLevel Level, string Message)> logged) : ILogger<CouponSecretCheck>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logged.Add((logLevel, formatter(state, exception)));
    }
}

/// <summary>The API test host (production, no coupon secret) with a sink of its own, started and stopped by one test.</summary>
public sealed class StartLogHostFixture : ApiHostFixture
{
    /// <summary>Every event the host's Serilog logger wrote, in order.</summary>
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddLogEventQueue(Events));
    }
}

/// <summary>Never beside another host in this process: each host's Program.cs sets Serilog's static bootstrap logger.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StartLogHostCollection
{
    public const string Name = "start log host";
}
