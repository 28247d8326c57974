using Azure.Storage.Queues;
using Engagement.Contracts.Events;
using Engagement.Grains.Hosting;
using Engagement.Grains.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// The persistent stream provider on Azure Storage Queues (the Orleans Azure streaming package is not
/// available to this project). Registered by <c>AddEngagementQueueStreams</c>.
/// </summary>
public sealed class EngagementQueueAdapterFactory : IQueueAdapterFactory
{
    private readonly EngagementQueueAdapter _adapter;
    private readonly EngagementQueueMapper _mapper;
    private readonly IQueueAdapterCache _cache;
    private readonly ILogger<EngagementStreamFailureHandler> _failureLogger;
    private readonly ConsumerFailures? _consumerFailures;

    public EngagementQueueAdapterFactory(string providerName, IngestionOptions options, IServiceProvider services)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        _mapper = new EngagementQueueMapper(options.QueueCount, options.QueueNamePrefix);

        // Releases each item once its own stream's cursor moved past it (see StreamingHostingExtensions).
        _cache = new EngagementQueueAdapterCache(options.CacheSize, loggerFactory);
        _failureLogger = loggerFactory.CreateLogger<EngagementStreamFailureHandler>();
        _consumerFailures = services.GetService<ConsumerFailures>(); // a silo's (AddEngagementQueueStreams); none on a client
        var queueService = new QueueServiceClient(options.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        _adapter = new EngagementQueueAdapter(
            providerName,
            queueService,
            _mapper,
            options,
            services.GetRequiredService<IDeadLetterSink>,
            services.GetKeyedService<TimeProvider>(EngagementTime.Key) ?? services.GetService<TimeProvider>() ?? TimeProvider.System, // one "now" with the rules
            loggerFactory,
            services.GetService<EventCurrencies>(),
            services.GetService<QueueHandBacks>()); // a silo's (AddEngagementQueueStreams); none on a client
    }

    /// <summary>The factory delegate for <c>AddPersistentStreams(name, Create, …)</c>.</summary>
    public static EngagementQueueAdapterFactory Create(IServiceProvider services, string name) =>
        new(name, services.GetRequiredService<IOptions<IngestionOptions>>().Value, services);

    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(_adapter);

    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) => CreateAdapter();

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new EngagementStreamFailureHandler(
            _failureLogger,
            token => _adapter.DeliveryFailed(queueId, token, token is null ? null : _consumerFailures?.Take(token.SequenceNumber))));
}
