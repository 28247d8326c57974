using Engagement.Contracts.Events;
using Engagement.Grains.Hosting;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// The platform's floor for one event (<c>ingest-memory --memory-path floor</c>): a grain on the same memory streams
/// (implicit subscription, pulling agents) and the same grain storage as the member grain, which does the least an
/// actor that applies events durably must do — keep the event in its state and write the state once — and none of the
/// engine's rules, outbox or index. Its stored state is about as large as a young member's: the last <see cref="Kept"/>
/// events (~325 bytes of JSON each) and a fixed <see cref="FloorState.Ballast"/> of 2,700 characters, so the ingest-memory
/// load (about 5 events per member at the time of a write on average) writes ~4.5 KB of JSON per event, the member state's
/// average in the same load (the stage profile's <c>state_json_bytes_avg</c>). The engine's cost per event over this
/// floor is what its own code adds.
/// </summary>
[ImplicitStreamSubscription(Namespace)]
internal sealed class FloorGrain([PersistentState("floor", GrainStorageNames.State)] IPersistentState<FloorGrain.FloorState> state)
    : Grain, IGrainWithStringKey, IStreamSubscriptionObserver, IAsyncObserver<EngagementEvent>
{
    /// <summary>The stream namespace the floor's grains subscribe to (keyed by member id, as the member streams).</summary>
    public const string Namespace = "bench-floor";

    /// <summary>Events kept in the state: about a young member's stored JSON (4–5 KB).</summary>
    public const int Kept = 12;

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<EngagementEvent>().ResumeAsync(this);

    public async Task OnNextAsync(EngagementEvent item, StreamSequenceToken? token = null)
    {
        if (state.State.Ballast.Length == 0)
        {
            state.State.Ballast = FloorState.Filler;
        }

        var recent = state.State.Recent;
        recent.Add(item);
        if (recent.Count > Kept)
        {
            recent.RemoveAt(0);
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await state.ReadStateAsync(); // as the member: memory never ahead of storage
            throw;
        }

        IngestionMetrics.Accepted();
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    /// <summary>The floor's state: the member's last <see cref="Kept"/> events, as received, and a fixed ballast.</summary>
    [GenerateSerializer]
    internal sealed class FloorState
    {
        /// <summary>The ballast every floor state carries: 2,700 characters.</summary>
        public static readonly string Filler = new('x', 2_700);

        [Id(0)]
        public List<EngagementEvent> Recent { get; set; } = [];

        /// <summary>Brings the stored JSON to about a young member's size (see <see cref="FloorGrain"/>).</summary>
        [Id(1)]
        public string Ballast { get; set; } = "";
    }
}
