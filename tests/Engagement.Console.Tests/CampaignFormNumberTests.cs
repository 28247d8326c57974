using Engagement.Console.Components.Shared;
using Engagement.Contracts.Campaigns;

namespace Engagement.Console.Tests;

/// <summary>
/// Every number the create form sends (<see cref="CampaignForm"/>, pure), by the API key it is sent under: text that is
/// not a number is named under the input <see cref="CampaignForm.InputOf"/> gives that key, and the definition is still
/// built without throwing; a number in the invariant culture is read as typed.
/// </summary>
public sealed class CampaignFormNumberTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Theory]
    [InlineData("offer.unitCost", "7.5元", "Form_NotANumber")]
    [InlineData("budget.maxCost", "300元", "Form_NotANumber")]
    [InlineData("budget.maxGrants", "40个", "Form_NotAWholeNumber")]
    [InlineData("budget.maxGrants", "1,000", "Form_NotAWholeNumber")]
    [InlineData("controlShare", "0,1", "Form_NotANumber")]
    [InlineData("controlShare", "", "Form_NotANumber")]
    [InlineData("attributionWindowDays", "7.5", "Form_NotAWholeNumber")]
    [InlineData("attributionWindowDays", "3000000000", "Form_IntOutOfRange")]
    [InlineData("attributionWindowDays", "-3000000000", "Form_IntOutOfRange")]
    [InlineData("validUntil", "１４", "Form_NotAWholeNumber")]
    [InlineData("arms[1].weight", "abc", "Form_NotANumber")]
    [InlineData("offer.points", "100分", "Form_NotAWholeNumber")]
    [InlineData("trigger.minAmount", "50元", "Form_NotANumber")]
    [InlineData("priority", "high", "Form_NotAWholeNumber")]
    [InlineData("priority", "3000000000", "Form_IntOutOfRange")]
    public void TextThatIsNotANumberIsNamedUnderTheInputOfItsKey(string key, string typed, string problem)
    {
        var form = Valid();
        Set(form, key, typed);

        var input = CampaignForm.InputOf(key);
        Assert.NotNull(input);
        Assert.Equal(new[] { (input!, problem) }, form.Check(Shanghai));
        _ = form.ToDefinition(Shanghai);
    }

    [Fact]
    public void NumbersTypedInTheInvariantCultureAreSentAsTyped()
    {
        var form = Valid();
        Assert.Empty(form.Check(Shanghai));

        var definition = form.ToDefinition(Shanghai);
        Assert.Equal(7.5m, definition.Offer!.UnitCost);
        Assert.Equal(120, definition.Offer.Points);
        Assert.Equal((300.5m, 40L), (definition.Budget.MaxCost, definition.Budget.MaxGrants));
        Assert.Equal(0.25, definition.ControlShare);
        Assert.Equal(14, definition.AttributionWindowDays);
        Assert.Equal([3d, 0.5d], definition.Arms.Select(a => a.Weight));
        Assert.Equal((49.9m, 2), (definition.Trigger!.MinAmount, definition.Priority));
        Assert.Equal(definition.ValidFrom.AddDays(10), definition.ValidUntil);
    }

    [Fact]
    public void AnIntOutOfRangeNamesTheBoundsNotThatItIsNoWholeNumber()
    {
        Assert.Equal(new object[] { int.MinValue, int.MaxValue }, CampaignForm.ArgumentsOf("Form_IntOutOfRange"));
        Assert.Equal(new object[] { CampaignForm.MaxDays }, CampaignForm.ArgumentsOf("Form_DaysMax"));
        Assert.Empty(CampaignForm.ArgumentsOf("Form_NotAWholeNumber"));
    }

    // A definition shown again (Show) reads back as it was: a small weight or share is written fixed-point, not "1E-05",
    // which the form's own check would refuse as not a number.
    [Fact]
    public void SmallWeightsAndSharesShownAgainReadBackAsTheyWere()
    {
        var shown = Valid().ToDefinition(Shanghai) with
        {
            Arms = [new CampaignArm { Name = "a", Weight = 0.00001 }, new CampaignArm { Name = "b", Weight = 1 }],
            ControlShare = 1e-7,
        };
        var form = new CampaignForm();
        form.Show(shown, Shanghai);

        Assert.Equal(("0.00001", "0.0000001"), (form.Arms[0].Weight, form.ControlShare));
        Assert.Empty(form.Check(Shanghai));
        var again = form.ToDefinition(Shanghai);
        Assert.Equal(0.00001, again.Arms[0].Weight, 1e-20);
        Assert.Equal(1e-7, again.ControlShare!.Value, 1e-20);
    }

    // Every number filled with a readable value, on a triggered points offer (so each numeric input is read).
    private static CampaignForm Valid()
    {
        var form = new CampaignForm
        {
            Id = "n1",
            Name = "Numbers",
            Kind = CampaignKinds.Triggered,
            OfferKind = OfferKinds.Points,
            OfferCode = "PTS",
            UnitCost = "7.5",
            Points = "120",
            Budget = "300.5",
            MaxGrants = "40",
            ControlShare = "0.25",
            AttributionWindowDays = "14",
            From = "2026-12-01 10:00",
            Days = "10",
            TriggerMinAmount = "49.9",
            Priority = "2",
        };
        form.Arms[0].Weight = "3";
        form.Arms[1].Weight = "0.5";
        return form;
    }

    private static void Set(CampaignForm form, string key, string typed)
    {
        switch (key)
        {
            case "offer.unitCost": form.UnitCost = typed; break;
            case "budget.maxCost": form.Budget = typed; break;
            case "budget.maxGrants": form.MaxGrants = typed; break;
            case "controlShare": form.ControlShare = typed; break;
            case "attributionWindowDays": form.AttributionWindowDays = typed; break;
            case "validUntil": form.Days = typed; break;
            case "arms[1].weight": form.Arms[1].Weight = typed; break;
            case "offer.points": form.Points = typed; break;
            case "trigger.minAmount": form.TriggerMinAmount = typed; break;
            case "priority": form.Priority = typed; break;
            default: throw new ArgumentOutOfRangeException(nameof(key), key, "no input sets this key");
        }
    }
}
