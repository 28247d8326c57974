using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;

namespace Engagement.Console.Tests;

/// <summary>
/// Outgoing calls to the alerts grain as a test wants them: the next read of resolved alerts
/// (<see cref="IAlertsGrain.GetAsync"/> or <see cref="IAlertsGrain.FindAsync"/> with <see cref="AlertStates.Resolved"/>,
/// what the console's alert history asks)
/// failing until the test says otherwise, or the next one held until the test lets it go. Reads of open alerts (the programme page's own table) pass.
/// </summary>
public sealed class AlertCallFaults : IOutgoingGrainCallFilter
{
    private Func<string, Exception>? _fault;
    private TaskCompletionSource? _hold;
    private int _resolvedReads;
    private int _openReads;

    /// <summary>
    /// Resolved-alerts reads sent so far (failed and held ones included): what the store sees of the console's history,
    /// so a test can count the reads one page view makes.
    /// </summary>
    public int ResolvedReads => Volatile.Read(ref _resolvedReads);

    /// <summary>
    /// Open-alerts reads sent so far (<see cref="IAlertsGrain.GetAsync"/> with <see cref="AlertStates.Open"/>): the
    /// programme page's figures read them, so a test can tell a read of the figures from a read of the history alone.
    /// </summary>
    public int OpenReads => Volatile.Read(ref _openReads);

    /// <summary>
    /// Every resolved-alerts read throws what <paramref name="fault"/> makes of its description until this is called with
    /// null: a <see cref="TaskCanceledException"/> is how a storage SDK timeout behind the call reaches the page. Every
    /// read, not the next only: the programme page may read its figures (and so the history) more than once as it opens,
    /// and a later read that succeeded would hide the failure.
    /// </summary>
    public void FailResolvedReads(Func<string, Exception>? fault) => Volatile.Write(ref _fault, fault);

    /// <summary>
    /// The next resolved-alerts read waits, before it is sent, until the returned source is completed (a slow read the
    /// page must show as under way).
    /// </summary>
    public TaskCompletionSource HoldNextResolvedRead()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _hold, hold);
        return hold;
    }

    /// <summary>
    /// The answer the alerts grain gives the host's reads of its refused raises
    /// (<see cref="IAlertsGrain.GetRaisesRefusedAsync"/>) instead of its own, until set back to null: a full alert book,
    /// which the console's shared host cannot be given without refusing every other test's alerts (the grain's own
    /// record is tested on Azurite, AlertBookCapacityTests).
    /// </summary>
    public AlertRaisesRefusedView? RaisesRefused
    {
        get => Volatile.Read(ref _raisesRefused);
        set => Volatile.Write(ref _raisesRefused, value);
    }

    private AlertRaisesRefusedView? _raisesRefused;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.InterfaceMethod?.DeclaringType == typeof(IAlertsGrain)
            && context.MethodName is nameof(IAlertsGrain.GetAsync) or nameof(IAlertsGrain.FindAsync)
            && context.Request.GetArgument(0) is AlertStates.Open)
        {
            Interlocked.Increment(ref _openReads);
        }

        if (context.InterfaceMethod?.DeclaringType == typeof(IAlertsGrain)
            && context.MethodName is nameof(IAlertsGrain.GetAsync) or nameof(IAlertsGrain.FindAsync)
            && context.Request.GetArgument(0) is AlertStates.Resolved)
        {
            Interlocked.Increment(ref _resolvedReads);
            if (Volatile.Read(ref _fault) is { } fault)
            {
                throw fault("test: reading the resolved alerts timed out");
            }

            if (Interlocked.Exchange(ref _hold, null) is { } hold)
            {
                await hold.Task;
            }
        }

        await context.Invoke();
        if (context.InterfaceMethod?.DeclaringType == typeof(IAlertsGrain) && context.MethodName == nameof(IAlertsGrain.GetRaisesRefusedAsync)
            && RaisesRefused is { } refused)
        {
            context.Result = refused;
        }
    }
}
