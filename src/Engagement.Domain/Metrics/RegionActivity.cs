using System.Text.Json.Serialization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Which local days a member was active (logged in, browsed, ...) in one region (CONTRACT.md §5 distinct counts per
/// region): one entry of <see cref="MemberMetricState.Regions"/>. A bitmap that was never set is left out of the JSON.
/// </summary>
public sealed record RegionActivity
{
    /// <summary>The region (normalized, <see cref="MetricsOptions.RegionOf"/>).</summary>
    public required string Region { get; init; }

    /// <summary>Days with any activity (every event but <c>complaint</c>) in the region.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DayBits? Active { get; init; }

    /// <summary>Days with a <c>login</c> in the region.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DayBits? Login { get; init; }

    /// <summary>Days with a <c>browse</c> in the region.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DayBits? Browse { get; init; }

    /// <summary>Days with an <c>add_to_cart</c> in the region.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DayBits? Cart { get; init; }

    /// <summary>Days with a purchase in the region.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DayBits? Purchase { get; init; }

    /// <summary>Days with at least two purchases in the region.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DayBits? Repurchase { get; init; }

    /// <summary>Days with a <c>share</c> in the region.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DayBits? Share { get; init; }

    /// <summary>The bitmaps as one value (empty for those not set).</summary>
    internal ActivityBits Bits => new(
        Active ?? DayBits.Empty, Login ?? DayBits.Empty, Browse ?? DayBits.Empty, Cart ?? DayBits.Empty,
        Purchase ?? DayBits.Empty, Repurchase ?? DayBits.Empty, Share ?? DayBits.Empty);

    /// <summary>
    /// True for an entry without bitmaps: its days are the programme-wide ones (stored so for the only region of a
    /// member that forgot nothing, <see cref="MemberMetricState.ForgottenThrough"/> 0, instead of a copy of them).
    /// A region's own entry always has <see cref="Active"/>, so an empty entry means nothing else.
    /// </summary>
    internal bool SameAsProgramme => Active is null && Login is null && Browse is null && Cart is null && Purchase is null && Repurchase is null && Share is null;

    /// <summary>The region's own days: <see cref="Bits"/>, or <paramref name="programme"/> when <see cref="SameAsProgramme"/>.</summary>
    internal ActivityBits Own(ActivityBits programme) => SameAsProgramme ? programme : Bits;

    /// <summary>An entry for <paramref name="region"/> holding <paramref name="bits"/> (empty bitmaps left null).</summary>
    internal static RegionActivity Of(string region, ActivityBits bits) => new()
    {
        Region = region,
        Active = NullIfEmpty(bits.Active), Login = NullIfEmpty(bits.Login), Browse = NullIfEmpty(bits.Browse), Cart = NullIfEmpty(bits.Cart),
        Purchase = NullIfEmpty(bits.Purchase), Repurchase = NullIfEmpty(bits.Repurchase), Share = NullIfEmpty(bits.Share),
    };

    private static DayBits? NullIfEmpty(DayBits bits) => bits.IsEmpty ? null : bits;
}

/// <summary>The day bitmaps that decide one scope's distinct counts (the whole programme's, or one region's).</summary>
internal readonly record struct ActivityBits(DayBits Active, DayBits Login, DayBits Browse, DayBits Cart, DayBits Purchase, DayBits Repurchase, DayBits Share)
{
    /// <summary>No day marked in any bitmap.</summary>
    public static ActivityBits None => new(DayBits.Empty, DayBits.Empty, DayBits.Empty, DayBits.Empty, DayBits.Empty, DayBits.Empty, DayBits.Empty);

    /// <summary>The latest day any bitmap marks (<see cref="DateOnly.DayNumber"/>), 0 when none.</summary>
    public int Latest => Math.Max(Math.Max(Math.Max(Active.Latest, Login.Latest), Math.Max(Browse.Latest, Cart.Latest)), Math.Max(Math.Max(Purchase.Latest, Repurchase.Latest), Share.Latest));

    /// <summary>True when nothing is marked.</summary>
    public bool IsEmpty => Active.IsEmpty && Login.IsEmpty && Browse.IsEmpty && Cart.IsEmpty && Purchase.IsEmpty && Repurchase.IsEmpty && Share.IsEmpty;

    /// <summary>The programme-wide bitmaps of <paramref name="s"/>.</summary>
    public static ActivityBits Of(MemberMetricState s) => new(s.Active, s.Login, s.Browse, s.Cart, s.Purchase, s.Repurchase, s.Share);

    /// <summary>The days marked in these bitmaps or in <paramref name="other"/>'s (<see cref="DayBits.Union"/>).</summary>
    public ActivityBits Union(ActivityBits other) => new(
        Active.Union(other.Active), Login.Union(other.Login), Browse.Union(other.Browse), Cart.Union(other.Cart),
        Purchase.Union(other.Purchase), Repurchase.Union(other.Repurchase), Share.Union(other.Share));

    /// <summary>
    /// These bitmaps with <paramref name="day"/> marked in <see cref="Active"/> and in each other one that differs
    /// between <paramref name="before"/> and <paramref name="after"/> (the marks <see cref="Mark"/> made there on that day).
    /// </summary>
    public ActivityBits MarkAs(ActivityBits before, ActivityBits after, DateOnly day) => new(
        Marked(Active, day), On(Login, before.Login, after.Login, day), On(Browse, before.Browse, after.Browse, day),
        On(Cart, before.Cart, after.Cart, day), On(Purchase, before.Purchase, after.Purchase, day),
        On(Repurchase, before.Repurchase, after.Repurchase, day), On(Share, before.Share, after.Share, day));

    /// <summary>These bitmaps with only the days up to <paramref name="lastDayNumber"/> (<see cref="DayBits.Until"/>).</summary>
    public ActivityBits Until(int lastDayNumber) => new(
        Active.Until(lastDayNumber), Login.Until(lastDayNumber), Browse.Until(lastDayNumber), Cart.Until(lastDayNumber),
        Purchase.Until(lastDayNumber), Repurchase.Until(lastDayNumber), Share.Until(lastDayNumber));

    /// <summary>
    /// The bitmaps after an event of <paramref name="type"/> on <paramref name="day"/>: active that day, and its funnel
    /// step, share or purchase (a second purchase of the day marks <see cref="Repurchase"/>).
    /// </summary>
    public ActivityBits Mark(string? type, DateOnly day)
    {
        var b = this with { Active = Marked(Active, day) };
        return type switch
        {
            "login" => b with { Login = Marked(Login, day) },
            "browse" => b with { Browse = Marked(Browse, day) },
            "add_to_cart" => b with { Cart = Marked(Cart, day) },
            "share" => b with { Share = Marked(Share, day) },
            "purchase" when Purchase.Has(day) => b with { Repurchase = Marked(Repurchase, day) },
            "purchase" => b with { Purchase = Marked(Purchase, day) },
            _ => b,
        };
    }

    private static DayBits On(DayBits own, DayBits before, DayBits after, DateOnly day) => before == after ? own : Marked(own, day);

    /// <summary><paramref name="bits"/> with <paramref name="day"/> marked; a first mark is the day's shared bitmap (<see cref="DayBits.FirstMark"/>).</summary>
    private static DayBits Marked(DayBits bits, DateOnly day) => bits.IsEmpty ? DayBits.FirstMark(day) : bits.With(day);
}
