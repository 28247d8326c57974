using System.Text.RegularExpressions;

namespace Engagement.Contracts.Offers;

/// <summary>Ids of the offer side (rewardId, storeId, sku, redemptionId): 1–64 characters of <c>A–Z a–z 0–9 _ - . :</c>.</summary>
public static partial class OfferIds
{
    public const string Rule = "required, 1–64 characters of A–Z a–z 0–9 _ - . :";

    public static bool IsValid(string? id) => id is { Length: >= 1 and <= 64 } && IdPattern().IsMatch(id);

    /// <summary>The key of the stock counter of <paramref name="rewardId"/> at <paramref name="storeId"/> (<c>|</c> appears in neither).</summary>
    public static string StockKey(string rewardId, string storeId) => rewardId + "|" + storeId;

    /// <summary>
    /// The key of the region index of <paramref name="sku"/> in <paramref name="regionId"/>: the region escaped, <c>|</c>, the
    /// sku. A region is any text of the region id rule (Engagement.Domain.Offers.RegionIds: what an event's regionId may be),
    /// and a grain's table key cannot hold <c>/ \ # ?</c> (the grain-state provider turns each into <c>_</c>, so <c>a/b</c>
    /// and <c>a_b</c> would share a row) nor control characters: those, <c>|</c> and the escape <c>~</c> itself become
    /// <c>~</c> and four hex digits. A region of <see cref="Rule"/>'s alphabet has none of them and keeps the key it always had.
    /// </summary>
    public static string RegionStockKey(string regionId, string sku)
    {
        ArgumentNullException.ThrowIfNull(regionId);
        if (!regionId.Any(NeedsEscape))
        {
            return regionId + "|" + sku;
        }

        var key = new System.Text.StringBuilder(regionId.Length + 16);
        foreach (var c in regionId)
        {
            if (NeedsEscape(c))
            {
                key.Append('~').Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                key.Append(c);
            }
        }

        return key.Append('|').Append(sku).ToString();
    }

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '~' or '|' || char.IsControl(c);

    // \z, not $: $ also matches before a final newline, which would let "S001\n" become a grain and table key.
    [GeneratedRegex(@"^[A-Za-z0-9_.:-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}

/// <summary>One problem with a request, naming the JSON field (e.g. <c>steps[1].cash</c>).</summary>
[GenerateSerializer, Immutable, Alias("engagement.offer-field-error.v1")]
public sealed record OfferFieldError(
    [property: Id(0)] string Field,
    [property: Id(1)] string Message);
