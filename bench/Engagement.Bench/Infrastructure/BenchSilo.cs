using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Serilog;
using Serilog.Events;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// One in-process silo on free localhost ports with its own service id, so a run never meets another silo
/// (or a test run) on the same machine. Logs warnings and errors only; activations live for hours, so nothing
/// a scenario activated is collected while it measures. The engine's rules run on the scenario's own clock
/// (<see cref="ShiftableTime"/>, from <c>--start</c>), never on the wall clock's time of day.
/// </summary>
internal sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Orleans' own log level in bench silos: Error, or <c>BENCH_ORLEANS_LOG</c> (e.g. Warning) when diagnosing a run.</summary>
    private static LogEventLevel OrleansLogLevel =>
        Enum.TryParse<LogEventLevel>(Environment.GetEnvironmentVariable("BENCH_ORLEANS_LOG"), ignoreCase: true, out var level) ? level : LogEventLevel.Error;

    public static async Task<BenchSilo> StartAsync(string serviceId, ShiftableTime engineTime, Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(
            new LoggerConfiguration()
                .MinimumLevel.Warning()
                .MinimumLevel.Override("Orleans", OrleansLogLevel)
                .WriteTo.Console(formatProvider: CultureInfo.InvariantCulture, outputTemplate: "  [silo {Level:u3}] {Message:lj}{NewLine}{Exception}")
                .CreateLogger(),
            dispose: true);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: serviceId, clusterId: serviceId + "-cluster");
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromHours(6));
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(5));
            configure(silo);
            silo.Services.AddKeyedSingleton<TimeProvider>(EngagementTime.Key, engineTime); // the last registration wins
        });
        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // Members write their outbox on deactivation: let them while the silo (and its memory storage grains) still
            // runs, not during shutdown, when those writes find no storage grain and fill the log with errors.
            try
            {
                await Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero).WaitAsync(cts.Token);
            }
            catch (TimeoutException)
            {
                // A million residents take longer than one call may: stop anyway (their last writes may log errors).
                Console.WriteLine("  (deactivating the members took longer than a call may; stopping the silo anyway)");
            }

            await _host.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("  (silo did not stop within 60 s; abandoning it)");
        }

        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
