using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Engagement.Api.Problems;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;

namespace Engagement.Api.Offers;

/// <summary>
/// The body rule of the two PUTs of unit counts (CONTRACT.md §2.1): a reward's stock per store
/// (<c>PUT /catalogue/{rewardId}/stock</c>, <c>[{storeId, available}]</c>) and a store's inventory per sku
/// (<c>PUT /stores/{storeId}/inventory</c>, <c>[{sku, available}]</c>). The body is a JSON array of 1 to
/// <see cref="MaxLines"/> lines; each names a valid id (<see cref="OfferIds.Rule"/>) that no other line names, with 0 to
/// <see cref="StoreInventory.MaxAvailable"/> units.
/// </summary>
public static class CountLines
{
    /// <summary>Lines one request may carry.</summary>
    public const int MaxLines = 1000;

    /// <summary>The message of a line's units out of bounds: "must be 0–1,000,000,000".</summary>
    public static readonly string UnitsRule = string.Create(CultureInfo.InvariantCulture, $"must be 0–{StoreInventory.MaxAvailable:N0}");

    /// <summary>
    /// Adds to <paramref name="errors"/> one error per bad field of a line (<c>[i].{keyName}</c>, <c>[i].available</c>),
    /// or a <c>body</c> error when <paramref name="lines"/> is not an array of 1 to <see cref="MaxLines"/> lines (then no
    /// line is looked at). Returns true when every line is valid (nothing added).
    /// </summary>
    /// <param name="errors">Where the field errors go (the request's other fields may already be in it).</param>
    /// <param name="lines">The body as bound; null lines are bad lines.</param>
    /// <param name="keyName">The JSON name of the line's id (<c>storeId</c>, <c>sku</c>).</param>
    /// <param name="key">The line's id.</param>
    /// <param name="available">The line's units.</param>
    public static bool Check<T>(FieldErrors errors, [NotNullWhen(true)] IReadOnlyList<T?>? lines, string keyName, Func<T, string?> key, Func<T, long> available)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (lines is null || lines.Count is 0 or > MaxLines)
        {
            errors.Add("body", $"a JSON array of 1–{MaxLines} {{{keyName}, available}} is required");
            return false;
        }

        var valid = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is not { } line || key(line) is not { } id || !OfferIds.IsValid(id))
            {
                errors.Add($"[{i}].{keyName}", OfferIds.Rule);
                valid = false;
            }
            else if (!seen.Add(id))
            {
                errors.Add($"[{i}].{keyName}", "named twice");
                valid = false;
            }

            if (lines[i] is { } counted && available(counted) is < 0 or > StoreInventory.MaxAvailable)
            {
                errors.Add($"[{i}].available", UnitsRule);
                valid = false;
            }
        }

        return valid;
    }
}
