using System.Diagnostics;
using Engagement.Api.Hosting;
using Engagement.Azure.Backup;
using Engagement.Azure.Hosting;
using Engagement.Azure.Programme;
using Engagement.Azure.Streaming;
using Engagement.Console.Hosting;
using Engagement.Grains.Hosting;
using Engagement.Grains.Offers;
using Engagement.Grains.Programme;
using Engagement.Silo;
using Microsoft.Extensions.Options;
using Serilog;

if (await BackupCommands.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

// The static logger only reports a failure to start or a crash; the host logs through its own Serilog logger. The
// static one is never frozen into the host's (preserveStaticLogger): when two hosts start side by side in one
// process (the API tests' fixtures), the second froze the first's bootstrap logger again, Serilog threw "already
// frozen" and the host never built.
Log.Logger = new LoggerConfiguration()
    .Enrich.WithProperty(Serilog.Core.Constants.SourceContextPropertyName, "Engagement.Silo") // "[… FTL] Engagement.Silo: …", not "[… FTL] : …"
    .WriteTo.Console(
        outputTemplate: LogFormatProvider.ConsoleOutputTemplate,
        formatProvider: LogFormatProvider.Instance)
    .CreateLogger();
Exception? stopFailureLogged = null; // a failed stop's exception, logged once with its stack trace, not again as Fatal
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Services.AddSerilog(
        (services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .WithStorageConflictPolicy(),
        preserveStaticLogger: true);

    builder.Services.AddEngagementSiloHost(builder.Configuration);
    CouponSecretCheck.AddTo(builder.Services);

    var operations = new OperationsOptions();
    builder.UseOrleans(orleans =>
    {
        orleans.ConfigureEngagementCluster(builder.Configuration);
        operations = builder.AddEngagementOperations(orleans);
        orleans.AddEngagementGrains(builder.Configuration);
        orleans.AddEngagementOffers(builder.Configuration);
        orleans.AddEngagementAzureStorage(builder.Configuration);
        orleans.AddEngagementCampaignStorage(builder.Configuration);
        orleans.AddEngagementSupportStorage();
        orleans.AddEngagementQueueStreams(builder.Configuration);
        orleans.AddEngagementProgramme(builder.Configuration);
        orleans.AddEngagementProgrammeStorage();
    });

    builder.Services.AddEngagementApi(builder.Configuration);
    builder.Services.AddEngagementConsole();
    // Console cookies are read by every silo and survive restarts: one key ring, in the storage account (docs/production.md, "Console sign-in across silos, and the load balancer").
    builder.Services.AddEngagementDataProtection(builder.Configuration);
    builder.Services.AddEngagementBackups(builder.Configuration);
    builder.Services.AddSingleton<IBackupFailureListener, AnomalyBackupFailureListener>();
    builder.Services.AddHealthChecks()
        .AddEngagementStorageCheck(ApiHostingExtensions.ReadyTag)
        .AddEngagementClusterCheck(ApiHostingExtensions.ReadyTag);

    var app = builder.Build();
    app.UseSerilogRequestLogging(o =>
    {
        o.GetLevel = RequestLogLevel.Of;
        // The host's logger: without it the request lines went to the static bootstrap logger (kept apart by
        // preserveStaticLogger), past the configured Serilog sinks, levels and filters.
        o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
    });
    app.MapEngagementApi();
    app.MapEngagementConsole();
    app.MapEngagementOperations(operations);

    app.Lifetime.ApplicationStarted.Register(() =>
    {
        if (!app.Logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var options = app.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value;
        app.Logger.LogInformation(
            "Engagement silo {ServiceId}/{ClusterId} up: API on {Urls}, silo {Address}:{SiloPort}, gateway port {GatewayPort}, clustering {Clustering}",
            options.ServiceId,
            options.ClusterId,
            string.Join(", ", app.Urls),
            options.AdvertisedAddress,
            options.SiloPort,
            options.GatewayPort,
            options.Clustering);
    });

    // The last line of a stop, after Orleans and every other service have stopped (Orleans' own stop ends on warnings)
    // and the queue receivers have handed back (SiloStopLine; a Warning naming those that had not, if the wait ran out):
    // Information only when the stop succeeded; a stop that threw ends on an Error instead (then the Fatal below).
    // RunAsync's own steps, spelled out: Ctrl-C / SIGTERM still stop the host through its console lifetime.
    var stopStarted = 0L;
    app.Lifetime.ApplicationStopping.Register(() => stopStarted = Stopwatch.GetTimestamp());
    var siloOptions = app.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value;
    var queueHandBacks = app.Services.GetService<QueueHandBacks>();
    try
    {
        // Inside the try: a start that throws (storage down, a port taken) still disposes what had started and the
        // host's logger, so nothing it buffered is lost; it ends on the Fatal below, not on a "stop failed" line.
        await app.StartAsync();
        await app.WaitForShutdownAsync();
        var notHandedBack = await SiloStopLine.AwaitQueueHandBacksAsync(queueHandBacks, app.Logger, siloOptions);
        if (notHandedBack.Count == 0)
        {
            app.Logger.LogInformation(
                "Engagement silo {ServiceId}/{ClusterId} stopped: its services took {StopSeconds:0.0} s to stop",
                siloOptions.ServiceId,
                siloOptions.ClusterId,
                Stopwatch.GetElapsedTime(stopStarted).TotalSeconds);
        }
        else
        {
            app.Logger.LogWarning(
                "Engagement silo {ServiceId}/{ClusterId} stopped: its services took {StopSeconds:0.0} s to stop; the queue receivers of {QueuesNotHandedBack} had not handed back within {HandBackWaitSeconds:0.0} s (their totals may follow)",
                siloOptions.ServiceId,
                siloOptions.ClusterId,
                Stopwatch.GetElapsedTime(stopStarted).TotalSeconds,
                notHandedBack,
                siloOptions.QueueHandBackWait.TotalSeconds);
        }
    }
    catch (Exception ex) when (stopStarted != 0)
    {
        stopFailureLogged = ex;
        var notHandedBack = await SiloStopLine.AwaitQueueHandBacksAsync(queueHandBacks, app.Logger, siloOptions);
        if (notHandedBack.Count == 0)
        {
            app.Logger.LogError(
                ex,
                "Engagement silo {ServiceId}/{ClusterId} stop failed after {StopSeconds:0.0} s",
                siloOptions.ServiceId,
                siloOptions.ClusterId,
                Stopwatch.GetElapsedTime(stopStarted).TotalSeconds);
        }
        else
        {
            app.Logger.LogError(
                ex,
                "Engagement silo {ServiceId}/{ClusterId} stop failed after {StopSeconds:0.0} s; the queue receivers of {QueuesNotHandedBack} had not handed back within {HandBackWaitSeconds:0.0} s (their totals may follow)",
                siloOptions.ServiceId,
                siloOptions.ClusterId,
                Stopwatch.GetElapsedTime(stopStarted).TotalSeconds,
                notHandedBack,
                siloOptions.QueueHandBackWait.TotalSeconds);
        }

        throw;
    }
    finally
    {
        await app.DisposeAsync();
    }

    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    if (ReferenceEquals(ex, stopFailureLogged))
    {
        Log.Fatal("The engagement silo stopped on an error: its stop failed (the exception is logged above)");
    }
    else
    {
        Log.Fatal(ex, "The engagement silo stopped on an error");
    }

    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
