using Engagement.Api.Support;

namespace Engagement.Api.Tests;

/// <summary>What a support key sees of a phone in the search (CONTRACT.md §4: masked like <c>138****1234</c>).</summary>
public sealed class PhoneMaskTests
{
    [Theory]
    [InlineData("13812341234", "138****1234")]
    [InlineData("+86 138 1234 1234", "+86 138****1234")]
    [InlineData("0086 13812341234", "+86 138****1234")]
    [InlineData("8613812341234", "+86 138****1234")]
    [InlineData("138-1234-1234", "138****1234")]
    [InlineData("+1 415 555 0123", "+1 ****0123")]
    [InlineData("62345678", "****5678")]
    [InlineData("0106234567", "******4567")]
    [InlineData("1234567", "*******")]
    [InlineData("", "")]
    public void ThePhoneIsMaskedAsTheContractShowsAndAtLeastFourOfItsCharactersAreHidden(string phone, string masked)
    {
        var shown = MemberDirectory.MaskPhone(phone);

        Assert.Equal(masked, shown);
        Assert.True(phone.Length == 0 || shown.Count(c => c == '*') >= Math.Min(4, phone.Length), $"'{shown}' hides too little of the phone");
    }
}
