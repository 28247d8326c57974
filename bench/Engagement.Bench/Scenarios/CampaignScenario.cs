using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Touches;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Offers;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// Broadcast fan-out: N members (one purchase each, so the member index knows them), one campaign to all of them
/// on push with a 10% control group, triggered through <see cref="ICampaignGrain"/> and polled until completed.
/// Then a second campaign on the same day: the marketing cap (one a day per member) lets it reach only members the first
/// campaign did not touch.
/// The engine's clock starts at <c>--start</c> (by default noon in Shanghai, outside quiet hours), so touches are sent
/// rather than deferred whatever the time of day the bench runs at.
/// </summary>
/// <remarks>
/// <c>campaign-coupons</c> (<c>coupons: true</c>): the same with the offer side on and coupon offers that are real
/// (issue 11): every arm member's touch carries a coupon issued into its state on the same write; the run counts the
/// coupon codes the touches carry, that none is sent twice, and that each is in the code directory.
/// </remarks>
internal static class CampaignScenario
{
    public static async Task RunAsync(BenchOptions options, ScenarioResult result, bool coupons = false)
    {
        var n = options.Audience;
        var storage = new StorageStats();
        var outbox = new CampaignOutbox();
        var time = new ShiftableTime(options.Start);
        var directory = new InMemoryCouponCodeDirectory();

        await using var silo = await BenchSilo.StartAsync(options.RunId + "-cp", time, s =>
        {
            s.AddMemoryGrainStorage(GrainStorageNames.State, o => o.GrainStorageSerializer = new TextJsonGrainStorageSerializer());
            s.UseInMemoryReminderService();
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(coupons
                ? new Dictionary<string, string?> { ["Engagement:Offers:CouponSecret"] = "bench-only-coupon-secret-" + options.RunId.PadRight(16, '0') }
                : []).Build();
            s.AddEngagementGrains(configuration);
            s.AddEngagementCampaigns(configuration);
            if (coupons)
            {
                s.Services.AddSingleton<ICouponCodeDirectory>(directory);
                s.AddEngagementOffers(configuration);
            }
            s.Services.AddSingleton<ITouchOutbox>(outbox);
            s.Services.AddSingleton<ILedgerArchive>(new CountingLedgerArchive());
            s.Services.AddSingleton<IDeadLetterSink>(new CountingDeadLetterSink());
            s.AddEngagementInMemoryPorts();
            CountingGrainStorage.Decorate(s.Services, GrainStorageNames.State, storage);
        });

        var events = new EventFactory(options.RunId + "a", n, seed: 8);
        await MemberDriver.ActivateAsync(silo.Client, time, events, "seed audience", n, options.CallConcurrency);

        var first = await RunCampaignAsync(silo.Client, time, options.RunId + "-c1", "first", outbox, n, coupons);
        var second = await RunCampaignAsync(silo.Client, time, options.RunId + "-c2", "second, same day", outbox, n, coupons);

        var progress = first.Status.Progress;
        result.Details["audience_members"] = n;
        result.Details["first.total"] = progress.Total ?? -1;
        result.Details["first.reached"] = progress.Reached;
        result.Details["first.sent"] = progress.Sent;
        result.Details["first.deferred"] = progress.Deferred;
        result.Details["first.suppressed"] = progress.Suppressed;
        result.Details["first.control"] = progress.Control;
        result.Details["first.excluded"] = progress.Excluded;
        result.Details["first.ineligible"] = progress.Ineligible;
        result.Details["first.budget_skipped"] = progress.BudgetSkipped;
        result.Details["first.shards"] = progress.Shards;
        result.Details["first.touch_messages"] = first.Touches;
        result.Details["second.reached"] = second.Status.Progress.Reached;
        result.Details["second.sent"] = second.Status.Progress.Sent;
        result.Details["second.deferred"] = second.Status.Progress.Deferred;
        result.Details["second.suppressed"] = second.Status.Progress.Suppressed;
        result.Details["second.touch_messages"] = second.Touches;
        result.Details["grain_state_writes"] = storage.Writes;
        first.Cpu.AddTo(result, "first", n);

        result.Add("time until all reached", first.Seconds, "s");
        result.Add("fan-out rate", progress.Reached / first.Seconds, "members/s");
        result.Add(new Metric { Name = "audience reached", Value = progress.Reached, Unit = "members", Target = string.Create(CultureInfo.InvariantCulture, $"= {n:N0}"), Met = progress.Reached == n });
        result.Add("touches sent (first campaign)", first.Touches, "");
        if (coupons)
        {
            result.Add(new Metric { Name = "coupons handed over (distinct codes on touches, both campaigns)", Value = outbox.CouponCodes, Unit = "", Target = "= touches sent", Met = outbox.CouponCodes == outbox.Touches });
            // A deferred touch (the second campaign meets the daily cap) holds its grant too: its coupon is issued now.
            var grants = progress.Sent + progress.Deferred + second.Status.Progress.Sent + second.Status.Progress.Deferred;
            result.Add(new Metric { Name = "coupon codes in the code directory (one row each)", Value = directory.Count, Unit = "", Target = "= grants (sent + deferred, both campaigns)", Met = directory.Count == grants });
            result.Add(new Metric { Name = "coupon codes sent twice", Value = outbox.CouponRepeats, Unit = "", Target = "0", Met = outbox.CouponRepeats == 0, Positive = false });
        }

        result.Add(new Metric { Name = "members touched twice by one campaign", Value = outbox.Repeats, Unit = "", Target = "0", Met = outbox.Repeats == 0, Positive = false });
        result.Add(new Metric { Name = "members given 2+ campaign touches the same day (both campaigns)", Value = outbox.MembersOverDailyCap, Unit = "", Target = "0 (1 marketing touch a day)", Met = outbox.MembersOverDailyCap == 0, Positive = false });
        result.Add(new Metric { Name = "second campaign the same day: touches sent", Value = second.Touches, Unit = "", Positive = false });
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"{n:N0} members seeded with one purchase each; broadcast on push to everyone with a 10% control group, triggered through ICampaignGrain and polled every 200 ms until completed; then a second campaign the same day, which may only reach members the first left untouched (its control and global-control members): no member may get two campaign touches in one day. Memory storage; engine clock from {options.Start:yyyy-MM-ddTHH:mm:ssZ} (--start)."));
    }

    private static async Task<CampaignRun> RunCampaignAsync(IClusterClient client, TimeProvider time, string id, string label, CampaignOutbox outbox, int audience, bool coupons)
    {
        var at = time.GetUtcNow();
        var campaign = client.GetGrain<ICampaignGrain>(id);
        var created = await campaign.CreateAsync(new CampaignDefinition
        {
            Id = id,
            Name = "bench " + label,
            Kind = CampaignKinds.Broadcast,
            Channel = "push",
            Offer = new CampaignOffer
            {
                Kind = OfferKinds.Coupon, Code = "BENCH", UnitCost = 1,
                Coupon = coupons ? new Contracts.Offers.CouponGrant { Kind = "no_threshold", Value = 1m, ValidDays = 7 } : null,
            },
            ControlShare = 0.1,
            ValidFrom = at.AddHours(-1),
            ValidUntil = at.AddDays(7),
        });
        if (created.Status != CampaignCreateResult.Created)
        {
            throw new InvalidOperationException($"campaign {id}: {created.Status} {string.Join("; ", created.Errors.Select(e => e.ToString()))}");
        }

        var touchesBefore = outbox.Touches;
        var cpu = CpuSample.Take();
        var clock = Stopwatch.StartNew();
        var triggered = await campaign.TriggerAsync();
        if (triggered.Status != CampaignTriggerResult.Started)
        {
            throw new InvalidOperationException($"campaign {id}: trigger {triggered.Status} ({triggered.Detail})");
        }

        CampaignStatusView? status = null;
        long reached = 0;
        await using (Progress.Start("campaign " + label, audience, () => Interlocked.Read(ref reached)))
        {
            var lastMove = Stopwatch.GetTimestamp();
            while (true)
            {
                status = await campaign.GetAsync() ?? throw new InvalidOperationException($"campaign {id} vanished");
                if (status.Progress.Reached != Interlocked.Exchange(ref reached, status.Progress.Reached))
                {
                    lastMove = Stopwatch.GetTimestamp();
                }

                if (status.Status == CampaignStatuses.Completed)
                {
                    break;
                }

                if (Stopwatch.GetElapsedTime(lastMove) > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"campaign {id} stuck at {status.Progress.Reached} reached ({status.Status}/{status.Progress.State})");
                }

                await Task.Delay(200);
            }
        }

        return new CampaignRun(status, clock.Elapsed.TotalSeconds, outbox.Touches - touchesBefore, CpuSample.Take() - cpu);
    }

    private sealed record CampaignRun(CampaignStatusView Status, double Seconds, long Touches, CpuDelta Cpu);

    /// <summary>Counts campaign touches and notices a member touched twice by the same campaign.</summary>
    private sealed class CampaignOutbox : ITouchOutbox
    {
        private readonly ConcurrentDictionary<(string Member, string Campaign), int> _seen = new();
        private readonly ConcurrentDictionary<string, int> _perMember = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, int> _codes = new(StringComparer.Ordinal);
        private long _couponRepeats;
        private long _overCap;
        private long _touches;
        private long _repeats;

        public long Touches => Interlocked.Read(ref _touches);

        public long Repeats => Interlocked.Read(ref _repeats);

        /// <summary>Distinct coupon codes the campaign touches carried.</summary>
        public long CouponCodes => _codes.Count;

        /// <summary>Coupon codes that came on more than one touch.</summary>
        public long CouponRepeats => Interlocked.Read(ref _couponRepeats);

        /// <summary>Members with more than one campaign touch; the run stays within one engine day.</summary>
        public long MembersOverDailyCap => Interlocked.Read(ref _overCap);

        public Task SendAsync(IReadOnlyList<TouchMessage> touches, CancellationToken cancellationToken = default)
        {
            foreach (var touch in touches.Where(t => t.CampaignId is not null))
            {
                Interlocked.Increment(ref _touches);
                if (touch.CouponCode is { } code && _codes.AddOrUpdate(code, 1, (_, c) => c + 1) == 2)
                {
                    Interlocked.Increment(ref _couponRepeats);
                }

                if (_seen.AddOrUpdate((touch.MemberId, touch.CampaignId!), 1, (_, c) => c + 1) > 1)
                {
                    Interlocked.Increment(ref _repeats);
                }

                if (_perMember.AddOrUpdate(touch.MemberId, 1, (_, c) => c + 1) == 2)
                {
                    Interlocked.Increment(ref _overCap);
                }
            }

            return Task.CompletedTask;
        }
    }
}
