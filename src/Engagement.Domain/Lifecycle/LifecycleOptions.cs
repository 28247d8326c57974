namespace Engagement.Domain.Lifecycle;

/// <summary>Lifecycle and win-back rules (CONTRACT.md §2), under <c>Engagement:Program:Lifecycle</c>.</summary>
/// <remarks>
/// Days are elapsed 24-hour days, not calendar days: win-back day <c>d</c> of an episode that started at
/// <c>S</c> is the interval <c>[S + d days, S + (d + 1) days)</c>. An episode starts when the member has been
/// quiet for <see cref="AtRiskAfterDays"/>, i.e. at <c>lastActivityAt + AtRiskAfterDays</c>.
/// </remarks>
public sealed class LifecycleOptions
{
    /// <summary>A member is <c>new</c> for this many days after registration. Default 30.</summary>
    public int NewMemberDays { get; set; } = 30;

    /// <summary>After this many days without activity a member is <c>at_risk</c> and win-back starts (its day 0). Default 30.</summary>
    public int AtRiskAfterDays { get; set; } = 30;

    /// <summary>
    /// The member turns <c>dormant</c> once this win-back day has passed without activity. Default 30, so with
    /// the default levels L3 covers days 16–30 and the member is dormant from day 31.
    /// </summary>
    public int DormantAfterWinBackDays { get; set; } = 30;

    /// <summary>L1, days 0–7: wake-up gift (no-threshold coupon + trial) by push, falling back to SMS.</summary>
    public WinBackLevelOptions Level1 { get; set; } = new()
    {
        FromDay = 0,
        ToDay = 7,
        Kind = "winback.l1",
        Channel = "push",
        FallbackChannel = "sms",
        Offer = "wake-up-gift:no-threshold-coupon+trial",
    };

    /// <summary>L2, days 8–15: outbound call task and advisor assignment.</summary>
    public WinBackLevelOptions Level2 { get; set; } = new()
    {
        FromDay = 8,
        ToDay = 15,
        Kind = "winback.l2",
        Channel = "call",
        Offer = "outbound-call+advisor",
        AssignAdvisor = true,
    };

    /// <summary>L3, days 16–30: recall offer by SMS, falling back to push.</summary>
    public WinBackLevelOptions Level3 { get; set; } = new()
    {
        FromDay = 16,
        ToDay = 30,
        Kind = "winback.l3",
        Channel = "sms",
        FallbackChannel = "push",
        Offer = "recall-offer",
    };

    /// <summary>
    /// How often the member grain's lifecycle reminder fires. Default 1 day. Reminders only wake the grain;
    /// the decision is taken from <c>now</c>, so a longer period only delays, never skips, a level.
    /// Tests shorten it.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Lifecycle transitions kept per member for the win-back report (newest kept). Default 50.</summary>
    public int MaxTransitions { get; set; } = 50;

    /// <summary>The three levels in order.</summary>
    public IReadOnlyList<WinBackLevelOptions> Levels() => [Level1, Level2, Level3];

    /// <summary>Returns one message per broken rule; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (NewMemberDays < 0)
        {
            errors.Add($"Lifecycle:NewMemberDays must be >= 0 (was {NewMemberDays}).");
        }

        if (AtRiskAfterDays < 1)
        {
            errors.Add($"Lifecycle:AtRiskAfterDays must be >= 1 (was {AtRiskAfterDays}).");
        }

        if (ReminderPeriod <= TimeSpan.Zero)
        {
            errors.Add("Lifecycle:ReminderPeriod must be positive.");
        }

        if (MaxTransitions < 1)
        {
            errors.Add($"Lifecycle:MaxTransitions must be >= 1 (was {MaxTransitions}).");
        }

        var levels = Levels();
        var expectedFrom = 0;
        for (var i = 0; i < levels.Count; i++)
        {
            var name = $"Lifecycle:Level{i + 1}";
            var level = levels[i];
            if (level is null)
            {
                errors.Add($"{name} is required.");
                continue;
            }

            if (level.FromDay != expectedFrom)
            {
                errors.Add($"{name}:FromDay must be {expectedFrom} so the levels follow each other without gaps (was {level.FromDay}).");
            }

            if (level.ToDay < level.FromDay)
            {
                errors.Add($"{name}:ToDay must be >= FromDay (was {level.ToDay} < {level.FromDay}).");
            }

            if (string.IsNullOrWhiteSpace(level.Kind))
            {
                errors.Add($"{name}:Kind is required.");
            }

            if (string.IsNullOrWhiteSpace(level.Channel))
            {
                errors.Add($"{name}:Channel is required.");
            }

            expectedFrom = level.ToDay + 1;
        }

        if (Level3 is not null && DormantAfterWinBackDays < Level3.ToDay)
        {
            errors.Add($"Lifecycle:DormantAfterWinBackDays must be >= Level3:ToDay ({DormantAfterWinBackDays} < {Level3.ToDay}).");
        }

        return errors;
    }
}

/// <summary>One win-back level: which win-back days it covers and what it sends.</summary>
public sealed class WinBackLevelOptions
{
    /// <summary>First win-back day of the level (day 0 = the day quiet reaches <c>AtRiskAfterDays</c>).</summary>
    public int FromDay { get; set; }

    /// <summary>Last win-back day of the level, inclusive. The level's touch is only sent while the level lasts.</summary>
    public int ToDay { get; set; }

    /// <summary>Touch kind, e.g. <c>winback.l1</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Preferred channel: <c>push</c>, <c>sms</c>, <c>call</c>, <c>wechat</c>.</summary>
    public string Channel { get; set; } = "";

    /// <summary>Used instead of <see cref="Channel"/> when the member opted out of that one; optional.</summary>
    public string? FallbackChannel { get; set; }

    /// <summary>Offer code the connector turns into a coupon, a call script or a recall offer.</summary>
    public string? Offer { get; set; }

    /// <summary>Entering the level asks the grain to assign a personal advisor (L2 by default).</summary>
    public bool AssignAdvisor { get; set; }
}
