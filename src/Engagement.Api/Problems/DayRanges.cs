namespace Engagement.Api.Problems;

/// <summary>
/// The one rule of a range of local days <c>from</c>–<c>to</c> (query parameters <c>YYYY-MM-DD</c>) that reads what
/// has happened: neither end after today, and <c>from</c> not after <c>to</c>. Each end past today is told so by its
/// own name, so <c>?from=9999-12-31</c> with no <c>to</c> is "from: must not be after today", not a complaint about a
/// <c>to</c> never sent. Used by <c>/programme/health|points|funnel</c> and <c>/reports/winback</c>.
/// </summary>
public static class DayRanges
{
    /// <summary>
    /// Adds to <paramref name="errors"/> (only when it has none yet, so one bad date is not reported twice) the first
    /// broken order rule: <c>to</c> after <paramref name="latest"/>, <c>from</c> after <paramref name="latest"/>, or
    /// <c>from</c> after <c>to</c> (when <paramref name="toGiven"/> is false, <paramref name="to"/> is the default end,
    /// and the message says so).
    /// </summary>
    /// <param name="errors">The request's field errors.</param>
    /// <param name="from">The first local day of the range.</param>
    /// <param name="to">The last local day of the range (sent, or its default).</param>
    /// <param name="toGiven">Whether the caller sent <c>to</c>.</param>
    /// <param name="latest">The latest local day the range may name ("today").</param>
    /// <param name="today">How "today" is described, e.g. <c>2026-11-23 local</c>.</param>
    public static void CheckOrder(FieldErrors errors, DateOnly from, DateOnly to, bool toGiven, DateOnly latest, string today)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Any)
        {
            return;
        }

        if (to > latest)
        {
            errors.Add("to", $"must not be after today ({today})");
        }
        else if (from > latest)
        {
            errors.Add("from", $"must not be after today ({today})");
        }
        else if (from > to)
        {
            errors.Add("from", toGiven ? "must not be after to" : $"must not be after to (left out: {to:yyyy-MM-dd}, today)");
        }
    }
}
