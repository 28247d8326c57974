using Engagement.Domain.Metrics;
using Engagement.Domain.Program;
using Engagement.Grains.Programme;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Grains.Tests.Programme;

/// <summary>
/// The silo's value-class thresholds when the value-class grain cannot answer: a member's decision goes on with the
/// rules in force, and the silo asks again a minute later (engine clock), whatever the call failed with.
/// </summary>
public sealed class MemberMetricsSourceFaultTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_value_class_grain_whose_storage_times_out_keeps_the_rules_in_force_and_is_asked_again_a_minute_later()
    {
        // The grain's storage timed out: the call fails with a TaskCanceledException no token of the member's cancelled.
        var (grains, calls) = FailingGrains.StorageTimeout();
        var time = new FakeTimeProvider(Now);
        var log = new CapturedLog<MemberMetricsSource>();
        var source = new MemberMetricsSource(Options.Create(new MetricsOptions()), grains, time, log);
        var program = new ProgramOptions();

        var rules = await source.RulesAsync(program);

        Assert.Same(program, rules.Program);
        Assert.Equal(1, calls.Calls);
        var warning = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.IsType<TaskCanceledException>(warning.Exception);

        // Members deciding within the minute are not held up by a grain that cannot answer...
        Assert.Same(program, (await source.RulesAsync(program)).Program);
        Assert.Equal(1, calls.Calls);

        // ...and a minute later the silo asks again.
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Same(program, (await source.RulesAsync(program)).Program);
        Assert.Equal(2, calls.Calls);
    }
}
