using Engagement.Contracts.Offers;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Offers;

/// <summary>
/// INTERIM home of a member's coupons (key memberId) until the member grain holds its <see cref="CouponBook"/> in its
/// own state and implements <see cref="ICouponHolder"/> itself; then delete this class (two grain classes must not
/// implement one interface). Every rule is <see cref="CouponBook"/>'s; this shell only orders I/O: the code is
/// registered in the directory before the book is written, so no held coupon is ever unresolvable by its code.
/// </summary>
public sealed partial class MemberCouponsGrain(
    [PersistentState("member-coupons", GrainStorageNames.State)] IPersistentState<OfferState<CouponBook>> state,
    IOptions<OffersOptions> offers,
    IOptions<ProgramOptions> program,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<MemberCouponsGrain> logger)
    : Grain, ICouponHolder
{
    private string MemberId => this.GetPrimaryKeyString();

    public async Task<CouponIssueResult> IssueCouponAsync(CouponGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var template = grant.ToTemplate();
        var errors = template.Validate().Select(e => new OfferFieldError(e.Field, e.Message)).ToList();
        if (string.IsNullOrWhiteSpace(grant.GrantId) || grant.GrantId.Length > 128)
        {
            errors.Add(new("grantId", "required, 1–128 characters"));
        }

        if (errors.Count > 0)
        {
            return new CouponIssueResult { Status = CouponIssueResult.Invalid, Errors = errors, Detail = string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")) };
        }

        // The member's own zone belongs to the member state; until the wiring, the programme's zone.
        var zone = MemberTimeZones.Resolve(null, program.Value.DefaultTimeZone);
        var coupon = template.Issue(MemberId, grant.GrantId, time.GetUtcNow(), zone, offers.Value.Codes());
        if (state.State.Value.Find(coupon.Code) is { } held)
        {
            return new CouponIssueResult { Status = CouponIssueResult.Duplicate, Coupon = held.ToView(MemberId), Detail = "this grant's coupon is already held" };
        }

        var (book, outcome) = state.State.Value.Issue(coupon, offers.Value.MaxCouponsPerMember);
        if (outcome.Status == CouponIssueStatus.Full)
        {
            return Refused(outcome.Detail);
        }

        if (!await GrainFactory.GetGrain<ICouponDirectoryGrain>(coupon.Code).RegisterAsync(MemberId))
        {
            return Refused("the code derived for this grant belongs to another member");
        }

        await state.SaveAsync(book, this);
        LogIssued(logger, MemberId, coupon.Kind, coupon.OfferId, coupon.ValidUntil);
        return new CouponIssueResult { Status = CouponIssueResult.Issued, Coupon = coupon.ToView(MemberId), Detail = outcome.Detail };
    }

    public Task<IReadOnlyList<CouponView>> GetCouponsAsync()
    {
        // Reads are as of now: a coupon past its instant shows expired even before anything wrote it so.
        var book = state.State.Value.ExpireDue(time.GetUtcNow()).Book;
        IReadOnlyList<CouponView> list = [.. book.Coupons.Reverse().Select(c => c.ToView(MemberId))];
        return Task.FromResult(list);
    }

    public Task<CouponView?> GetCouponAsync(string code) =>
        Task.FromResult(state.State.Value.ExpireDue(time.GetUtcNow()).Book.Find(code)?.ToView(MemberId));

    public async Task<CouponRedeemResult> RedeemCouponAsync(string code, CouponRedeemRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var (expired, _) = state.State.Value.ExpireDue(now);
        var order = new CouponOrder(request.OrderAmount, request.StoreId, request.RegionId);
        var (book, outcome) = expired.Redeem(code, request.RedemptionId, order, now);
        if (!ReferenceEquals(book, state.State.Value))
        {
            await state.SaveAsync(book, this);
        }

        if (outcome.Accepted && !outcome.Replayed)
        {
            LogRedeemed(logger, MemberId, outcome.Coupon!.OfferId, request.StoreId, request.RedemptionId);
        }

        return new CouponRedeemResult
        {
            Accepted = outcome.Accepted,
            Reason = outcome.Refusal?.Reason,
            Detail = outcome.Refusal?.Detail ?? outcome.Coupon!.StatusReason,
            Discount = outcome.Discount,
            Replayed = outcome.Replayed,
            Coupon = outcome.Coupon?.ToView(MemberId),
        };
    }

    private static CouponIssueResult Refused(string detail) => new() { Status = CouponIssueResult.Refused, Detail = detail };

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} was issued a {Kind} coupon of offer {OfferId}, valid until {ValidUntil}")]
    private static partial void LogIssued(ILogger logger, string memberId, string kind, string offerId, DateTimeOffset validUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} redeemed a coupon of offer {OfferId} at {StoreId} (redemption {RedemptionId})")]
    private static partial void LogRedeemed(ILogger logger, string memberId, string offerId, string storeId, string redemptionId);
}
