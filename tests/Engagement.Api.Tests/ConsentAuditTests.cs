using System.Reflection;
using Engagement.Api.Members;
using Engagement.Api.Security;
using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Api.Tests;

/// <summary>
/// A consent change by staff and its audit row (CONTRACT.md §4, <c>GET /audit</c>): the consent is stored before the row
/// is written, so when the audit write fails the client's retry (which finds the consent already so) must write it.
/// </summary>
public sealed class ConsentAuditTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AConsentChangeWhoseAuditWriteFailedIsAuditedByTheRetryOnce()
    {
        var audit = new FailsFirstAuditLog();
        var clock = new FakeTimeProvider(Start);
        var member = new ConsentMember(clock);
        var consents = new MemberConsents(MemberGrains.Of(member), audit, clock);
        var user = ApiKeyIdentity.Principal("support:Li Na", "ApiKey")!;
        var optOut = new Dictionary<string, bool> { ["sms"] = false };

        await Assert.ThrowsAsync<IOException>(() => consents.ChangeAsync("M1", optOut, "asked by phone", user));
        clock.Advance(TimeSpan.FromSeconds(5));
        var retried = await consents.ChangeAsync("M1", optOut, "asked by phone", user);
        clock.Advance(TimeSpan.FromSeconds(5));
        var again = await consents.ChangeAsync("M1", optOut, "asked by phone", user);

        Assert.False(retried.View!.Consent["sms"]);
        Assert.False(again.View!.Consent["sms"]);
        var row = Assert.Single(audit.Rows.Values, r => r.Action == MemberConsents.AuditAction);
        Assert.Equal("M1", row.Target);
        Assert.Equal("Li Na", row.Actor);
        Assert.Equal("support", row.Role);
        Assert.Equal("asked by phone", row.Reason);
        Assert.Equal("consent sms default→no", row.Detail);
        Assert.Equal(Start.AddSeconds(5), row.At);
    }

    [Fact]
    public async Task ARowRepairedByAnotherStaffMembersRepeatNamesWhoMadeTheChange()
    {
        var audit = new FailsFirstAuditLog();
        var clock = new FakeTimeProvider(Start);
        var consents = new MemberConsents(MemberGrains.Of(new ConsentMember(clock)), audit, clock);
        var liNa = ApiKeyIdentity.Principal("support:Li Na", "ApiKey")!;
        var wangFang = ApiKeyIdentity.Principal("admin:Wang Fang", "ApiKey")!;

        // Li Na opts the member out of SMS; the consent is stored, her audit row is not.
        await Assert.ThrowsAsync<IOException>(() => consents.ChangeAsync("M1", new Dictionary<string, bool> { ["sms"] = false }, "asked by phone", liNa));

        // An hour later Wang Fang, seeing the member still complaining, sends the same opt-out with a reason of his own.
        clock.Advance(TimeSpan.FromHours(1));
        var repeated = await consents.ChangeAsync("M1", new Dictionary<string, bool> { ["sms"] = false }, "complained again", wangFang);

        Assert.False(repeated.View!.Consent["sms"]);
        var row = Assert.Single(audit.Rows.Values, r => r.Action == MemberConsents.AuditAction);
        Assert.Equal("Li Na", row.Actor);
        Assert.Equal("support", row.Role);
        Assert.Equal("asked by phone", row.Reason);
        Assert.Equal("consent sms default→no", row.Detail);
    }

    [Fact]
    public async Task AConsentChangedTwiceIsTwoRowsAndARestatementNone()
    {
        var audit = new FailsFirstAuditLog { FailFirst = false };
        var clock = new FakeTimeProvider(Start);
        var consents = new MemberConsents(MemberGrains.Of(new ConsentMember(clock)), audit, clock);
        var user = ApiKeyIdentity.Principal("support:Li Na", "ApiKey")!;

        await consents.ChangeAsync("M1", new Dictionary<string, bool> { ["sms"] = false }, null, user);
        clock.Advance(TimeSpan.FromMinutes(1));
        await consents.ChangeAsync("M1", new Dictionary<string, bool> { ["sms"] = false }, null, user);
        clock.Advance(TimeSpan.FromMinutes(1));
        await consents.ChangeAsync("M1", new Dictionary<string, bool> { ["sms"] = true }, null, user);

        Assert.Equal(
            ["consent sms default→no", "consent sms no→yes"],
            audit.Rows.Values.Where(r => r.Action == MemberConsents.AuditAction).OrderBy(r => r.At).Select(r => r.Detail));
    }

    [Fact]
    public async Task AnUnknownChannelOfFortyCharactersEndingInAnEmojiIsNamedWholeAndNothingIsStored()
    {
        var audit = new FailsFirstAuditLog { FailFirst = false };
        var clock = new FakeTimeProvider(Start);
        var member = new ConsentMember(clock);
        var consents = new MemberConsents(MemberGrains.Of(member), audit, clock);
        var user = ApiKeyIdentity.Principal("support:Li Na", "ApiKey")!;
        // 39 letters and an emoji: 40 characters, 41 UTF-16 units; the old cut at 40 units kept half of the emoji.
        var channel = new string('x', 39) + "\U0001F600";

        var outcome = await consents.ChangeAsync("M1", new Dictionary<string, bool> { [channel] = false, ["sms"] = false }, null, user);

        var errors = outcome.Errors!.ToDictionary();
        Assert.Equal([channel], errors.Keys);
        Assert.Equal([MemberConsents.UnknownChannelRule], errors[channel]);
        Assert.Empty(member.View().Consent);
        Assert.Empty(audit.Rows);
    }

    [Fact]
    public async Task AnUnknownChannelOverTheBoundIsRefusedUnderBodyByItsLengthNeverCut()
    {
        var audit = new FailsFirstAuditLog { FailFirst = false };
        var clock = new FakeTimeProvider(Start);
        var member = new ConsentMember(clock);
        var consents = new MemberConsents(MemberGrains.Of(member), audit, clock);
        var user = ApiKeyIdentity.Principal("support:Li Na", "ApiKey")!;
        var channel = string.Concat(Enumerable.Repeat("\U0001F600", 41));

        // Three over-long names make one message (the problem stays bounded), naming the count and the longest.
        var outcome = await consents.ChangeAsync("M1", new Dictionary<string, bool>
        {
            [channel] = true, [new string('y', 50)] = true, [new string('z', 45)] = false,
        }, null, user);

        var errors = outcome.Errors!.ToDictionary();
        Assert.Equal(["body"], errors.Keys);
        var message = Assert.Single(errors["body"]);
        Assert.Equal("3 unknown channel name(s) over 40 characters (the longest 50, not shown); use sms, push, call or wechat", message);
        Assert.DoesNotContain("\U0001F600", message, StringComparison.Ordinal);
        Assert.All(message, c => Assert.False(char.IsSurrogate(c)));
        Assert.Empty(member.View().Consent);
    }

    /// <summary>A registered member whose consent the domain sets, as <c>MemberGrain.SetConsentAsync</c> does.</summary>
    private sealed class ConsentMember(TimeProvider clock)
    {
        private readonly MemberState _state = new();

        public MemberView View() => new()
        {
            MemberId = "M1", Tier = "V1", LifecycleStage = "active", Rfm = new RfmView(), Caps = new CapsView(),
            Consent = new Dictionary<string, bool>(_state.Consent, StringComparer.Ordinal),
            ConsentChangedAt = _state.ConsentChangedAt,
            ConsentChangedBy = _state.ConsentChangedBy is { } by ? new StaffActor { Name = by.Name, Role = by.Role, Reason = by.Reason } : null,
            ConsentChange = _state.ConsentChange,
        };

        public MemberView SetConsent(IReadOnlyDictionary<string, bool> consent, StaffActor? by)
        {
            MemberDecider.SetConsent(_state, consent, clock.GetUtcNow(), by is null ? null : new ConsentActor(by.Name, by.Role, by.Reason));
            return View();
        }
    }

    /// <summary>A grain factory whose every member grain is <see cref="ConsentMember"/> (view and consent only).</summary>
    public class MemberGrains : DispatchProxy
    {
        private ConsentMember? _member;

        internal static IGrainFactory Of(object member)
        {
            var factory = Create<IGrainFactory, MemberGrains>();
            ((MemberGrains)(object)factory)._member = (ConsentMember)member;
            return factory;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && targetMethod.GetGenericArguments()[0] == typeof(IMemberGrain)
                ? MemberGrain.Of(_member!)
                : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>The member grain's view and consent calls, answered by a <see cref="ConsentMember"/>.</summary>
    public class MemberGrain : DispatchProxy
    {
        private ConsentMember? _member;

        internal static IMemberGrain Of(object member)
        {
            var grain = Create<IMemberGrain, MemberGrain>();
            ((MemberGrain)(object)grain)._member = (ConsentMember)member;
            return grain;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IMemberGrain.GetViewAsync) => Task.FromResult<MemberView?>(_member!.View()),
            nameof(IMemberGrain.SetConsentAsync) => Task.FromResult<MemberView?>(_member!.SetConsent((IReadOnlyDictionary<string, bool>)args![0]!, (StaffActor?)args[1])),
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
}
