using Engagement.Api.Offers;
using Engagement.Api.Problems;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;

namespace Engagement.Api.Tests.Offers;

/// <summary>The one body rule of the reward-stock and store-inventory PUTs (CONTRACT.md §2.1), without a host.</summary>
public sealed class CountLinesTests
{
    private static (bool Valid, IDictionary<string, string[]> Errors) Check(IReadOnlyList<InventoryLine?>? lines)
    {
        var errors = new FieldErrors();
        var valid = CountLines.Check(errors, lines, "sku", l => l.Sku, l => l.Available);
        return (valid, errors.ToDictionary());
    }

    [Fact]
    public void ValidLinesAddNothingUpToTheBoundsOfCountAndUnits()
    {
        var lines = Enumerable.Range(0, CountLines.MaxLines).Select(i => (InventoryLine?)new InventoryLine($"SKU-{i}", i == 0 ? StoreInventory.MaxAvailable : 0)).ToList();

        var (valid, errors) = Check(lines);

        Assert.True(valid);
        Assert.Empty(errors);
    }

    [Fact]
    public void AMissingEmptyOrOversizedBodyIsOneBodyErrorNamingTheLineShape()
    {
        var oversized = Enumerable.Range(0, CountLines.MaxLines + 1).Select(i => (InventoryLine?)new InventoryLine($"SKU-{i}", 1)).ToList();

        foreach (var body in new[] { null, [], oversized })
        {
            var (valid, errors) = Check(body);

            Assert.False(valid);
            Assert.Equal(["body"], errors.Keys);
            Assert.Equal("a JSON array of 1–1000 {sku, available} is required", Assert.Single(errors["body"]));
        }
    }

    [Fact]
    public void EachBadFieldOfALineIsNamedByItsIndexAndTheGoodLinesBesideItAreNot()
    {
        var lines = new List<InventoryLine?>
        {
            new("SKU-1", 1),
            new("SKU-1", -1),
            new("bad sku", StoreInventory.MaxAvailable + 1),
            null,
            new("SKU-4", 4),
        };

        var (valid, errors) = Check(lines);

        Assert.False(valid);
        Assert.Equal(new HashSet<string> { "[1].sku", "[1].available", "[2].sku", "[2].available", "[3].sku" }, errors.Keys.ToHashSet());
        Assert.Equal("named twice", Assert.Single(errors["[1].sku"]));
        Assert.Equal(OfferIds.Rule, Assert.Single(errors["[2].sku"]));
        Assert.Equal("must be 0–1,000,000,000", Assert.Single(errors["[2].available"]));
    }
}
