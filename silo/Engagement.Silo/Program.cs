using System.Globalization;
using Engagement.Api.Hosting;
using Engagement.Azure.Hosting;
using Engagement.Console.Hosting;
using Engagement.Grains.Hosting;
using Engagement.Silo;
using Microsoft.Extensions.Options;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: CultureInfo.InvariantCulture).CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Services.AddSerilog((services, logger) => logger
        .ReadFrom.Configuration(builder.Configuration)
        .ReadFrom.Services(services)
        .Enrich.FromLogContext());

    builder.Services.AddOptions<SiloHostOptions>()
        .Bind(builder.Configuration.GetSection(SiloHostOptions.SectionName))
        .ValidateDataAnnotations()
        .ValidateOnStart();
    var silo = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();

    builder.UseOrleans(orleans =>
    {
        orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
        orleans.AddEngagementGrains(builder.Configuration);
        orleans.AddEngagementAzureStorage(builder.Configuration);
        orleans.AddEngagementCampaignStorage(builder.Configuration);
        orleans.AddEngagementSupportStorage();
        orleans.AddEngagementQueueStreams(builder.Configuration);
    });

    builder.Services.AddEngagementApi(builder.Configuration);
    builder.Services.AddEngagementConsole();
    builder.Services.AddHealthChecks().AddEngagementStorageCheck(ApiHostingExtensions.ReadyTag);

    var app = builder.Build();
    app.UseSerilogRequestLogging();
    app.MapEngagementApi();
    app.MapEngagementConsole();

    app.Lifetime.ApplicationStarted.Register(() =>
    {
        var options = app.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value;
        Log.Information(
            "Engagement silo {ServiceId} up: API on {Urls}, Orleans gateway on port {GatewayPort}",
            options.ServiceId,
            string.Join(", ", app.Urls),
            options.GatewayPort);
    });

    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "The engagement silo stopped on an error");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
