namespace Engagement.Domain.Tests;

public class ReasonTextTests
{
    [Theory]
    [InlineData("goodwill\u0000")] // NUL
    [InlineData("goodwill\u001b[2J")] // ESC
    [InlineData("goodwill\u007f")] // DEL
    [InlineData("refund \u202Eevil")] // right-to-left override
    [InlineData("refund \u202Aevil")] // left-to-right embedding
    [InlineData("refund \u2066evil\u2069")] // isolates
    [InlineData("good\u200Bwill")] // zero-width space
    [InlineData("\uFEFFgoodwill")] // byte order mark
    public void ControlBidiAndZeroWidthCharactersAreRefused(string reason) =>
        Assert.False(ReasonText.IsClean(reason));

    [Theory]
    [InlineData("goodwill for the late parcel")]
    [InlineData("line one\nline two\r\nthree\tcolumns")]
    [InlineData("会员电话投诉，补偿 100 积分")]
    [InlineData("عميل غاضب")]
    [InlineData("")]
    [InlineData(null)]
    public void TextAPersonTypesWithTabsAndLineBreaksIsClean(string? reason) =>
        Assert.True(ReasonText.IsClean(reason));
}
