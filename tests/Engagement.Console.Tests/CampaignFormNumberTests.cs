using System.Reflection;
using Engagement.Console.Components.Shared;
using Engagement.Contracts.Campaigns;

namespace Engagement.Console.Tests;

/// <summary>
/// Every number the create form sends (<see cref="CampaignForm"/>, pure), by the API key it is sent under: text that is
/// not a number is named under the input <see cref="CampaignForm.InputOf"/> gives that key, and the definition is still
/// built without throwing; a number in the invariant culture is read as typed. The number inputs are the form's own
/// string properties (all but its named text inputs), not a list kept here.
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
    [InlineData("arms[0].weight", "1e3", "Form_NotANumber")]
    [InlineData("arms[1].weight", "abc", "Form_NotANumber")]
    [InlineData("offer.points", "100分", "Form_NotAWholeNumber")]
    [InlineData("trigger.minAmount", "50元", "Form_NotANumber")]
    [InlineData("priority", "high", "Form_NotAWholeNumber")]
    [InlineData("priority", "3000000000", "Form_IntOutOfRange")]
    public void TextThatIsNotANumberIsNamedUnderTheInputOfItsKey(string key, string typed, string problem)
    {
        var form = Valid();
        var input = CampaignForm.InputOf(key);
        Assert.NotNull(input);
        Assert.True(ByInput().TryGetValue(input, out var number), $"{key} ({input}) is no number input of the form");
        number.Set(form, typed);

        Assert.Equal(new[] { (input!, problem) }, form.Check(Shanghai));
        _ = form.ToDefinition(Shanghai);
    }

    // Every number input of the form, found on the form itself (every text a user types that is not in TextInputs), so
    // one added later is checked here without being listed: text that is not a number, and a number past any the form
    // reads, are each named under that input alone, never sent as another value.
    [Fact]
    public void EveryNumberInputOfTheFormNamesTextThatIsNotANumberAndANumberOutOfRangeUnderItsOwnInput()
    {
        var inputs = NumberInputs(Valid());
        Assert.True(inputs.Count >= 10, $"the form's number inputs: {string.Join(", ", inputs.Select(i => i.Name))}");
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, set) in inputs)
        {
            var input = NamedUnder(name, set, "abc", ["Form_NotANumber", "Form_NotAWholeNumber"]);
            Assert.True(named.TryAdd(input, name), $"{name} and {named.GetValueOrDefault(input)} are both named under {input}");
            Assert.Equal(input, NamedUnder(name, set, "1" + new string('0', 40), ["Form_NotANumber", "Form_NotAWholeNumber", "Form_IntOutOfRange", "Form_DaysMax"]));
        }

        // Each of them has a key of the API's problem details in the theory above, whose problems are the exact ones.
        var keyed = KeysTried().Select(k => CampaignForm.InputOf(k)!).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(named.Keys.Where(i => !keyed.Contains(i)).Order(StringComparer.Ordinal));
    }

    // The number inputs by the input Check names them under.
    private static Dictionary<string, (string Name, Action<CampaignForm, string> Set)> ByInput() =>
        NumberInputs(Valid()).ToDictionary(i => NamedUnder(i.Name, i.Set, "abc", ["Form_NotANumber", "Form_NotAWholeNumber"]), StringComparer.Ordinal);

    // The form's text inputs that are not numbers: any other string property a user types into is a number input.
    private static readonly string[] TextInputs =
    [
        nameof(CampaignForm.Id), nameof(CampaignForm.Name), nameof(CampaignForm.Kind), nameof(CampaignForm.Channel),
        nameof(CampaignForm.Regions), nameof(CampaignForm.Tiers), nameof(CampaignForm.From), nameof(CampaignForm.OfferKind),
        nameof(CampaignForm.OfferCode), nameof(CampaignForm.TriggerEvent), nameof(CampaignForm.TriggerCategory),
        "Arms[].Name",
    ];

    [Fact]
    public void TheTextInputsNotCheckedAsNumbersAreInputsOfTheForm()
    {
        var all = Typed(typeof(CampaignForm)).Select(p => p.Name)
            .Concat(Typed(typeof(CampaignForm.Arm)).Select(p => "Arms[]." + p.Name));
        Assert.Empty(TextInputs.Except(all));
    }

    // Every string property of the form (and of each arm) that a user types and TextInputs does not name, with its setter.
    private static List<(string Name, Action<CampaignForm, string> Set)> NumberInputs(CampaignForm form)
    {
        var inputs = Typed(typeof(CampaignForm)).Where(p => !TextInputs.Contains(p.Name))
            .Select(p => (p.Name, (Action<CampaignForm, string>)((f, text) => p.SetValue(f, text)))).ToList();
        foreach (var p in Typed(typeof(CampaignForm.Arm)).Where(p => !TextInputs.Contains("Arms[]." + p.Name)))
        {
            for (var i = 0; i < form.Arms.Count; i++)
            {
                var arm = i;
                inputs.Add(($"Arms[{arm}].{p.Name}", (f, text) => p.SetValue(f.Arms[arm], text)));
            }
        }

        return inputs;
    }

    private static IEnumerable<PropertyInfo> Typed(Type type) =>
        type.GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite && p.SetMethod!.IsPublic);

    // The one input Check names when the input is set to typed on a valid form (with one of the problems), the definition
    // still built without throwing.
    private static string NamedUnder(string name, Action<CampaignForm, string> set, string typed, string[] problems)
    {
        var form = Valid();
        set(form, typed);
        var found = form.Check(Shanghai);
        Assert.True(found.Count == 1 && problems.Contains(found[0].Text), $"{name} = \"{typed}\": {string.Join(", ", found)}");
        _ = form.ToDefinition(Shanghai);
        return found[0].Input;
    }

    // The keys the theory tries.
    private static IEnumerable<string> KeysTried()
    {
        var theory = typeof(CampaignFormNumberTests).GetMethod(nameof(TextThatIsNotANumberIsNamedUnderTheInputOfItsKey))!;
        return theory.GetCustomAttributes<InlineDataAttribute>().SelectMany(d => d.GetData(theory)).Select(row => (string)row[0]);
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
}
