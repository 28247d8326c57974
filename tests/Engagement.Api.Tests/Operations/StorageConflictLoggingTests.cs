using Azure;
using Engagement.Silo;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The silo's Serilog policy (<see cref="StorageConflictLogging"/>): the official provider's and Orleans' bridge Error
/// lines for a member write refused on its ETag (412/409 under an InconsistentStateException, as Azurite raises them:
/// GrainStorageContractTests) are dropped, the member's own Warning stays, and every other storage error stays an Error.
/// </summary>
public sealed class StorageConflictLoggingTests
{
    private const string ProviderTemplate = "Error Writing: GrainType={GrainType} GrainId={GrainId} ETag={ETag} to Table={TableName}";
    private const string BridgeTemplate = "Error from storage provider {ProviderName}.{StateName} during {Operation} for grain {GrainId}{ErrorCode}";

    private static readonly GrainId Member = GrainId.Create("member", "L000020");

    /// <summary>The provider's shape: it wraps every 412/409/404 from the table in an InconsistentStateException.</summary>
    private static InconsistentStateException Refused(int status, string? code = null) => new InconsistentStateException(
        "Table storage condition not Satisfied.", "Unknown", "W/\"datetime'2026-12-05T04%3A35%3A25Z'\"",
        new RequestFailedException(status, "The table refused the request.", code ?? (status == 412 ? "UpdateConditionNotSatisfied" : "EntityAlreadyExists"), null));

    [Fact]
    public void TheProviderAndBridgeErrorsForAMemberWriteRefusedOnItsETagAreDroppedAndTheMembersWarningStays()
    {
        var lines = Log(log =>
        {
            log(StorageConflictLogging.ProviderCategory, LogLevel.Error, Refused(412), ProviderTemplate, ["member", Member, "etag", "EngagementGrainState"]);
            log(StorageConflictLogging.BridgeCategory, LogLevel.Error, Refused(412), BridgeTemplate, ["GrainStateSizeGuard", "member", "WriteStateAsync", Member, null]);
            log(StorageConflictLogging.BridgeCategory, LogLevel.Error, Refused(409), BridgeTemplate, ["GrainStateSizeGuard", "member", "WriteStateAsync", Member, null]);
            log("Engagement.Grains.Members.MemberGrain", LogLevel.Warning, null, "{MemberId}: another activation of this member wrote it since", ["L000020"]);
        });

        var left = Assert.Single(lines);
        Assert.Equal(LogEventLevel.Warning, left.Level);
    }

    [Fact]
    public void EveryOtherStorageErrorStaysAnErrorAndTheBridgeGluesNoNullToTheGrainId()
    {
        var campaign = GrainId.Create("campaign", "C1");
        var lines = Log(log =>
        {
            // Another status, another exception, a grain other than a member, another category; and a 409 or 404 the
            // provider wraps like an ETag refusal but whose code says it is not one.
            log(StorageConflictLogging.ProviderCategory, LogLevel.Error, new RequestFailedException(503, "Server busy"), ProviderTemplate, ["member", Member, "etag", "EngagementGrainState"]);
            log(StorageConflictLogging.BridgeCategory, LogLevel.Error, new InconsistentStateException("stale", "a", "b", new RequestFailedException(500, "boom")), BridgeTemplate, ["GrainStateSizeGuard", "member", "WriteStateAsync", Member, null]);
            log(StorageConflictLogging.BridgeCategory, LogLevel.Error, new TimeoutException("slow"), BridgeTemplate, ["GrainStateSizeGuard", "member", "WriteStateAsync", Member, null]);
            log(StorageConflictLogging.ProviderCategory, LogLevel.Error, Refused(412), ProviderTemplate, ["campaign", campaign, "etag", "EngagementGrainState"]);
            log("Engagement.Azure.Programme.AzureTableAggregatorRowStore", LogLevel.Error, Refused(412), "{GrainId} row refused", [Member]);
            log(StorageConflictLogging.ProviderCategory, LogLevel.Error, Refused(409, "TableBeingDeleted"), ProviderTemplate, ["member", Member, "etag", "EngagementGrainState"]);
            log(StorageConflictLogging.BridgeCategory, LogLevel.Error, Refused(409, "TableBeingDeleted"), BridgeTemplate, ["GrainStateSizeGuard", "member", "WriteStateAsync", Member, null]);
            log(StorageConflictLogging.BridgeCategory, LogLevel.Error, Refused(404, "ResourceNotFound"), BridgeTemplate, ["GrainStateSizeGuard", "member", "WriteStateAsync", Member, null]);
            log(StorageConflictLogging.BridgeCategory, LogLevel.Error, Refused(412, "ConditionNotMet"), BridgeTemplate, ["GrainStateSizeGuard", "member", "WriteStateAsync", Member, null]);
        });

        Assert.Equal(9, lines.Count);
        Assert.All(lines, l => Assert.Equal(LogEventLevel.Error, l.Level));
        var bridge = lines[2].RenderMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.EndsWith(" for grain member/L000020", bridge.Replace("\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("null", bridge, StringComparison.Ordinal);
    }

    /// <summary>Runs <paramref name="write"/> through MEL into a Serilog logger with the silo's policy; what reached the sink.</summary>
    private static List<LogEvent> Log(Action<Action<string, LogLevel, Exception?, string, object?[]>> write)
    {
        var sink = new Sink();
        using var serilog = new LoggerConfiguration().MinimumLevel.Verbose().WithStorageConflictPolicy().WriteTo.Sink(sink).CreateLogger();
        using var factory = new SerilogLoggerFactory(serilog);
#pragma warning disable CA2254 // the templates are the ones Orleans logs with
        write((category, level, ex, template, args) => factory.CreateLogger(category).Log(level, ex, template, args));
#pragma warning restore CA2254
        return sink.Events;
    }

    private sealed class Sink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}
