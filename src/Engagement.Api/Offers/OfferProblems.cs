using Engagement.Contracts.Offers;

namespace Engagement.Api.Offers;

/// <summary>Problem details of the offer endpoints (RFC 9457): refusals carry their code under <c>reason</c>.</summary>
internal static class OfferProblems
{
    /// <summary>The rule of an optional id field (<see cref="OfferIds.Rule"/> when it is given).</summary>
    public const string OptionalIdRule = "when given, 1–64 characters of A–Z a–z 0–9 _ - . :";

    /// <summary>A 409 naming why, with <c>reason</c> and any further fields.</summary>
    public static IResult Conflict(string title, string detail, string reason, IDictionary<string, object?>? more = null)
    {
        var extensions = new Dictionary<string, object?>(more ?? new Dictionary<string, object?>()) { ["reason"] = reason };
        return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail, extensions: extensions);
    }

    public static IResult NotFound(string title, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    /// <summary>
    /// The one answer for a code the caller may not see: the same whether the code belongs to another member or to
    /// nobody, so trying codes tells nothing.
    /// </summary>
    public static IResult CouponNotFound() =>
        NotFound("Coupon not found", "This member holds no coupon with this code.");
}
