using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Api.Problems;
using Engagement.Contracts.Campaigns;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Engagement.Api.Tests;

/// <summary>
/// A pause that reaches a broadcast while one of its fan-out checkpoints is being written, and that write fails (a storage
/// timeout, injected in front of the real Azurite grain storage): the pause waited for that write, so it is refused with
/// 503, Retry-After and problem details, never a 500 and never answered from the unsaved change; sent again, the
/// reloaded campaign applies it once, and the campaign resumes and completes from what storage holds
/// (docs/campaigns.md, "Pause and resume").
/// </summary>
public sealed class CampaignCheckpointFailureApiTests(CampaignCheckpointFailureApiTests.FailingCheckpointHost host) : IClassFixture<CampaignCheckpointFailureApiTests.FailingCheckpointHost>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_pause_waiting_for_a_failed_checkpoint_is_503_with_problem_details_and_the_campaign_is_consistent_after_recovery()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var id = "cpf-" + Guid.NewGuid().ToString("N")[..8];
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        using var support = host.Client(ApiHostFixture.SupportKey);
        var now = host.Clock.GetUtcNow();

        // A few real members in a region of their own, in the member index before the campaign is triggered.
        const int n = 6;
        var memberIds = Enumerable.Range(0, n).Select(i => $"{id}-m{i}").ToList();
        using (var admin = host.Client(ApiHostFixture.AdminKey))
        {
            var events = memberIds.Select((m, i) => (object)new { eventId = $"{m}-reg", type = "register", memberId = m, occurredAt = now.AddMinutes(-1), regionId = id }).ToArray();
            using var posted = await admin.PostAsJsonAsync("api/v1/events", events, Json);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var draft = new { id = "draft-" + id, audience = new { regions = new[] { id } } };
        await Poll.UntilAsync(() => EstimateAsync(marketing, draft), members => members == n, seconds: 60);
        using var created = await marketing.PostAsJsonAsync("api/v1/campaigns", new
        {
            id,
            name = "Checkpoint " + id,
            kind = "broadcast",
            audience = new { regions = new[] { id } },
            channel = "push",
            offer = new { kind = "coupon", code = "CPF5", unitCost = 5m },
            validFrom = now.AddHours(-1),
            validUntil = now.AddDays(1),
        }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The fan-out's first counting checkpoint is held until the pause has changed the campaign in memory and waits for
        // that write; then the write fails as the SDK's timeout does.
        host.Storage.Arm(id);
        using var triggered = await marketing.PostAsync($"api/v1/campaigns/{id}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);
        await host.Storage.Held.WaitAsync(TimeSpan.FromSeconds(60));

        using var refused = await marketing.PostAsync($"api/v1/campaigns/{id}/pause", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(UnavailableProblemHandler.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(503, problem["status"]!.GetValue<int>());
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.6.4", problem["type"]?.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()));
        Assert.Equal(1, host.Storage.Failures);

        // Sent again (refused while the failed activation goes), the reloaded campaign applies it once: pause 1, paused.
        var paused = await Poll.UntilAsync(() => PostAsync(marketing, $"api/v1/campaigns/{id}/pause"), r => r.Status != HttpStatusCode.ServiceUnavailable, seconds: 60);
        Assert.Equal(HttpStatusCode.OK, paused.Status);
        Assert.Equal("paused", paused.Body["status"]!.GetValue<string>());
        var view = (await marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", Json))!;
        Assert.Equal("paused", view["status"]!.GetValue<string>());

        // Resumed, it completes from its stored cursors: the audience counted and reached once, each member in one group,
        // each arm member touched once, and the grants it shows are the grants its last stored state holds.
        using var resumed = await marketing.PostAsync($"api/v1/campaigns/{id}/resume", null);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var done = await Poll.UntilAsync(() => marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", Json), v => v["status"]!.GetValue<string>() == "completed", seconds: 60);
        var progress = done["progress"]!.AsObject();
        long P(string field) => progress[field]!.GetValue<long>();
        Assert.Equal(((long)n, (long)n), (P("total"), P("reached")));
        Assert.Equal((long)n, P("sent") + P("deferred") + P("suppressed") + P("heldBackForStock") + P("control") + P("excluded") + P("ineligible") + P("budgetSkipped") + P("membershipCapRefused"));
        Assert.Equal(P("sent") + P("deferred"), done["grantsReserved"]!.GetValue<long>());
        Assert.Equal(host.Storage.StoredGrants(id), done["grantsReserved"]!.GetValue<long>());
        var touched = 0L;
        foreach (var m in memberIds)
        {
            var touches = (await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{m}/touches", Json))!;
            var mine = touches.Count(t => t!["campaignId"]?.GetValue<string>() == id);
            Assert.InRange(mine, 0, 1);
            touched += mine;
        }

        Assert.Equal(P("sent") + P("deferred") + P("suppressed"), touched);
        Assert.Equal(1, host.Storage.Failures);

        // One pause in the audit trail, numbered 1: the refused one changed nothing.
        var audit = (await support.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={Uri.EscapeDataString(before.ToString("O"))}", Json))!;
        var pauses = audit.Select(a => a!.AsObject()).Where(a => a["target"]!.GetValue<string>() == id && a["action"]!.GetValue<string>() == "campaign.pause").ToList();
        Assert.StartsWith("pause 1:", Assert.Single(pauses)["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<Answer?> PostAsync(HttpClient client, string path)
    {
        using var response = await client.PostAsync(path, null);
        return new Answer(response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!);
    }

    private sealed record Answer(HttpStatusCode Status, JsonObject Body);

    /// <summary>The exact audience estimate of <paramref name="draft"/> (members in the index matching it).</summary>
    private static async Task<long> EstimateAsync(HttpClient client, object draft)
    {
        using var response = await client.PostAsJsonAsync("api/v1/campaigns/audience-estimate", draft, Json);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["members"]!.GetValue<long>();
    }

    /// <summary>The real host over Azurite with <see cref="HeldCheckpointStorage"/> in front of its grain storage.</summary>
    public sealed class FailingCheckpointHost : ApiHostFixture
    {
        public HeldCheckpointStorage Storage { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, GrainStorageNames.State));
                var factory = original.KeyedImplementationFactory!;
                services.Remove(original);
                services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.State, (sp, key) => Storage.Wrap((IGrainStorage)factory(sp, key)));
            });
        }
    }

    /// <summary>
    /// Grain storage that, once armed for a campaign, holds its first counting checkpoint (a shard counted) until the
    /// campaign's live state shows a pause made while it waited, then fails it before anything is written.
    /// </summary>
    public sealed class HeldCheckpointStorage
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? _campaignId;
        private int _failures;

        /// <summary>Completes when the checkpoint is being held.</summary>
        public Task Held => _held.Task;

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _storedGrants = new(StringComparer.Ordinal);

        /// <summary>The grants held (<see cref="CampaignGrainState.Held"/>) by the campaign's last state the table took; 0 before any.</summary>
        public long StoredGrants(string campaignId) => _storedGrants.GetValueOrDefault(campaignId);

        /// <summary>Checkpoints failed so far.</summary>
        public int Failures => Volatile.Read(ref _failures);

        public void Arm(string campaignId) => Volatile.Write(ref _campaignId, campaignId);

        internal IGrainStorage Wrap(IGrainStorage inner) => new Storage(inner, this);

        private async Task BeforeWriteAsync<T>(GrainId grainId, IGrainState<T> grainState)
        {
            if (grainState.State is not CampaignGrainState { Status: CampaignStatuses.Counting } campaign || !campaign.Shards.Exists(s => s.Counted)
                || Volatile.Read(ref _campaignId) is not { } id || grainId.Key.ToString() != id || Interlocked.CompareExchange(ref _campaignId, null, id) != id)
            {
                return;
            }

            // The state object is the activation's own: the pause's change shows in it before the pause waits for this write.
            _held.TrySetResult();
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            while (campaign.Status != CampaignStatuses.Paused && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await timer.WaitForNextTickAsync();
            }

            Interlocked.Increment(ref _failures);
            throw new TaskCanceledException($"injected fault: writing state of {grainId} timed out");
        }

        private sealed class Storage(IGrainStorage inner, HeldCheckpointStorage faults) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
        {
            public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

            public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
            {
                await faults.BeforeWriteAsync(grainId, grainState);
                await inner.WriteStateAsync(stateName, grainId, grainState);
                if (grainState.State is CampaignGrainState stored)
                {
                    faults._storedGrants[grainId.Key.ToString()!] = stored.Held().Grants;
                }
            }

            public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

            public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
        }
    }
}
