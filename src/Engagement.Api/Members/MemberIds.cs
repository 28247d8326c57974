using System.Text.RegularExpressions;

namespace Engagement.Api.Members;

/// <summary>The memberId rule of CONTRACT.md §1: 1–64 chars of <c>A–Z a–z 0–9 _ - . :</c>.</summary>
public static partial class MemberIds
{
    public const string Rule = "must be 1–64 characters of A–Z a–z 0–9 _ - . :";

    public static bool IsValid(string? memberId) => memberId is { Length: > 0 and <= 64 } && Pattern().IsMatch(memberId);

    [GeneratedRegex("^[A-Za-z0-9_.:-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
