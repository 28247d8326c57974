using Engagement.Api.Security;
using Engagement.Console.Hosting;
using Engagement.Console.Resources;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>
/// The sign-in refusal names the roles that may use the console in words (<c>SignIn_Refused</c>); this ties those words
/// to <see cref="ConsoleSessions.Roles"/>, so a role added to or taken from the console cannot leave the message wrong.
/// </summary>
public sealed class SignInRefusalTextTests
{
    private static readonly IStringLocalizer<Strings> Text = Localizer<Strings>();

    [Theory]
    [InlineData("en-US", ": ", ".")]
    [InlineData("zh-CN", "：", "。")]
    public void TheRefusalNamesExactlyTheConsoleRolesInTheBrowsersLanguage(string culture, string clauseStart, string clauseEnd) => InCulture(culture, () =>
    {
        var message = Text["SignIn_Refused"].Value;
        var start = message.IndexOf(clauseStart, StringComparison.Ordinal) + clauseStart.Length;
        var clause = message[start..message.IndexOf(clauseEnd, start, StringComparison.Ordinal)]; // "the console is for … keys"
        foreach (var role in ApiRoles.All)
        {
            var name = Text["Role_" + role];
            Assert.False(name.ResourceNotFound, $"Role_{role}");
            Assert.True(
                ConsoleSessions.Roles.Contains(role) == clause.Contains(name.Value, StringComparison.Ordinal),
                $"\"{clause}\" should {(ConsoleSessions.Roles.Contains(role) ? "" : "not ")}name the role {role} ({name.Value})");
        }
    });
}
