namespace Engagement.Console.Tests;

// The browser tests that read times at the pinned instant are split in four collections, each with a host and browser of
// its own (own service id, queues and fault switches; the tests seed members, regions and campaigns of their own), and
// xUnit runs two of them side by side and the next when one ends (AssemblyInfo.cs: on 2 cores a third only lengthens
// every test). Within a collection they run one at a time, in any order. The four are of about the same length (CI's
// run of 2026-12-07: 322 to 418 test-seconds each), so the two turns end close together.

/// <summary>
/// The console's own pages (sign-in and sessions, access, refresh, layout, Chinese records) and the campaign form's
/// fields and control-group warning (campaigns in regions of their own): a host of their own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConsoleHostCollection : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console host";
}

/// <summary>
/// The member page's support actions, their failures, coupon reissue, benefit use and the consent form: a host of their
/// own (split from <see cref="ConsoleHostCollection"/>, which alone ran 736 test-seconds in a line on CI).
/// </summary>
[CollectionDefinition(Name)]
public sealed class MemberActionsConsoleHostCollection : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console host, member actions";
}

/// <summary>The campaign pages (form, budget, control group, results) at the pinned instant: a host of their own.</summary>
[CollectionDefinition(Name)]
public sealed class CampaignConsoleHostCollection : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console host, campaign pages";
}

/// <summary>The programme-health page and its range picker: a host of their own.</summary>
[CollectionDefinition(Name)]
public sealed class ProgrammeConsoleHostCollection : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console host, programme health";
}
