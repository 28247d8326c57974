using Engagement.Domain.Members;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Lifecycle;

/// <summary>
/// The win-back schedule: which level is due on which win-back day, and what each level sends.
/// Day 0 is the instant quiet reaches <c>AtRiskAfterDays</c>; days are elapsed 24-hour days.
/// </summary>
public static class WinBackPolicy
{
    /// <summary>Returned by <see cref="LevelDue"/> once the win-back window has passed.</summary>
    public const int DormantLevel = -1;

    /// <summary>The win-back day <paramref name="now"/> falls on (0 at the episode start; negative before it).</summary>
    public static long DayOf(DateTimeOffset episodeStart, DateTimeOffset now)
    {
        var elapsed = (now - episodeStart).Ticks;
        return elapsed >= 0 ? elapsed / TimeSpan.TicksPerDay : -1 - ((-elapsed - 1) / TimeSpan.TicksPerDay);
    }

    /// <summary>Level due at <paramref name="now"/>: 0 before the episode, 1–3 during it, <see cref="DormantLevel"/> after it.</summary>
    public static int LevelDue(LifecycleOptions options, DateTimeOffset episodeStart, DateTimeOffset now)
    {
        var day = DayOf(episodeStart, now);
        if (day < 0)
        {
            return 0;
        }

        if (day > options.DormantAfterWinBackDays)
        {
            return DormantLevel;
        }

        var levels = options.Levels();
        for (var i = levels.Count - 1; i >= 0; i--)
        {
            if (day >= levels[i].FromDay)
            {
                return i + 1;
            }
        }

        return 0;
    }

    /// <summary>When the level begins.</summary>
    public static DateTimeOffset LevelStart(LifecycleOptions options, DateTimeOffset episodeStart, int level) =>
        episodeStart + TimeSpan.FromDays(options.Levels()[level - 1].FromDay);

    /// <summary>When the level ends (exclusive): the start of the next level, or dormancy after the last.</summary>
    public static DateTimeOffset LevelEnd(LifecycleOptions options, DateTimeOffset episodeStart, int level)
    {
        var levels = options.Levels();
        return level < levels.Count ? LevelStart(options, episodeStart, level + 1) : DormantFrom(options, episodeStart);
    }

    /// <summary>The instant the member turns dormant if nothing happens.</summary>
    public static DateTimeOffset DormantFrom(LifecycleOptions options, DateTimeOffset episodeStart) =>
        episodeStart + TimeSpan.FromDays(options.DormantAfterWinBackDays + 1);

    /// <summary>
    /// The touch a level sends: its channel (or the fallback if the member opted out of it), valid until the level
    /// ends, deduplicated by episode so one episode sends each level at most once.
    /// </summary>
    public static TouchRequest RequestFor(MemberState state, LifecycleOptions options, DateTimeOffset episodeStart, int level)
    {
        var settings = options.Levels()[level - 1];
        var channel = MemberProfile.PreferredChannel(state, settings.Channel, settings.FallbackChannel);

        return new TouchRequest
        {
            Kind = settings.Kind,
            Channel = channel,
            PreferredChannel = settings.Channel,
            FallbackChannel = settings.FallbackChannel,
            Level = level,
            Offer = settings.Offer,
            DedupeKey = TouchIds.KeyFor(episodeStart),
            ValidUntil = LevelEnd(options, episodeStart, level),
            Category = TouchCategories.Marketing,
        };
    }
}
