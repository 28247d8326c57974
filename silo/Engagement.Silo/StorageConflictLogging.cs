using Engagement.Grains.Storage;
using Orleans.Storage;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Engagement.Silo;

/// <summary>
/// The silo's Serilog policy for grain-state write failures (docs/scaling.md "What the logs show on a
/// rolling stop"). A member's state write refused on its ETag (an <see cref="InconsistentStateException"/> over the
/// table's 412 UpdateConditionNotSatisfied or 409 EntityAlreadyExists: another activation of the member wrote since, as on
/// a silo handover; <see cref="StorageConflict"/>)
/// is expected and safe; the member grain logs it as one Warning sentence, so the official provider's Error with stack
/// trace (<c>Orleans.Storage.AzureTableGrainStorage</c>) and Orleans' grain-state bridge Error for it (category of the
/// storage in front, <c>Engagement.Azure.Storage.GrainStateSizeGuard</c>) are dropped. Every other storage error stays
/// an Error: another status, another exception, or a grain other than a member (which has no Warning of its own).
/// The bridge's lines also lose the "null" Serilog glued to the grain id when the provider decoded no error code.
/// </summary>
public static class StorageConflictLogging
{
    /// <summary>The official Azure table grain storage's log category.</summary>
    public const string ProviderCategory = "Orleans.Storage.AzureTableGrainStorage";

    /// <summary>Orleans' grain-state bridge logs under the category of the storage it calls: ours, in front of the provider.</summary>
    public const string BridgeCategory = "Engagement.Azure.Storage.GrainStateSizeGuard";

    /// <summary>Orleans' bridge template, whose <c>{ErrorCode}</c> is null when the storage decoded none.</summary>
    private const string BridgeTemplate = "Error from storage provider {ProviderName}.{StateName} during {Operation} for grain {GrainId}{ErrorCode}";

    /// <summary>Adds the policy to a silo's Serilog configuration (Program.cs).</summary>
    public static LoggerConfiguration WithStorageConflictPolicy(this LoggerConfiguration logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return logger.Enrich.With<NoNullErrorCode>().Filter.ByExcluding(IsMemberHandoverConflict);
    }

    /// <summary>
    /// True for the provider's or the bridge's Error about a member grain's state write that storage refused on its ETag
    /// (<see cref="StorageConflict.IsETagConflict"/>: 412 UpdateConditionNotSatisfied or 409 EntityAlreadyExists under an
    /// <see cref="InconsistentStateException"/>); false for anything else, such as a 409 TableBeingDeleted or a 404.
    /// </summary>
    public static bool IsMemberHandoverConflict(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.Level != LogEventLevel.Error
            || !logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var source)
            || source is not ScalarValue { Value: ProviderCategory or BridgeCategory }
            || !logEvent.Properties.TryGetValue("GrainId", out var grainId)
            || grainId is not ScalarValue { Value: { } id }
            || !(id.ToString() ?? string.Empty).StartsWith("member/", StringComparison.Ordinal))
        {
            return false;
        }

        return StorageConflict.IsETagConflict(logEvent.Exception);
    }

    /// <summary>Orleans' bridge line with no decoded error code: the code rendered as nothing rather than "null".</summary>
    private sealed class NoNullErrorCode : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            if (logEvent.MessageTemplate.Text == BridgeTemplate
                && logEvent.Properties.TryGetValue("ErrorCode", out var code) && code is ScalarValue { Value: null })
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty("ErrorCode", new ScalarValue(NoCode.Instance)));
            }
        }
    }

    /// <summary>Renders as nothing, unquoted (an empty string would render as <c>""</c>).</summary>
    private sealed class NoCode
    {
        public static readonly NoCode Instance = new();

        public override string ToString() => string.Empty;
    }
}
