using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Tests.Lifecycle;

/// <summary>A member on a simulated calendar: day 0 is Monday 2026-01-05 in Asia/Shanghai (+08:00, no DST).</summary>
internal sealed class MemberSim
{
    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    public MemberState State { get; } = new() { MemberId = "M000123" };

    public ProgramOptions Options { get; } = new();

    public DateTimeOffset Now { get; private set; }

    /// <summary>Every tick result, in order.</summary>
    public List<MemberTickResult> Ticks { get; } = [];

    public IEnumerable<TouchDecision> AllTouchDecisions => Ticks.SelectMany(t => t.Touches);

    public IEnumerable<TouchDecision> SentTouches => AllTouchDecisions.Where(t => t.Decision == TouchDecisions.Sent);

    /// <summary>Local wall-clock time on simulated day <paramref name="day"/>.</summary>
    public static DateTimeOffset At(int day, int hour = 10, int minute = 0) =>
        new DateTimeOffset(2026, 1, 5, hour, minute, 0, Shanghai).AddDays(day);

    /// <summary>Which simulated day an instant falls on (local).</summary>
    public static int DayOf(DateTimeOffset instant) =>
        (int)(DateOnly.FromDateTime(instant.ToOffset(Shanghai).DateTime).DayNumber - new DateOnly(2026, 1, 5).DayNumber);

    public void Activity(DateTimeOffset at)
    {
        Now = at;
        LifecyclePolicy.OnActivity(State, at, at, Options);
    }

    public void ActivityOn(int day, int hour = 10) => Activity(At(day, hour));

    public MemberTickResult Tick(DateTimeOffset now)
    {
        Now = now;
        var result = MemberTick.Run(State, Options, now);
        Ticks.Add(result);
        return result;
    }

    public MemberTickResult TickOn(int day, int hour = 10, int minute = 0) => Tick(At(day, hour, minute));

    /// <summary>Ticks once a day at the given local hour, from day <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public void TickDaily(int from, int to, int hour = 10)
    {
        for (var day = from; day <= to; day++)
        {
            TickOn(day, hour);
        }
    }

    public TouchDecision Decide(TouchRequest request, DateTimeOffset now)
    {
        Now = now;
        return TouchGovernor.Decide(State, request, Options, now);
    }

    public static TouchRequest Marketing(string channel = "push", string key = "k1", DateTimeOffset? validUntil = null, string kind = "campaign") => new()
    {
        Kind = kind,
        Channel = channel,
        CampaignId = "C-" + key,
        DedupeKey = key,
        ValidUntil = validUntil,
    };

    public static TouchRequest Service(string channel = "sms", string key = "lot-1", string kind = TouchKinds.PointsExpiryNotice) => new()
    {
        Kind = kind,
        Channel = channel,
        DedupeKey = key,
    };
}
