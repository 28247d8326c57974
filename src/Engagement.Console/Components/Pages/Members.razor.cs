using System.Security.Claims;
using Engagement.Api.Support;
using Engagement.Contracts.Offers;
using Engagement.Contracts.Storage;
using Engagement.Domain.Offers;
using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The member search page's log messages, and its lookup of a coupon code's holder.</summary>
public partial class Members
{
    // Without the query and without the exception: the query may be a member's phone number, and a storage failure's
    // message can carry it (the request URI with the table filter).
    [LoggerMessage(Level = LogLevel.Warning, Message = "Member search failed ({Fault}, status {Status}) for a {QueryKind} query of {QueryLength} characters; the page says so and searches again when the agent types")]
    private static partial void LogSearchFailed(ILogger logger, string fault, int? status, string queryKind, int queryLength);

    /// <summary>How a hit found by a coupon code is marked (<c>MatchedBy_coupon</c>).</summary>
    public const string ByCoupon = "coupon";

    // A failed look-up in the coupon directory: by the exception's type only (the query, a code, is not logged).
    [LoggerMessage(Level = LogLevel.Warning, Message = "Coupon code look-up failed ({Fault}); the page shows the member index's results and says the code was not looked up")]
    private static partial void LogCouponLookupFailed(ILogger logger, string fault);

    // A failed read of the coupon holder's own index row: by the exception's type only (the holder's id is a member's).
    [LoggerMessage(Level = LogLevel.Warning, Message = "Coupon holder's index row could not be read ({Fault}); the page lists the holder by id without phone or tier and says so")]
    private static partial void LogHolderRowFailed(ILogger logger, string fault);

    // A coupon code in the box (support's "where is my coupon"): its holder from the programme's code directory, as
    // GET /coupons/{code} finds it (CONTRACT.md §4; support may read it), listed first with the phone as the index gives it
    // to the viewer's role. Only a query that can be a code (CouponCodes.Normalize: dashes and spaces ignored) is looked up.
    // A failure of the directory is not the member index's: the index's hits are kept and CouponFailed is true, so the
    // page says the code could not be looked up (not that the member index did not answer). The holder's own row is read
    // with limit 1: an id sorts before every longer id it begins, so the first hit is the holder when the index has it.
    // A failure of that read does not lose the holder the directory found: it is listed by id, without phone or tier, and
    // HolderRowFailed is true, so the page says the row could not be read (not that the member index did not answer).
    private async Task<(IReadOnlyList<MemberSearchResult> Hits, bool CouponFailed, bool HolderRowFailed)> WithCouponHolderAsync(
        string query, IReadOnlyList<MemberSearchResult> hits, ClaimsPrincipal user, CancellationToken cancel)
    {
        if (CouponCodes.Normalize(query) is not { } code)
        {
            return (hits, false, false);
        }

        string? holder;
        try
        {
            holder = await Grains.GetGrain<ICouponDirectoryGrain>(code).FindMemberAsync();
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancel))
        {
            LogCouponLookupFailed(Log, ex.GetType().Name);
            return (hits, true, false);
        }

        if (holder is null)
        {
            return (hits, false, false);
        }

        MemberSearchResult? indexed;
        var rowFailed = false;
        try
        {
            indexed = (await Directory.SearchAsync(holder, 1, user, cancel)).FirstOrDefault(h => h.MemberId == holder);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancel))
        {
            LogHolderRowFailed(Log, ex.GetType().Name);
            (indexed, rowFailed) = (null, true);
        }

        return ([new MemberSearchResult(holder, indexed?.Phone ?? "", indexed?.Tier ?? "", ByCoupon), .. hits.Where(h => h.MemberId != holder)], false, rowFailed);
    }
}
