namespace Engagement.Contracts.Members;

/// <summary>
/// The channels a member can be reached on (CONTRACT.md §2): the keys of consent (<c>consent.{channel}</c>, the consent
/// endpoint) and the channels a campaign may use. The one owner of these names.
/// </summary>
public static class ContactChannels
{
    public const string Sms = "sms";
    public const string Push = "push";
    public const string Call = "call";
    public const string WeChat = "wechat";

    /// <summary>Every channel in the order screens list them (sms, push, call, wechat).</summary>
    public static readonly IReadOnlyList<string> InOrder = [Sms, Push, Call, WeChat];

    /// <summary>Every channel, ordinal.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Sms, Push, Call, WeChat };
}
