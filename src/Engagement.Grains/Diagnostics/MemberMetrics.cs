using System.Diagnostics.Metrics;

namespace Engagement.Grains.Diagnostics;

/// <summary>
/// What the member grains did beyond ingestion counts (those are <see cref="Engagement.Contracts.Events.IngestionMetrics"/>),
/// as System.Diagnostics.Metrics (meter <c>Engagement.Members</c>) plus in-process totals that tests and the benchmark read.
/// </summary>
public static class MemberMetrics
{
    public const string MeterName = "Engagement.Members";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> RejectedCounter = Meter.CreateCounter<long>("engagement.events.rejected", description: "Events a member refused (sent to the poison queue)");
    private static readonly Counter<long> HeldCounter = Meter.CreateCounter<long>("engagement.events.held", description: "Refunds held until their purchase arrives");
    private static readonly Counter<long> TierChangeCounter = Meter.CreateCounter<long>("engagement.tier.changes", description: "Tier changes");
    private static readonly Counter<long> OrdersLostCounter = Meter.CreateCounter<long>(
        "engagement.orders.lost_early", description: "Order summaries dropped by MaxOrderSummaries before the end of their retention (their duplicates and refunds are no longer recognised)");
    private static readonly Counter<long> ReminderRegistrations = Meter.CreateCounter<long>("engagement.reminders.registrations", description: "Lifecycle reminder registrations (writes to the reminder table)");
    private static readonly Counter<long> PendingAfterRetryCounter = Meter.CreateCounter<long>(
        "engagement.outbox.pending_after_retry", "{effect}", "Effects still pending in a member's outbox after a retry of its emit, added at each retry that failed: effects x failed retries (one effect refused by ten retries adds 10; a receiver down keeps it climbing)");
    private static readonly Counter<long> LeftPendingCounter = Meter.CreateCounter<long>(
        "engagement.outbox.left_pending", "{effect}", "Effects a member still had pending after the emit of its deactivation (its lifecycle reminder is moved to wake it for them); not counted when the silo shuts down with only metric contributions left, nor when the deactivation emits nothing because memory was ahead of storage (a failed change: storage keeps them for the next activation)");

    private static readonly Counter<long> HeldForStockCounter = Meter.CreateCounter<long>(
        "engagement.offers.touches_held_for_stock", "{touch}", "Win-back L1 gift or birthday coupon touches tied to skus held in their window by a tick (no store near the member had the goods, or the look-up did not answer); each retry that holds again counts again. Tag kind: the touch kind; tag cause: out_of_stock, no_answer (the look-up failed or timed out), not_looked_up (the look-ahead did not name it: a defect)");
    private static readonly Counter<long> TouchStockLookUpsCounter = Meter.CreateCounter<long>(
        "engagement.offers.touch_stock_lookups", "{lookup}", "Stock look-ups a tick made for a win-back L1 gift or birthday coupon tied to skus whose touch goes out (one per grant); tag outcome: in_stock, out_of_stock, failed");

    private static long _rejected;
    private static long _heldForStock;
    private static long _touchStockLookUps;
    private static long _held;
    private static long _reminderRegistrations;

    public static long Rejected => Interlocked.Read(ref _rejected);

    public static long Held => Interlocked.Read(ref _held);

    public static long ReminderRegistrationCount => Interlocked.Read(ref _reminderRegistrations);

    /// <summary>Touches held for stock so far in this process (<c>engagement.offers.touches_held_for_stock</c>).</summary>
    public static long TouchesHeldForStock => Interlocked.Read(ref _heldForStock);

    /// <summary>Stock look-ups the tick made so far in this process (<c>engagement.offers.touch_stock_lookups</c>).</summary>
    public static long TouchStockLookUps => Interlocked.Read(ref _touchStockLookUps);

    /// <summary>Counts one touch of <paramref name="kind"/> held for stock by a tick, by <paramref name="cause"/> (<c>GoodsTiedCoupons.HoldCause</c>).</summary>
    public static void TouchHeldForStock(string kind, string cause)
    {
        Interlocked.Increment(ref _heldForStock);
        HeldForStockCounter.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("cause", cause));
    }

    /// <summary>Counts one stock look-up of the tick, by <paramref name="outcome"/>: <c>in_stock</c>, <c>out_of_stock</c>, <c>failed</c>.</summary>
    public static void TouchStockLookedUp(string outcome)
    {
        Interlocked.Increment(ref _touchStockLookUps);
        TouchStockLookUpsCounter.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public static void EventRejected()
    {
        Interlocked.Increment(ref _rejected);
        RejectedCounter.Add(1);
    }

    public static void EventHeld()
    {
        Interlocked.Increment(ref _held);
        HeldCounter.Add(1);
    }

    public static void TierChanged(string from, string to) =>
        TierChangeCounter.Add(1, new KeyValuePair<string, object?>("from", from), new KeyValuePair<string, object?>("to", to));

    /// <summary>Counts <paramref name="orders"/> order summaries a member dropped early (<c>ProgramOptions.MaxOrderSummaries</c>).</summary>
    public static void OrdersLostEarly(long orders) => OrdersLostCounter.Add(orders);

    public static void ReminderRegistered()
    {
        Interlocked.Increment(ref _reminderRegistrations);
        ReminderRegistrations.Add(1);
    }

    /// <summary>
    /// Adds <paramref name="effects"/> still pending in a member's outbox after a retry of its emit failed
    /// (<c>engagement.outbox.pending_after_retry</c>): the sum is effects × failed retries, not distinct effects.
    /// </summary>
    public static void OutboxPendingAfterRetry(long effects) => PendingAfterRetryCounter.Add(effects);

    /// <summary>
    /// Counts <paramref name="effects"/> a member still had pending after the emit of its deactivation
    /// (<c>engagement.outbox.left_pending</c>); not called when the silo shuts down with only metric contributions left,
    /// nor when memory was ahead of storage (the deactivation then emits nothing).
    /// </summary>
    public static void OutboxLeftPending(long effects) => LeftPendingCounter.Add(effects);
}
