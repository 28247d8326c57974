using System.Diagnostics.Metrics;

namespace Engagement.Azure.Reminders;

/// <summary>
/// How many writes the reminder table (through <see cref="CountingReminderTable"/>) has sent to storage, for tests and the benchmark (the target is close to zero
/// reminder writes per purchase event). Registered as a singleton; <see cref="Shared"/> is the instance used when
/// none is injected. Every write is also counted on the <c>engagement.reminders.table_writes</c> counter of the
/// <c>Engagement.Azure</c> meter, tagged <c>operation=upsert|remove</c>.
/// </summary>
public sealed class ReminderTableStats
{
    private long _upserts;
    private long _removes;

    /// <summary>The process-wide instance, used by hosts that do not register their own.</summary>
    public static ReminderTableStats Shared { get; } = new();

    /// <summary>Upserts sent to the table.</summary>
    public long Upserts => Interlocked.Read(ref _upserts);

    /// <summary>Removes sent to the table (whether or not the row was still there).</summary>
    public long Removes => Interlocked.Read(ref _removes);

    /// <summary>Upserts plus removes.</summary>
    public long Writes => Upserts + Removes;

    internal void RecordUpsert()
    {
        Interlocked.Increment(ref _upserts);
        EngagementAzureMetrics.ReminderTableWrites.Add(1, new KeyValuePair<string, object?>("operation", "upsert"));
    }

    internal void RecordRemove()
    {
        Interlocked.Increment(ref _removes);
        EngagementAzureMetrics.ReminderTableWrites.Add(1, new KeyValuePair<string, object?>("operation", "remove"));
    }
}

/// <summary>The <c>Engagement.Azure</c> meter and its instruments.</summary>
public static class EngagementAzureMetrics
{
    /// <summary>Name of the meter to listen to (OpenTelemetry, dotnet-counters).</summary>
    public const string MeterName = "Engagement.Azure";

    /// <summary>Name of the reminder-table write counter.</summary>
    public const string ReminderTableWritesName = "engagement.reminders.table_writes";

    private static readonly Meter Meter = new(MeterName);

    internal static Counter<long> ReminderTableWrites { get; } =
        Meter.CreateCounter<long>(ReminderTableWritesName, unit: "{write}", description: "Writes (upserts and removes) sent to the reminder table.");
}
